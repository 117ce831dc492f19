from django.contrib import admin

from briefings.network.models import Country, Feed, Heartbeat, Publication, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class FeedInline(admin.TabularInline):
    model = Feed
    extra = 0
    fields = [
        "url",
        "kind",
        "origin",
        "enabled",
        "health",
        "last_success_at",
        "last_error",
    ]
    readonly_fields = ["health", "last_success_at", "last_error"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "language", "confidence", "enabled"]
    list_filter = ["region", "confidence", "enabled", "language"]
    search_fields = ["name", "slug", "homepage"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FeedInline]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "url",
        "publication",
        "kind",
        "health",
        "last_success_at",
        "error_count",
        "next_check_at",
        "enabled",
        "last_error",
    ]
    list_filter = ["health", "kind", "origin", "enabled", "publication__region"]
    search_fields = ["url", "publication__name", "last_error"]
    readonly_fields = [
        "etag",
        "last_modified",
        "last_checked_at",
        "last_success_at",
        "error_count",
        "last_error",
    ]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """The scheduler's loops as they last reported (written by `briefings run`)."""

    list_display = ["name", "beat_at", "started_at", "restarts", "last_crash_at"]
    readonly_fields = [
        "name",
        "started_at",
        "beat_at",
        "restarts",
        "last_crash",
        "last_crash_at",
    ]

    def has_add_permission(self, request):
        return False
