from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
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


class EditionForm(forms.ModelForm):
    """The edition's form carries the revision the editor opened: a redraft (or
    another editor) in between makes the save fail with the reason, rather than
    mixing two drafts or losing either."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Edition
        fields = ["date", "intro"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_revision"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_revision")
        if self.instance.pk and seen is not None:
            now = Edition.objects.filter(pk=self.instance.pk).values_list(
                "revision", "drafted_at"
            )
            revision, drafted_at = now.first() or (seen, None)
            if revision != seen:
                raise ValidationError(
                    "This edition changed while you edited it (redrafted at "
                    f"{drafted_at:%Y-%m-%d %H:%M} UTC or saved by another editor); "
                    "your changes were not saved. Reload it and make them again."
                    if drafted_at
                    else "This edition changed while you edited it; your changes "
                    "were not saved. Reload it and make them again."
                )
        return cleaned


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    list_display = ["date", "status", "approved_at", "sent_at"]
    list_filter = ["status"]
    fields = ["date", "status", "intro", "skip_reason", "pause_reason", "seen_revision"]
    readonly_fields = ["status", "skip_reason", "pause_reason"]
    inlines = [EditionItemInline]
    actions = ["approve_editions", "redraft_editions", "preview_edition"]

    def save_model(self, request, obj, form, change):
        """Claim the edition for the editor before anything is written: bump
        the revision the form was opened at and mark it edited, by a conditional
        UPDATE (a redraft holding the same revision then writes nothing)."""
        if change:
            seen = form.cleaned_data.get("seen_revision")
            claimed = Edition.objects.filter(
                pk=obj.pk, revision=obj.revision if seen is None else seen
            ).update(edited_at=timezone.now(), revision=F("revision") + 1)
            if not claimed:
                raise ValidationError("the edition changed while it was edited")
            # Only what the editor can change: the status, approval and the
            # sender's fields move by their own conditional updates.
            obj.save(update_fields=["date", "intro"])
            obj.refresh_from_db()
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and form.instance.items.exists():  # an editor filled a skipped day
            Edition.objects.filter(
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
