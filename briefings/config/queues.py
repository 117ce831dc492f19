"""The figures of `briefings queues` (issue #17): what waits on the broker and
in the database, for an operator deciding where to add workers."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from briefings.config.celery import QUEUES, transport_options
from briefings.network.models import Feed


@dataclass
class Figures:
    queues: dict = field(
        default_factory=dict
    )  # name -> messages waiting (None: unknown)
    feeds_due: int = 0
    oldest_due_lag: float | None = None  # seconds the most overdue feed has waited
    leases: int = 0  # feeds being refreshed now
    expired_leases: int = 0  # left by a dead worker, not yet taken over
    deliveries: dict = field(default_factory=dict)  # status -> count, sending editions


def queue_depths(url):
    """Messages waiting per queue on the broker at `url` (None when unknown)."""
    from kombu import Connection

    depths = {}
    with Connection(
        url, connect_timeout=5, transport_options=transport_options()
    ) as connection:
        for name in QUEUES:
            try:
                channel = connection.channel()
                _, count, _ = channel.queue_declare(queue=name, passive=True)
                channel.close()
            except Exception:  # noqa: BLE001 - not declared yet: nothing waits
                count = 0
            depths[name] = count
    return depths


def delivery_counts():
    """Deliveries by status of the editions not sent yet (approved, sending,
    paused). Imported late: config may read every app, none reads config."""
    from briefings.newsletter.models import Delivery, Edition

    open_editions = (Edition.Status.SENDING, Edition.Status.PAUSED)
    rows = (
        Delivery.objects.filter(edition__status__in=open_editions)
        .values("status")
        .annotate(count=Count("pk"))
        .order_by("status")
    )
    return {row["status"]: row["count"] for row in rows}


def collect(now=None):
    now = now or timezone.now()
    figures = Figures()
    if settings.CELERY_BROKER_URL:
        figures.queues = queue_depths(settings.CELERY_BROKER_URL)
    due = Feed.objects.due(now)
    figures.feeds_due = due.count()
    oldest = due.aggregate(oldest=Min("next_check_at"))["oldest"]
    if oldest is not None:
        figures.oldest_due_lag = (now - oldest).total_seconds()
    leased = Feed.objects.exclude(lease_token="")
    figures.leases = leased.filter(lease_expires_at__gt=now).count()
    figures.expired_leases = leased.filter(lease_expires_at__lte=now).count()
    figures.deliveries = delivery_counts()
    return figures
