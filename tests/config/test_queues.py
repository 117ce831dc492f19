"""`briefings queues` (issue #17) on the Redis and RabbitMQ of this machine."""

from datetime import date, timedelta
from io import StringIO

import pytest
from celery import Celery

from django.core.management import call_command
from django.utils import timezone

from briefings.network.models import Feed
from briefings.newsletter.models import Delivery, Edition, Subscriber
from tests.ingest.test_celery import broker  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_queues_shows_depths_due_feeds_leases_and_deliveries(
    broker,  # noqa: F811 - the fixture imported above
    network,
    settings,
):
    settings.CELERY_BROKER_URL = broker
    sender = Celery(broker=broker)
    for n in range(3):
        sender.send_task("briefings.ingest.tasks.refresh_feed", (n,), queue="ingest")
    sender.send_task("briefings.ingest.tasks.run_periodic", ("x.y",), queue="mail")
    now = timezone.now()
    Feed.objects.update(next_check_at=now + timedelta(hours=1))
    overdue, leased = Feed.objects.enabled().order_by("pk")[:2]
    Feed.objects.filter(pk=overdue.pk).update(
        next_check_at=now - timedelta(seconds=300)
    )
    Feed.objects.filter(pk=leased.pk).update(
        lease_token="t", lease_owner="w", lease_expires_at=now + timedelta(minutes=5)
    )
    edition = Edition.objects.create(date=date(2026, 1, 5), status="sending")
    for n, status in enumerate(["sent", "sent", "queued"]):
        reader = Subscriber.objects.create(email=f"r{n}@example.test")
        Delivery.objects.create(edition=edition, subscriber=reader, status=status)
    out = StringIO()
    call_command("queues", stdout=out)
    text = out.getvalue()
    assert "queue ingest: 3 waiting" in text
    assert "queue mail: 1 waiting" in text
    assert "queue periodic: 0 waiting" in text
    assert "feeds due: 1" in text
    lag = int(text.split("oldest due feed: waiting ")[1].split(" s")[0])
    assert 300 <= lag < 400
    assert "feed leases: 1 held, 0 expired" in text
    assert "deliveries of editions being sent: 1 queued, 2 sent" in text
