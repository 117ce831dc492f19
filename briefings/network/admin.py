from datetime import UTC

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join

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


def short(text, length):
    """Return `text` cut to `length` characters with an ellipsis, whole on hover."""
    if len(text) <= length:
        return text
    return format_html('<span title="{}">{}…</span>', text, text[: length - 1])


def when(moment):
    """A compact time in the admin's zone (the desk's), UTC on hover."""
    if moment is None:
        return "never"
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{} UTC">{}</time>',
        moment.astimezone(UTC).isoformat(timespec="seconds"),
        moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        local.strftime("%d %b %H:%M"),
    )


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """The feeds and their health. The list fits a 1280 px screen: long URLs
    and errors are cut (whole on hover) instead of widening the table."""

    list_display = [
        "feed",
        "publication",
        "health",
        "last_success",
        "errors",
        "next_check",
        "enabled",
        "error",
    ]
    list_display_links = ["feed"]
    list_filter = ["health", "kind", "origin", "enabled", "publication__region"]
    list_select_related = ["publication"]
    search_fields = ["url", "publication__name", "last_error"]
    readonly_fields = [
        "etag",
        "last_modified",
        "last_checked_at",
        "last_success_at",
        "error_count",
        "last_error",
        "poll_history",
    ]
    actions = ["enable_feeds", "disable_feeds"]

    HISTORY_SHOWN = 50  # newest polls on the feed's page

    @admin.display(description="Poll history")
    def poll_history(self, feed):
        """The newest polls: when (the desk's zone, UTC on hover), what came of
        it, what was stored, how long it took, the error."""
        if feed.pk is None:
            return "none yet"
        polls = list(feed.polls.order_by("-started_at", "-pk")[: self.HISTORY_SHOWN])
        if not polls:
            return "none yet"
        rows = format_html_join(
            "",
            '<tr class="poll {}"><td>{}</td><td>{}</td><td>{} new, {} updated, '
            "{} skipped</td><td>{} ms</td><td>{}</td></tr>",
            (
                (
                    p.outcome,
                    when(p.started_at),
                    p.get_outcome_display(),
                    p.new,
                    p.updated,
                    p.skipped,
                    p.duration_ms,
                    short(p.error, 120),
                )
                for p in polls
            ),
        )
        return format_html(
            '<table class="poll-history"><thead><tr><th>when</th><th>outcome</th>'
            "<th>stored</th><th>took</th><th>error</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="feed", ordering="url")
    def feed(self, feed):
        return short(feed.url.removeprefix("https://").removeprefix("http://"), 40)

    @admin.display(description="last success", ordering="last_success_at")
    def last_success(self, feed):
        return when(feed.last_success_at)

    @admin.display(description="errors", ordering="error_count")
    def errors(self, feed):
        return feed.error_count

    @admin.display(description="next check", ordering="next_check_at")
    def next_check(self, feed):
        return when(feed.next_check_at)

    @admin.display(description="last error", ordering="last_error")
    def error(self, feed):
        return short(feed.last_error, 60)

    def _switch(self, request, queryset, enabled):
        """Turn the selected feeds on or off, each change in its history."""
        changed = 0
        for feed in queryset.exclude(enabled=enabled):
            feed.enabled = enabled
            fields = ["enabled"]
            if enabled:
                # Back on: polled at the next round, not after a long backoff;
                # one that the scheduler disabled starts its error count afresh
                # (else its next failure disables it again at once).
                feed.next_check_at = None
                fields.append("next_check_at")
                if feed.health == Feed.Health.DISABLED:
                    feed.health, feed.error_count = Feed.Health.NEW, 0
                    fields += ["health", "error_count"]
            feed.save(update_fields=fields)
            self.log_change(request, feed, "Enabled" if enabled else "Disabled")
            changed += 1
        word = "enabled" if enabled else "disabled"
        unchanged = queryset.count() - changed
        note = f"; {unchanged} already {word}" if unchanged else ""
        self.message_user(request, f"{changed} feed(s) {word}{note}", messages.SUCCESS)

    @admin.action(description="Enable the selected feeds", permissions=["change"])
    def enable_feeds(self, request, queryset):
        self._switch(request, queryset, True)

    @admin.action(description="Disable the selected feeds", permissions=["change"])
    def disable_feeds(self, request, queryset):
        self._switch(request, queryset, False)


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
