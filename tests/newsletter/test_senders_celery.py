"""An edition sent by Celery tasks on the `mail` queue (issue #17): two real
`briefings worker --queues mail` processes on the Redis of this machine (its
keys prefixed "mail-", CELERY_KEY_PREFIX), each task a sender of deliver.py
for a bounded time and then followed by the next, into an aiosmtpd server."""

import collections
import os
import signal

import pytest
import redis

from briefings.newsletter.models import Delivery, Edition
from tests.conftest import subprocess_database_url
from tests.ingest.test_celery import Worker, wait_for
from tests.newsletter.conftest import make_subscribers

pytestmark = pytest.mark.django_db(transaction=True)

BROKER = "redis://127.0.0.1:6379/7"
PREFIX = "mail-test-"
READERS = 400  # about 5 s for two senders, past one part
TIME_LIMIT = 5  # seconds: a part claims for 2.5 s, then the next one goes on


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("Redis is not running (.ci/run starts it)")
        pytest.skip("Redis is not running")

    def clear():
        for key in client.scan_iter(f"{PREFIX}*"):
            client.delete(key)

    clear()
    yield client
    clear()


@pytest.fixture
def celery_app(settings, broker):
    """The project's Celery app, configured from these settings (as a worker
    is) and made current, so tasks sent here reach the workers."""
    from briefings.config.celery import app, configure

    settings.CELERY_BROKER_URL = BROKER
    settings.CELERY_KEY_PREFIX = PREFIX
    settings.CELERY_TASK_TIME_LIMIT = TIME_LIMIT
    before = {
        key: app.conf[key]
        for key in ("broker_url", "broker_transport_options", "task_time_limit")
    }
    configure(app)
    app.set_current()
    yield app
    app.pool.force_close_all()
    app.conf.update(before)


def test_mail_workers_send_one_edition_side_by_side(
    smtp_sink, approved_edition, celery_app, tmp_path
):
    from briefings.newsletter.curate import send_moment
    from briefings.newsletter.schedule import _publish

    readers = make_subscribers(READERS)
    smtp_sink.delay = 0.05
    env = {
        "CELERY_KEY_PREFIX": PREFIX,
        "DATABASE_URL": subprocess_database_url(),
        "EMAIL_URL": f"smtp://{smtp_sink.host}:{smtp_sink.port}",
        "NEWSLETTER_BATCH_SIZE": "10",
        "NEWSLETTER_CONNECTIONS": "2",
        "BRIEFINGS_SITE_URL": "http://testserver",
    }
    workers = [
        Worker(BROKER, tmp_path, name, queues="mail", env=env)
        for name in ("one", "two")
    ]
    try:
        for worker in workers:
            assert wait_for(worker.ready, 60), worker.text()
        # The newsletter's job, as beat runs it: the edition goes to the queue.
        due = send_moment(approved_edition.date)
        edition = _publish(approved_edition, due, due)
        assert edition.status == Edition.Status.SENDING
        editions = Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENT)
        assert wait_for(editions.exists, 120), workers[0].text() + workers[1].text()
    finally:
        for worker in workers:
            worker.kill(signal.SIGTERM)
    copies = collections.Counter(smtp_sink.recipients())
    assert copies == {r.email: 1 for r in readers}
    assert Delivery.objects.filter(status="sent").count() == READERS
    pids = {
        w.split(":")[1] for w in Delivery.objects.values_list("claimed_by", flat=True)
    }
    assert len(pids) >= 2, pids  # both workers sent
    log = workers[0].text() + workers[1].text()
    # parts of TIME_LIMIT * 0.8 s, each followed by the next while work remains
    parts = [
        line
        for line in log.splitlines()
        if "newsletter.tasks.send_part[" in line and "received" in line
    ]
    assert len(parts) > 2, log
