"""Each feed's poll history (issue #18): every refresh leaves one row (when,
how long, what came of it, how many stored, the error), a bounded number per
feed, shown on the feed's page in the desk."""

import pytest

from django.contrib.auth.models import User

from briefings.ingest import pipeline
from briefings.network.models import Feed, FeedPoll, Publication

from .conftest import LoopbackSite, Route

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<item><title>A story</title><link>{base}/story-1</link><guid>s-1</guid>
<description>A story in brief, told in one line.</description></item>
</channel></rss>"""
PAGE = b"""<html><head><title>A story</title></head><body><article><h1>A story</h1>
<p>The first paragraph of a story long enough to be kept by the extraction.</p>
<p>A second paragraph with more words so the body is not too short to keep.</p>
</article></body></html>"""


@pytest.fixture
def served_feed(network):
    site = LoopbackSite()
    site.routes["/feed"] = Route(FEED.replace(b"{base}", site.base_url.encode()))
    site.routes["/story-1"] = Route(PAGE)
    publication = Publication.objects.get(slug="dawn")
    publication.hosts = [site.base_url.split("://")[1]]
    publication.save()
    feed = Feed.objects.create(
        publication=publication, url=site.url("/feed"), allow_private_network=True
    )
    yield site, feed
    site.stop()


@pytest.mark.django_db
def test_each_refresh_leaves_one_history_row(served_feed):
    site, feed = served_feed
    pipeline.refresh(feed)
    site.routes["/feed"] = Route(b"gone", status=500)
    pipeline.refresh(feed)
    polls = list(FeedPoll.objects.filter(feed=feed).order_by("started_at", "pk"))
    assert [p.outcome for p in polls] == ["ok", "failed"]
    assert polls[0].new == 1 and polls[0].error == ""
    assert polls[1].new == 0 and "500" in polls[1].error
    assert all(p.duration_ms >= 0 for p in polls)


@pytest.mark.django_db
def test_the_history_is_bounded_per_feed(served_feed, monkeypatch):
    site, feed = served_feed
    site.routes["/feed"] = Route(b"gone", status=500)
    monkeypatch.setattr("briefings.network.models.POLL_HISTORY", 4)
    for _ in range(7):
        pipeline.refresh(feed)
    assert FeedPoll.objects.filter(feed=feed).count() == 4


@pytest.mark.django_db
def test_the_feed_page_shows_its_history(served_feed, client):
    site, feed = served_feed
    pipeline.refresh(feed)
    site.routes["/feed"] = Route(b"gone", status=500)
    pipeline.refresh(feed)
    client.force_login(User.objects.create_superuser("chief", "c@example.com", "pw"))
    page = client.get(f"/admin/network/feed/{feed.pk}/change/").content.decode()
    assert "Poll history" in page
    assert "failed" in page and "500" in page
    assert page.count('class="poll ') == 2
