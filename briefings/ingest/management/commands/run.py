import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from briefings.ingest.reachability import reachable_count
from briefings.ingest.system import run_system
from briefings.network.models import Feed


class Command(BaseCommand):
    help = "Run the whole system: the site (granian) and the feed scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="address:port (default BRIEFINGS_BIND)")
        parser.add_argument("--workers", type=int, help="web worker processes")

    def discover_missing_feeds(self):
        close_old_connections()
        try:
            call_command("discover_feeds", stdout=self.stdout)
        finally:
            connections.close_all()

    def handle(self, *args, **options):
        urls = list(Feed.objects.enabled().values_list("url", flat=True))
        if not urls:
            self.stdout.write(
                "No feeds are configured: run `briefings sync_network` first."
            )
        elif reachable_count(urls) == 0:
            self.stdout.write(
                self.style.WARNING(
                    "None of the member papers can be reached from this machine "
                    "(offline, or their sites are down), so no new stories will "
                    "arrive.\n"
                    "To see Briefings at work without the internet, run `make demo`: "
                    "it serves a demo network of papers on this machine."
                )
            )
        else:
            self.stdout.write(f"Polling {len(urls)} feeds of the member papers.")
            # Papers listed with no usable feed get theirs found on their homepage
            # (rel=alternate, common paths, sitemaps), without delaying the start.
            threading.Thread(target=self.discover_missing_feeds, daemon=True).start()

        def done(report):
            # Failures are logged by the pipeline (and kept on the feed).
            if report.new or report.updated:
                self.stdout.write(
                    f"{report.feed_url}: {report.new} new, {report.updated} updated"
                )

        run_system(self.stdout.write, options["bind"], options["workers"], on_done=done)
