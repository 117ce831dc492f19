from collections import Counter

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from django.core.management.base import BaseCommand, CommandError

from briefings.ingest.poller import refresh_feeds
from briefings.network.models import Feed


class Command(BaseCommand):
    help = "Poll the member papers' feeds now and store their new stories."

    def add_arguments(self, parser):
        parser.add_argument("--publication", help="only this paper's feeds (slug)")
        parser.add_argument("--feed", help="only the feed with this URL")
        parser.add_argument(
            "--once",
            action="store_true",
            help="poll every selected feed now, due or not (default: only due feeds)",
        )

    def handle(self, *args, **options):
        feeds = Feed.objects.enabled().select_related("publication")
        if options["publication"]:
            feeds = feeds.filter(publication__slug=options["publication"])
        if options["feed"]:
            feeds = feeds.filter(url=options["feed"])
        if not (options["once"] or options["publication"] or options["feed"]):
            feeds = feeds.filter(pk__in=Feed.objects.due())
        feeds = list(feeds)
        if not feeds:
            raise CommandError("no feed matches (see `briefings sources`)")
        console = Console(file=self.stdout, stderr=False)
        totals = {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
        failures, reasons = [], Counter()
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Polling feeds", total=len(feeds))

            def done(report):
                for key in totals:
                    totals[key] += getattr(report, key)
                if report.error:
                    failures.append((report.feed_url, report.error))
                reasons.update(problem.split(" (")[0] for problem in report.problems)
                progress.advance(task)

            refresh_feeds(feeds, on_done=done)
        table = Table(title=f"{len(feeds)} feeds polled")
        for key in totals:
            table.add_column(key, justify="right")
        table.add_row(*(str(value) for value in totals.values()))
        console.print(table)
        for reason, count in reasons.most_common():
            console.print(f"{count} x {reason}", highlight=False, markup=False)
        for url, error in failures:
            console.print(f"failed {url}: {error}", highlight=False, markup=False)
