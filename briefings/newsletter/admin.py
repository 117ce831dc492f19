from django.contrib import admin, messages
from django.http import HttpResponse

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
    fields = ["position", "article", "blurb", "papers"]
    raw_id_fields = ["article"]
    ordering = ["position"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["date", "status", "approved_at", "sent_at"]
    list_filter = ["status"]
    fields = ["date", "status", "intro", "skip_reason", "pause_reason"]
    readonly_fields = ["status", "skip_reason", "pause_reason"]
    inlines = [EditionItemInline]
    actions = ["approve_editions", "preview_edition"]

    @admin.action(description="Approve the selected drafts")
    def approve_editions(self, request, queryset):
        approved = sum(approve(edition) for edition in queryset)
        self.message_user(request, f"{approved} edition(s) approved", messages.SUCCESS)

    @admin.action(description="Preview the email of the selected edition")
    def preview_edition(self, request, queryset):
        edition = queryset.order_by("-date").first()
        return HttpResponse(render_edition(edition).html)

    def has_change_permission(self, request, obj=None):
        # Once sending starts, the edition is what subscribers received.
        if obj is not None and obj.status not in (
            Edition.Status.DRAFT,
            Edition.Status.APPROVED,
        ):
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
