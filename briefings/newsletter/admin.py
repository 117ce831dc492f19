from django.contrib import admin, messages
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone

from briefings.newsletter.curate import REDRAFTABLE, RedraftRefused, draft
from briefings.newsletter.deliver import approve
from briefings.newsletter.models import (
    Consent,
    Delivery,
    Edition,
    EditionItem,
    Subscriber,
)
from briefings.newsletter.render import render_edition


class EditionItemInline(admin.TabularInline):
    """Editors reorder (position), replace (article) and rewrite blurbs here."""

    model = EditionItem
    extra = 1
    fields = ["position", "is_lead", "article", "blurb", "papers"]
    raw_id_fields = ["article"]
    ordering = ["position"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["date", "status", "approved_at", "sent_at"]
    list_filter = ["status"]
    fields = ["date", "status", "intro", "skip_reason", "pause_reason"]
    readonly_fields = ["status", "skip_reason", "pause_reason"]
    inlines = [EditionItemInline]
    actions = ["approve_editions", "redraft_editions", "preview_edition"]

    def save_related(self, request, form, formsets, change):
        """Record the editor's change (the revision a redraft must still find),
        so that no redraft replaces it without saying so."""
        super().save_related(request, form, formsets, change)
        changed = form.has_changed() or any(f.has_changed() for f in formsets)
        if change and changed:
            type(form.instance).objects.filter(pk=form.instance.pk).update(
                edited_at=timezone.now(), revision=F("revision") + 1
            )
            if form.instance.items.exists():  # an editor filled a skipped day
                type(form.instance).objects.filter(
                    pk=form.instance.pk, status=Edition.Status.SKIPPED
                ).update(status=Edition.Status.DRAFT, skip_reason="")

    @admin.action(description="Redraft the selected editions (not yet sending)")
    def redraft_editions(self, request, queryset):
        for edition in queryset.order_by("date"):
            try:
                edition = draft(edition.date, redo=True)
            except RedraftRefused as refused:
                self.message_user(request, f"Not redrafted: {refused}", messages.ERROR)
                continue
            note = f" (skipped: {edition.skip_reason})" if edition.skip_reason else ""
            self.message_user(
                request,
                f"{edition} redrafted: {edition.items.count()} items{note}",
                messages.SUCCESS,
            )

    @admin.action(description="Approve the selected drafts")
    def approve_editions(self, request, queryset):
        approved = sum(approve(edition) for edition in queryset)
        self.message_user(request, f"{approved} edition(s) approved", messages.SUCCESS)

    @admin.action(description="Preview the email of the selected edition")
    def preview_edition(self, request, queryset):
        edition = queryset.order_by("-date").first()
        if edition.status == Edition.Status.SKIPPED:
            self.message_user(
                request,
                f"{edition} was skipped: {edition.skip_reason}",
                messages.ERROR,
            )
            return None
        return HttpResponse(render_edition(edition).html)

    def has_change_permission(self, request, obj=None):
        # Once sending starts, the edition is what subscribers received.
        if obj is not None and obj.status not in REDRAFTABLE:
            return False
        return super().has_change_permission(request, obj)


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Consent._meta.fields]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "frequency", "created_at", "confirmed_at"]
    list_filter = ["status", "frequency"]
    search_fields = ["email"]
    readonly_fields = ["token_key", "created_at", "confirmed_at", "unsubscribed_at"]
    inlines = [ConsentInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["edition", "subscriber", "status", "attempts", "sent_at"]
    list_filter = ["status", "edition"]
    raw_id_fields = ["subscriber"]
