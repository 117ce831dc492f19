"""Per-host politeness across processes through Redis (issue #17): three real
`briefings worker` processes polling three papers on one host never have more
requests in flight there than the limit (and, as a control, do without the
shared gate); a Retry-After closes the host for every gate; a killed holder's
slot returns after its lease."""

import signal
import subprocess
import sys
import threading
import time

import pytest
import redis

from briefings.articles.models import Article
from briefings.ingest.politeness import HostDeferred, RedisHostGate
from briefings.network.models import Feed, Publication

from .conftest import LoopbackSite, Route
from .test_celery import BROKERS, send, wait_for
from .test_poller import PAGE, add_feed, rss

REDIS = BROKERS["redis"]
HOST_URL = "http://paper.example:8080/feed"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clean():
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running")

    def wipe():
        for key in client.scan_iter(f"{RedisHostGate.PREFIX}*"):
            client.delete(key)

    wipe()
    yield client
    wipe()


class Counting(LoopbackSite):
    """A site that counts the requests in flight at once, at their peak."""

    def __init__(self):
        super().__init__()
        self.lock, self.now, self.peak = threading.Lock(), 0, 0

    def slow(self, body, seconds):
        def route(handler):
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            time.sleep(seconds)
            with self.lock:
                self.now -= 1
            return Route(body)

        return route


def three_papers_on_one_host(network, site):
    Feed.objects.update(enabled=False)
    feeds = []
    for n, paper in enumerate(Publication.objects.order_by("pk")[:3]):
        prefix = f"p{n}"
        site.routes[f"/feed-{n}"] = Route(rss(site.base_url, 3, prefix=prefix))
        for k in range(1, 4):
            site.routes[f"/{prefix}-{k}"] = site.slow(PAGE, 0.3)
        feeds.append(add_feed(paper, site, path=f"/feed-{n}"))
    return feeds


@pytest.mark.parametrize("shared", [True, False], ids=["redis-gate", "control"])
def test_three_workers_never_exceed_the_host_limit(
    clean, network, tmp_path, shared, request
):
    from .test_celery import Worker, purge

    purge(REDIS)
    site = Counting()
    request.addfinalizer(site.stop)
    feeds = three_papers_on_one_host(network, site)
    # Nine pages of 0.3 s one at a time: well inside a 30 s task.
    env = {"BRIEFINGS_HOST_CONCURRENCY": "1", "CELERY_TASK_TIME_LIMIT": "30"}
    if shared:
        env["BRIEFINGS_HOST_GATE_URL"] = REDIS
    workers = [Worker(REDIS, tmp_path, f"w{n}", env=env) for n in range(3)]
    try:
        for worker in workers:
            assert wait_for(worker.ready, 60), worker.text()
        for feed in feeds:
            send(REDIS, "refresh_feed", feed.pk, queue="ingest")
        stored = lambda: Article.objects.filter(feed__in=feeds).count() == 9  # noqa: E731
        assert wait_for(stored, 90), [w.text()[-2000:] for w in workers]
    finally:
        for worker in workers:
            worker.kill(signal.SIGTERM)
        purge(REDIS)
    if shared:
        assert site.peak == 1
    else:
        assert site.peak > 1  # the test bites: per-process gates let three in


def test_a_retry_after_closes_the_host_for_every_gate(clean):
    first, second = RedisHostGate(REDIS), RedisHostGate(REDIS)
    until = first.defer(HOST_URL, 30)
    assert second.deferred_until(HOST_URL) == until
    with pytest.raises(HostDeferred):
        with second.slot(HOST_URL):
            pass


def test_crawl_delay_spaces_starts_across_gates(clean):
    first, second = RedisHostGate(REDIS, spacing=0, jitter=0), RedisHostGate(REDIS)
    first.set_spacing(HOST_URL, 1.0)
    with first.slot(HOST_URL):
        pass
    started = time.monotonic()
    with second.slot(HOST_URL):
        waited = time.monotonic() - started
    assert 0.8 <= waited < 3


HOLDER = """
import sys, time
from briefings.ingest.politeness import RedisHostGate
gate = RedisHostGate(sys.argv[1], concurrency=1, spacing=0, jitter=0)
gate.SLOT_LEASE = 3.0
with gate.slot(sys.argv[2]):
    print("holding", flush=True)
    time.sleep(600)
"""


def test_a_killed_holders_slot_returns_after_its_lease(clean):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, REDIS, HOST_URL], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline().strip() == b"holding"
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        killed = time.monotonic()
        gate = RedisHostGate(REDIS, concurrency=1, spacing=0, jitter=0)
        with gate.slot(HOST_URL):
            waited = time.monotonic() - killed
    finally:
        holder.kill()
    assert 1.5 <= waited < 6  # not before the dead holder's lease (3 s) ran out
