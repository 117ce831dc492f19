from rich.console import Console
from rich.table import Table

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.timesince import timesince

from briefings.network.models import Feed

HEALTH_STYLE = {"ok": "green", "failing": "yellow", "disabled": "red", "new": "dim"}


class Command(BaseCommand):
    help = "List every feed with its health: ok, failing or disabled, and why."

    def add_arguments(self, parser):
        parser.add_argument("--publication", help="only this paper's feeds (slug)")
        parser.add_argument("--all", action="store_true", help="include disabled feeds")

    def handle(self, *args, **options):
        feeds = Feed.objects.select_related("publication").order_by(
            "publication__position", "url"
        )
        if options["publication"]:
            feeds = feeds.filter(publication__slug=options["publication"])
        if not options["all"]:
            feeds = feeds.filter(enabled=True)
        now = timezone.now()
        table = Table(title=f"{feeds.count()} feeds", expand=True)
        for column in ("paper", "feed", "kind", "health", "last success", "errors",
                       "next poll", "reason"):  # fmt: skip
            table.add_column(column, overflow="fold")
        for feed in feeds:
            table.add_row(
                feed.publication.name,
                feed.url,
                feed.kind,
                f"[{HEALTH_STYLE.get(feed.health, '')}]{feed.health}[/]",
                f"{timesince(feed.last_success_at, now)} ago" if feed.last_success_at
                else "never",
                str(feed.error_count),
                feed.next_check_at.strftime("%Y-%m-%d %H:%M") if feed.next_check_at
                else "now",
                feed.last_error[:200],
            )  # fmt: skip
        Console(file=self.stdout, width=200).print(table)
