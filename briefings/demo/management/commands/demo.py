import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from briefings.articles.models import Article
from briefings.demo.network import DemoNetwork
from briefings.demo.register import register_demo_feeds
from briefings.demo.server import DemoServer
from briefings.ingest.system import run_system


def unattended_newsletter():
    """The demo has no editor: the day's edition is approved by itself, once the
    demo's ingest has caught up, so "View Today's Newsletter Here" shows it
    (unless NEWSLETTER_AUTO_APPROVE is set in the environment)."""
    if "NEWSLETTER_AUTO_APPROVE" not in os.environ:
        settings.NEWSLETTER_AUTO_APPROVE = True


class Command(BaseCommand):
    help = "Run the whole system against the offline demo network."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8001, help="demo network port")
        parser.add_argument("--bind", help="site address:port (default BRIEFINGS_BIND)")

    def handle(self, *args, **options):
        corpus = settings.BRIEFINGS_DEMO_CORPUS
        if not corpus or not Path(corpus).exists():
            raise CommandError(
                "No demo corpus found: set BRIEFINGS_DEMO_CORPUS to the Wikinews JSON "
                "Lines file (../shared/demo-corpus/wikinews_asia.jsonl in a checkout)."
            )
        unattended_newsletter()
        call_command("sync_network", "--without-feeds", stdout=self.stdout)
        net = DemoNetwork.load(
            corpus, settings.BRIEFINGS_NETWORK_FILE, days=settings.BRIEFINGS_DEMO_DAYS
        )
        server = DemoServer(net, host="127.0.0.1", port=options["port"])
        server.start()
        count = register_demo_feeds(server, net.papers)
        self.stdout.write(
            f"Demo network of {count} papers on {server.base_url}/ "
            f"(stories from English Wikinews, CC BY 2.5, dates shifted)."
        )
        try:
            run_system(self.stdout.write, options["bind"], on_done=self.progress)
        finally:
            server.stop()

    def progress(self, report):
        """Say what each poll of a demo feed brought, and the running total."""
        if report.error:
            self.stdout.write(f"{report.feed_url}: {report.error}")
            return
        if not (report.new or report.updated):
            return
        stored = Article.objects.all()
        self.stdout.write(
            f"{report.feed_url.split('/')[-2]}: {report.new} new stories "
            f"({stored.count()} from "
            f"{stored.values('publication').distinct().count()} papers so far)"
        )
