"""The default stays one process, and Celery changes nothing of what is stored
(issue #17): the local runner and two `briefings worker` processes store the
same articles from the same demo papers."""

import signal
import time

import pytest

from django.conf import settings

from briefings.articles.models import Article
from briefings.demo.network import DemoNetwork
from briefings.demo.register import register_demo_feeds
from briefings.demo.server import DemoServer
from briefings.ingest.poller import refresh_feeds
from briefings.network.models import Feed, Publication

from ..conftest import require_demo_corpus
from .test_celery import BROKERS, Worker, broker_is_up, purge, send, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PAPERS = 4  # of the demo's 22: enough to cross papers, few enough to be quick


@pytest.fixture
def demo(network):
    corpus = require_demo_corpus()
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    with DemoServer(net, port=0) as server:
        register_demo_feeds(server, net.papers)
        kept = Publication.objects.order_by("pk")[:PAPERS].values("pk")
        Feed.objects.exclude(publication__in=kept).update(enabled=False)
        yield net, server


def stored():
    return {
        (a.publication_id, a.canonical_url, a.headline, a.body_text, a.published_at)
        for a in Article.objects.all()
    }


def forget_everything():
    Article.objects.all().delete()
    Feed.objects.update(
        etag="",
        last_modified="",
        next_check_at=None,
        last_checked_at=None,
        last_success_at=None,
    )


def test_workers_store_what_the_local_runner_stores(demo, tmp_path):
    url = BROKERS["redis"]
    if not broker_is_up(url):
        pytest.skip("redis is not running")
    feeds = list(Feed.objects.enabled())
    assert len(feeds) >= PAPERS
    reports = refresh_feeds(feeds, workers=2)
    assert [r.error for r in reports if r.error] == []
    local = stored()
    assert len(local) >= 50
    forget_everything()
    purge(url)
    env = {"CELERY_TASK_TIME_LIMIT": "120"}
    workers = [Worker(url, tmp_path, f"w{n}", env=env) for n in range(2)]
    try:
        for worker in workers:
            assert wait_for(worker.ready, 60), worker.text()
        last = [0.0]

        def all_polled():
            if time.monotonic() - last[0] > 2:  # as the beat would
                send(url, "dispatch_due", queue="periodic")
                last[0] = time.monotonic()
            return not Feed.objects.enabled().filter(last_success_at=None).exists()

        assert wait_for(all_polled, 120), [w.text()[-3000:] for w in workers]
        assert wait_for(lambda: not Feed.objects.exclude(lease_token="").exists(), 30)
        # Both workers took feeds.
        assert all("new, 0 updated" in w.text() for w in workers)
    finally:
        for worker in workers:
            worker.kill(signal.SIGTERM)
        purge(url)
    assert stored() == local
