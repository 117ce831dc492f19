"""One feed cannot hold a worker for long (issue #11): at most so many new entries
and so many seconds per poll; the rest comes at the next polls, soon after, even
when the paper answers conditional GETs."""

import time

import pytest

from django.utils import timezone

from briefings.articles.models import Article
from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Publication

from .conftest import Route, give_hosts

ETAG = '"v1"'


def rss(base, count):
    """A feed of `count` entries, newest (the highest number) first."""
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/story-{n}</link>"
        f"<guid>story-{n}</guid><description>Story {n} in brief.</description>"
        "</item>"
        for n in range(count, 0, -1)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>{items}'
        "</channel></rss>"
    ).encode()


def serve_feed(site, count):
    """Serve the feed at /feed with an ETag, answering 304 when it matches."""
    body = rss(site.base_url, count)

    def answer(handler):
        if handler.headers.get("If-None-Match") == ETAG:
            return Route(b"", 304, {"ETag": ETAG})
        return Route(body, headers={"ETag": ETAG, "Content-Type": "application/xml"})

    site.routes["/feed"] = answer


@pytest.fixture
def feed(network, site):
    return Feed.objects.create(
        publication=give_hosts(Publication.objects.get(slug="the-star"), site.host),
        url=site.url("/feed"),
        allow_private_network=True,
    )


def stored_numbers():
    return sorted(int(url.rsplit("-", 1)[1]) for url in stored_urls())


def stored_urls():
    return Article.objects.values_list("canonical_url", flat=True)


def resumes_soon(feed):
    feed.refresh_from_db()
    return feed.next_check_at <= timezone.now() + timezone.timedelta(minutes=2)


def test_a_huge_feed_is_taken_a_capped_number_of_entries_per_poll(feed, site, settings):
    # The pages are missing (404): each entry is quick, the feed's text is kept.
    settings.BRIEFINGS_FEED_MAX_NEW = 50
    serve_feed(site, 3000)
    first = refresh(feed)
    assert first.new == 50 and Article.objects.count() == 50
    # The newest entries first.
    assert stored_numbers() == list(range(2951, 3001))
    assert any("partial" in problem for problem in first.problems)
    assert resumes_soon(feed) and feed.health == Feed.Health.OK
    assert feed.etag == "", "a validator kept would make the next poll a 304"

    second = refresh(feed)
    assert not second.not_modified
    assert (second.new, second.unchanged) == (50, 50)
    assert stored_numbers() == list(range(2901, 3001))
    assert resumes_soon(feed)


def test_a_feed_whose_pages_are_slow_stops_at_its_time_budget_and_resumes(
    feed, site, settings
):
    settings.BRIEFINGS_FEED_BUDGET = 2

    def slow_page(handler):
        time.sleep(1)
        return Route(
            b"<html><body><article>"
            + b"<p>A slow page with a perfectly ordinary story, told at length.</p>" * 5
            + b"</article></body></html>"
        )

    for n in range(1, 7):
        site.routes[f"/story-{n}"] = slow_page
    serve_feed(site, 6)
    first = refresh(feed)
    assert 1 <= first.new < 6
    assert any("partial" in problem for problem in first.problems)
    assert resumes_soon(feed) and feed.etag == ""

    polls = 1
    while Article.objects.count() < 6 and polls < 6:
        before = Article.objects.count()
        report = refresh(feed)
        polls += 1
        assert not report.not_modified and report.new >= 1
        assert Article.objects.count() > before
    assert Article.objects.count() == 6
    # Once the whole feed is read, its validators are kept again.
    feed.refresh_from_db()
    assert feed.etag == ETAG and not resumes_soon(feed)
