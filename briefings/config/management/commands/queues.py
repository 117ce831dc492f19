"""`briefings queues`: messages per queue, due feeds and their lag, leases, and
the deliveries of editions being sent (issue #17)."""

from django.core.management.base import BaseCommand

from briefings.config.queues import collect


class Command(BaseCommand):
    help = "Show the work waiting: queue depths, due feeds, leases, deliveries."

    def handle(self, *args, **options):
        figures = collect()
        write = self.stdout.write
        if figures.queues:
            for name, depth in figures.queues.items():
                write(f"queue {name}: {depth} waiting")
        else:
            write("queues: no broker (CELERY_BROKER_URL is empty; one process)")
        lag = figures.oldest_due_lag
        write(f"feeds due: {figures.feeds_due}")
        write(
            "oldest due feed: "
            + ("none" if lag is None else f"waiting {lag:.0f} s")
            + " (feeds never polled not counted)"
        )
        write(f"feed leases: {figures.leases} held, {figures.expired_leases} expired")
        deliveries = figures.deliveries
        write(
            "deliveries of editions being sent: "
            + (", ".join(f"{n} {status}" for status, n in deliveries.items()) or "none")
        )
