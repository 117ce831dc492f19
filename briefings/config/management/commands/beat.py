"""`briefings beat`: the Celery beat, one at a time across machines (issue #17)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from briefings.config.beat import RENEW_SECONDS, lock_url
from briefings.config.celery import configured_app


class Command(BaseCommand):
    help = (
        "Send the periodic tasks (due feeds, jobs) to the workers; start one on "
        "two machines: a Redis lock lets one send, the other stands by."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, loglevel, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError("beat: set CELERY_BROKER_URL (docs/operations.md)")
        try:
            lock_url()
        except ValueError as error:
            raise CommandError(str(error)) from error
        app = configured_app()
        app.Beat(
            scheduler="briefings.config.beat:LockedScheduler",
            max_interval=RENEW_SECONDS,
            loglevel=loglevel,
        ).run()
