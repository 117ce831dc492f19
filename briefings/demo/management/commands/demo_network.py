from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from briefings.demo.network import DemoNetwork
from briefings.demo.server import DemoServer


class Command(BaseCommand):
    help = "Serve the offline demo network (member papers' homepages, feeds, pages)."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", default=settings.BRIEFINGS_DEMO_CORPUS)
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--days", type=int, default=settings.BRIEFINGS_DEMO_DAYS)

    def handle(self, *args, **options):
        corpus = options["corpus"]
        if not corpus or not Path(corpus).exists():
            raise CommandError(
                "No demo corpus: set BRIEFINGS_DEMO_CORPUS to a JSON Lines file "
                "(see README, 'The demo network')."
            )
        net = DemoNetwork.load(
            corpus, settings.BRIEFINGS_NETWORK_FILE, days=options["days"]
        )
        server = DemoServer(net, host="127.0.0.1", port=options["port"])
        self.stdout.write(
            f"Demo network on {server.base_url}/ ({len(net.papers)} papers):"
        )
        for paper in net.papers:
            self.stdout.write(f"  {paper.name}: {server.feed_url(paper.slug)}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
