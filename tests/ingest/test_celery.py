"""Ingest past one machine (issue #17): real `briefings worker` processes on the
Redis and RabbitMQ servers of this machine, refreshing feeds of papers served on
loopback, under the database lease of ingest/lease.py."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from celery import Celery

from briefings.articles.models import Article
from briefings.config.celery import QUEUES
from briefings.ingest.lease import release, take
from briefings.network.models import Feed, Publication
from tests.conftest import subprocess_database_url

from .conftest import LoopbackSite, Route
from .test_poller import PAGE, add_feed, rss, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

# Redis: a database no other suite here uses; RabbitMQ: the default vhost.
BROKERS = {
    "redis": "redis://127.0.0.1:6379/7",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}
TIME_LIMIT = 5  # seconds; a feed's lease is this plus 10 s (lease.MARGIN)


def broker_is_up(url):
    port = 6379 if url.startswith("redis") else 5672
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def purge(url):
    sender = Celery(broker=url)
    with sender.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in QUEUES:
            try:
                channel.queue_purge(queue)
            except Exception:  # noqa: BLE001 - a queue not declared yet
                channel = connection.channel()


@pytest.fixture(params=sorted(BROKERS))
def broker(request):
    url = BROKERS[request.param]
    if not broker_is_up(url):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{request.param} is not running (.ci/run starts it)")
        pytest.skip(f"{request.param} is not running")
    purge(url)
    yield url
    purge(url)


class Worker:
    """A `briefings worker` process (its own process group), its log in a file."""

    def __init__(self, broker, tmp_path, name, queues="ingest,periodic", env=None):
        self.log = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
            "LOG_LEVEL": "INFO",
            **(env or {}),
        }
        command = [sys.executable, "-m", "briefings", "worker", "--queues", queues]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [*command, "-c", "1", "--loglevel", "INFO"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self):
        return self.log.read_text(errors="replace")

    def ready(self):
        return "ready." in self.text()

    def kill(self, sig=signal.SIGKILL):
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)


@pytest.fixture
def workers(broker, tmp_path):
    started = []

    def start(name, **kwargs):
        started.append(Worker(broker, tmp_path, name, **kwargs))
        assert wait_for(started[-1].ready, 60), started[-1].text()
        return started[-1]

    yield start
    for worker in started:
        worker.kill(signal.SIGTERM)


@pytest.fixture
def paper(network):
    Feed.objects.update(enabled=False)  # no internet here
    return Publication.objects.order_by("pk").first()


@pytest.fixture
def site():
    site = LoopbackSite()
    yield site
    site.stop()


def send(broker, task, *args, queue):
    sender = Celery(broker=broker)
    sender.send_task(f"briefings.ingest.tasks.{task}", args, queue=queue)


def feed_requests(site):
    return [path for path, _ in site.requests if path == "/feed"]


def test_a_lease_is_held_once_and_taken_over_only_when_expired(paper, site):
    feed = add_feed(paper, site)
    token = take(feed.pk, "one")
    assert token and take(feed.pk, "two") is None
    Feed.objects.filter(pk=feed.pk).update(lease_expires_at="2000-01-01T00:00Z")
    second = take(feed.pk, "two")
    assert second and second != token
    release(feed.pk, token)  # the old holder's release ends nothing now
    assert Feed.objects.get(pk=feed.pk).lease_owner == "two"
    release(feed.pk, second)
    assert take(feed.pk, "three")


def test_a_duplicated_refresh_message_does_nothing(broker, workers, paper, site):
    gate = threading.Event()

    def slow_feed(handler):
        gate.wait(10)  # until the duplicate has been dropped
        return Route(rss(site.base_url, 3))

    site.routes["/feed"] = slow_feed
    for n in range(1, 4):
        site.routes[f"/story-{n}"] = Route(PAGE)
    feed = add_feed(paper, site)
    first, second = workers("first"), workers("second")
    send(broker, "refresh_feed", feed.pk, queue="ingest")
    assert wait_for(lambda: feed_requests(site), 30)
    send(broker, "refresh_feed", feed.pk, queue="ingest")
    dropped = "leased by another worker, message dropped"
    assert wait_for(lambda: dropped in first.text() + second.text(), 30)
    gate.set()
    assert wait_for(lambda: Article.objects.filter(feed=feed).count() == 3, 60)
    assert wait_for(lambda: Feed.objects.get(pk=feed.pk).lease_token == "", 30)
    assert len(feed_requests(site)) == 1
    assert Feed.objects.get(pk=feed.pk).last_success_at is not None


def test_a_killed_workers_feed_is_taken_over_after_its_lease(
    broker, workers, paper, site
):
    arrived, calls = threading.Event(), []

    def feed_route(handler):
        calls.append(time.monotonic())
        if len(calls) == 1:
            arrived.set()
            time.sleep(30)  # the first worker dies holding this feed
        return Route(rss(site.base_url, 3))

    site.routes["/feed"] = feed_route
    for n in range(1, 4):
        site.routes[f"/story-{n}"] = Route(PAGE)
    feed = add_feed(paper, site)
    doomed = workers("doomed")
    send(broker, "dispatch_due", queue="periodic")
    assert arrived.wait(30), doomed.text()
    doomed.kill()
    killed_at = time.monotonic()
    expires = Feed.objects.get(pk=feed.pk).lease_expires_at
    assert expires is not None  # the dead worker's lease holds the feed
    workers("heir")

    last = [0.0]

    def stored():
        if time.monotonic() - last[0] > 2:  # as the beat would, every few seconds
            send(broker, "dispatch_due", queue="periodic")
            last[0] = time.monotonic()
        return Article.objects.filter(feed=feed).count() == 3

    assert wait_for(stored, 60)
    assert len(calls) == 2
    # Not before the lease ran out: the heir waited for it.
    assert calls[1] - killed_at >= TIME_LIMIT
