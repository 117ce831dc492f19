"""The scheduler of `briefings run` against papers on loopback (issue #11): a free
worker takes the next due feed at once, a refresh that raises does not stop the
polling, and a poller thread that dies anyway is started again."""

import contextlib
import threading
import time

import pytest

from django.utils import timezone

from briefings.ingest.poller import poll_forever
from briefings.network.models import Feed, Publication

from .conftest import LoopbackSite, Route, give_hosts

PAGE = (
    b"<html><body><article>"
    + b"<p>The body of a perfectly ordinary story, told at some length.</p>" * 5
    + b"</article></body></html>"
)


def rss(base, count, prefix="story"):
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/{prefix}-{n}</link>"
        f"<guid>{prefix}-{n}</guid><description>Story {n} in brief.</description>"
        "</item>"
        for n in range(1, count + 1)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>{items}'
        "</channel></rss>"
    ).encode()


def wait_for(predicate, timeout):
    """Return True as soon as `predicate()` is, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def running(target, **kwargs):
    """Run `target(stop, **kwargs)` in a thread; stop it and wait for it on exit."""
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(stop,), kwargs=kwargs, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=60)


@pytest.fixture
def papers(network):
    """The network's papers with none of their real feeds (no internet here)."""
    Feed.objects.update(enabled=False)
    return Publication.objects.order_by("pk")


@pytest.fixture
def sites():
    made = []

    def make():
        made.append(LoopbackSite())
        return made[-1]

    yield make
    for site in made:
        site.stop()


def add_feed(publication, site, path="/feed", **fields):
    """Add a feed on `site`, which becomes one of the paper's own hosts."""
    give_hosts(publication, *{*publication.hosts, site.host})
    return Feed.objects.create(
        publication=publication,
        url=site.url(path),
        allow_private_network=True,
        **fields,
    )


def polled(feed):
    return Feed.objects.get(pk=feed.pk).last_checked_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_due_feed_never_waits_on_another_papers_slow_pages(papers, sites, settings):
    settings.BRIEFINGS_FETCH_WORKERS = 4
    release = threading.Event()
    slow_site, fast_site = sites(), sites()
    slow_site.routes["/feed"] = Route(rss(slow_site.base_url, 4))

    def slow_page(handler):
        release.wait(5)  # 5 s a page, until the test is over
        return Route(PAGE)

    for n in range(1, 5):
        slow_site.routes[f"/story-{n}"] = slow_page
    fast_site.routes["/feed"] = Route(rss(fast_site.base_url, 1))
    fast_site.routes["/story-1"] = Route(PAGE)
    slow = add_feed(papers[0], slow_site)
    later = timezone.now() + timezone.timedelta(days=1)
    fast = add_feed(papers[1], fast_site, next_check_at=later)
    try:
        with running(poll_forever, interval=0.2):
            assert wait_for(
                lambda: any(
                    path.startswith("/story-") for path, _ in slow_site.requests
                ),
                30,
            ), "the slow paper's pages were never asked for"
            # The fast paper's feed falls due while the slow pages are being read.
            Feed.objects.filter(pk=fast.pk).update(next_check_at=timezone.now())
            assert wait_for(lambda: polled(fast), 12), (
                "the fast paper's due feed waited on the slow paper's pages"
            )
            assert not polled(slow), "the slow refresh was over already"
    finally:
        release.set()
    assert Feed.objects.get(pk=fast.pk).health == Feed.Health.OK


@pytest.mark.django_db(transaction=True)
def test_one_paper_s_many_slow_feeds_hold_one_thread_not_all(papers, sites, settings):
    """A paper with as many slow feeds as the scheduler has threads, all due
    first, must not hold every thread: another paper's due feed is polled while
    they are still being read (one refresh per paper at a time)."""
    settings.BRIEFINGS_FETCH_WORKERS = 4
    release = threading.Event()
    slow_site, fast_site = sites(), sites()

    def slow_feed(handler):
        release.wait(8)  # 8 s an answer, until the test is over
        return Route(rss(slow_site.base_url, 0))

    earlier = timezone.now() - timezone.timedelta(minutes=5)
    slow = []
    for n in range(4):
        slow_site.routes[f"/feed-{n}"] = slow_feed
        slow.append(add_feed(papers[0], slow_site, f"/feed-{n}", next_check_at=earlier))
    fast_site.routes["/feed"] = Route(rss(fast_site.base_url, 0))
    fast = add_feed(papers[1], fast_site, next_check_at=timezone.now())
    try:
        with running(poll_forever, interval=0.2):
            assert wait_for(lambda: polled(fast), 5), (
                "the other paper's due feed waited for the slow paper's feeds"
            )
            assert not any(polled(feed) for feed in slow)
    finally:
        release.set()


@pytest.mark.django_db(transaction=True)
def test_the_poller_outlives_a_refresh_that_raises(papers, sites):
    hostile_site, good_site = sites(), sites()
    hostile_site.routes["/feed"] = Route(rss(hostile_site.base_url, 1))
    good_site.routes["/feed"] = Route(rss(good_site.base_url, 1))
    good_site.routes["/story-1"] = Route(PAGE)
    # A validator httpx cannot send (non-ASCII, as a paper's raw ETag bytes decode):
    # refresh() raises from inside the fetch, before any request goes out.
    hostile = add_feed(papers[0], hostile_site, etag='"caf\u00e9"')
    good = add_feed(papers[1], good_site)

    def checked_at():
        return Feed.objects.get(pk=good.pk).last_checked_at

    with running(poll_forever, interval=0.2):
        assert wait_for(lambda: polled(hostile) and polled(good), 30)
        for _ in range(2):
            before = checked_at()
            Feed.objects.filter(pk=good.pk).update(next_check_at=timezone.now())
            assert wait_for(lambda: checked_at() > before, 15), (  # noqa: B023
                "the poller stopped polling after a refresh raised"
            )
    hostile.refresh_from_db()
    assert hostile.health == Feed.Health.FAILING
    assert (
        "refresh" in hostile.last_error and "UnicodeEncodeError" in hostile.last_error
    )
    # Backed off like any failure: tried once, not again and again.
    assert hostile.error_count == 1 and hostile.next_check_at > timezone.now()
    assert hostile.etag == "", "the next poll starts afresh"
    from briefings.network.models import Heartbeat

    assert Heartbeat.objects.get(name="poller").beat_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_dead_poller_thread_is_started_again(papers, sites):
    from briefings.ingest.system import Supervisor
    from briefings.network.models import Heartbeat

    site = sites()
    site.routes["/feed"] = Route(rss(site.base_url, 1))
    site.routes["/story-1"] = Route(PAGE)
    feed = add_feed(papers[0], site)
    reports = []

    def on_done(report):
        reports.append(report)
        if len(reports) == 1:
            # Not an Exception: it goes through the loop's own handler and ends
            # the thread, as a bug in the loop itself would.
            raise SystemExit("the poller's thread dies")

    stop = threading.Event()
    supervisor = Supervisor(stop, restart_after=0.2)
    supervisor.start("poller", poll_forever, interval=0.2, on_done=on_done)
    watcher = threading.Thread(target=supervisor.watch, args=(0.1,), daemon=True)
    watcher.start()
    try:
        assert wait_for(lambda: len(reports) == 1, 30)
        assert wait_for(lambda: Heartbeat.objects.get(name="poller").restarts, 15)
        Feed.objects.filter(pk=feed.pk).update(next_check_at=timezone.now())
        assert wait_for(lambda: len(reports) == 2, 15), "the poller was not restarted"
    finally:
        stop.set()
        watcher.join(timeout=30)
        supervisor.join(timeout=30)
    heartbeat = Heartbeat.objects.get(name="poller")
    assert (
        heartbeat.restarts == 1 and "the poller's thread dies" in heartbeat.last_crash
    )


def test_a_validator_that_cannot_be_sent_back_is_not_kept(papers, sites):
    """A paper's raw ETag bytes decode to text httpx cannot send (non-ASCII):
    kept, every later poll of the feed would raise before its request."""
    from briefings.ingest.pipeline import refresh

    site = sites()

    # http.server sends header values as Latin-1: "é" goes out as the byte 0xE9.
    site.routes["/feed"] = Route(
        rss(site.base_url, 1),
        headers={
            "ETag": '"caf\u00e9"',
            "Last-Modified": "Fri, 22 Nov 2019 14:05:00 GMT\u00e9",
        },
    )
    site.routes["/story-1"] = Route(PAGE)
    feed = add_feed(papers[0], site)
    assert refresh(feed).error == ""
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ("", "")
    again = refresh(feed)
    assert again.error == "" and again.unchanged == 1
