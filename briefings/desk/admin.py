"""The admin's front page leads to the desk; the feeds' list gains "check now",
which needs ingest (network, below it, may not import it); the articles' list
gains "pin", which needs stories (articles, below it, may not import it)."""

from django.contrib import admin, messages
from django.utils import timezone

from briefings.articles.admin import ArticleAdmin
from briefings.articles.models import Article
from briefings.desk.sources import MAX_CHECKS, check_feeds, describe
from briefings.network.admin import FeedAdmin
from briefings.network.models import Feed
from briefings.stories import editing
from briefings.stories.models import Pin

admin.site.index_template = "desk/admin_index.html"
admin.site.site_header = "Briefings: editors' desk"
admin.site.site_title = "Briefings desk"
# The apps' sidebar took 300 px of every list at 1280 px (the feeds' health,
# errors and next check went off-screen); the index and breadcrumbs lead
# everywhere it did.
admin.site.enable_nav_sidebar = False


admin.site.unregister(Feed)


@admin.register(Feed)
class DeskFeedAdmin(FeedAdmin):
    actions = [*FeedAdmin.actions, "check_now"]

    class Media:
        css = {"all": ["desk/desk.css"]}  # long cells wrap within the list

    @admin.action(
        description=f"Check now (up to {MAX_CHECKS} feeds)", permissions=["change"]
    )
    def check_now(self, request, queryset):
        """Poll the selected feeds as the scheduler would, each in its history."""
        feeds = list(queryset.select_related("publication")[: MAX_CHECKS + 1])
        if len(feeds) > MAX_CHECKS:
            self.message_user(
                request,
                f"Only the first {MAX_CHECKS} selected feeds were checked: "
                "a check is a whole poll, done while you wait.",
                messages.WARNING,
            )
        for feed, report in zip(feeds, check_feeds(feeds), strict=False):
            line = describe(report)
            self.log_change(request, feed, f"Checked now: {line}")
            level = messages.ERROR if report.error else messages.SUCCESS
            self.message_user(request, line, level)


admin.site.unregister(Article)


@admin.register(Article)
class DeskArticleAdmin(ArticleAdmin):
    actions = [*ArticleAdmin.actions, "pin_to_front", "pin_to_region"]

    def _pin(self, request, queryset, place):
        until = timezone.now() + editing.PIN_HOURS
        count = 0
        for article in queryset:
            if article.status == Article.Status.HIDDEN:
                self.message_user(
                    request,
                    f"“{article.headline}” is hidden: show it again before pinning.",
                    messages.ERROR,
                )
                continue
            made = editing.pin(
                article=article, place=place, until=until, by=request.user
            )
            self.log_change(
                request,
                article,
                f"Pinned to the {made.get_place_display()} until "
                f"{timezone.localtime(made.expires_at):%Y-%m-%d %H:%M %Z}",
            )
            count += 1
        if count:
            self.message_user(
                request,
                f"{count} article(s) pinned for {editing.PIN_HOURS_TEXT}; "
                "change or remove a pin under Pins.",
                messages.SUCCESS,
            )

    @admin.action(
        description="Pin to the top of the front page (24 h)", permissions=["change"]
    )
    def pin_to_front(self, request, queryset):
        self._pin(request, queryset, Pin.Place.FRONT)

    @admin.action(
        description="Pin to the top of its region's section (24 h)",
        permissions=["change"],
    )
    def pin_to_region(self, request, queryset):
        self._pin(request, queryset, Pin.Place.REGION)
