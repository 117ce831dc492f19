"""`briefings worker`: a Celery worker for the queues named (issue #17)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from briefings.config.celery import QUEUES, configured_app


class Command(BaseCommand):
    help = "Run a Celery worker taking tasks from the queues named (all by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues",
            default=",".join(QUEUES),
            help=f"comma-separated, of {', '.join(QUEUES)}",
        )
        parser.add_argument(
            "-c", "--concurrency", type=int, default=None, help="worker processes"
        )
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, queues, concurrency, loglevel, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError("worker: set CELERY_BROKER_URL (docs/operations.md)")
        unknown = set(queues.split(",")) - set(QUEUES)
        if unknown:
            raise CommandError(f"worker: unknown queues {', '.join(sorted(unknown))}")
        argv = ["worker", "--queues", queues, "--loglevel", loglevel]
        # A node name of its own, so several workers on one host do not clash.
        argv += ["--hostname", f"briefings-{os.getpid()}@%h"]
        if concurrency:
            argv += ["--concurrency", str(concurrency)]
        configured_app().worker_main(argv)
