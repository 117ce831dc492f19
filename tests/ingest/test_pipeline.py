"""The pipeline against papers served on loopback: a scripted one, then the demo."""

import pytest

from briefings.articles.models import Article
from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Publication

from .conftest import Route, give_hosts

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<item><title>First &lt;b&gt;story&lt;/b&gt;</title><link>{base}/a?utm_source=rss</link>
<guid>g-1</guid><pubDate>Fri, 22 Nov 2019 14:05:00 +0800</pubDate>
<author>By Jane Roe</author>
<description>Short &lt;script&gt;alert(1)&lt;/script&gt;dek.</description></item>
<item><title>Same story, URL variant</title><link>{base}/a?fbclid=zzz</link>
<guid>g-1</guid></item>
<item><title>No link</title><link>javascript:alert(1)</link><guid>g-3</guid></item>
</channel></rss>"""

PAGE = b"""<html><head><title>First story</title></head><body><nav>Menu</nav>
<article><h1>First story</h1><p>The whole story has several sentences so that the
extractor finds it worth keeping as the body of the article.</p><p>Another paragraph of
the story follows here with more words to read.</p><script>alert(2)</script></article>
</body></html>"""


@pytest.fixture
def paper_feed(network, site):
    publication = Publication.objects.get(slug="the-straits-times")
    give_hosts(publication, site.host)
    site.routes["/rss"] = Route(FEED.format(base=site.base_url).encode())
    site.routes["/a"] = Route(PAGE, headers={"Content-Type": "text/html"})
    return Feed.objects.create(
        publication=publication, url=site.url("/rss"), allow_private_network=True
    )


def test_feed_entries_become_sanitized_articles(paper_feed, site):
    report = refresh(paper_feed)
    assert (report.new, report.skipped, report.error) == (1, 2, "")
    assert any("duplicate" in problem for problem in report.problems)
    article = Article.objects.get()
    assert article.canonical_url == site.url("/a")
    assert article.headline == "First story"
    assert article.byline == "Jane Roe"
    assert "<script" not in article.body_html and "alert" not in article.body_html
    assert "whole story" in article.body_text
    assert article.published_at.isoformat() == "2019-11-22T06:05:00+00:00"
    # Which reading of the page became the body, and why, for editors.
    assert article.extraction_note.startswith("page: precision ")
    assert "also read: recall" in article.extraction_note
    paper_feed.refresh_from_db()
    assert paper_feed.health == Feed.Health.OK and paper_feed.kind == "rss"


def test_rerun_adds_nothing(paper_feed):
    refresh(paper_feed)
    again = refresh(paper_feed)
    assert (again.new, again.updated) == (0, 0)
    assert Article.objects.count() == 1


def test_failing_feed_records_the_reason_and_backs_off(network, site):
    feed = Feed.objects.create(
        publication=Publication.objects.get(slug="dawn"),
        url=site.url("/missing"),
        allow_private_network=True,
    )
    report = refresh(feed)
    feed.refresh_from_db()
    assert "HTTP 404" in report.error
    assert feed.health == Feed.Health.FAILING
    assert "HTTP 404" in feed.last_error
    assert feed.next_check_at > feed.last_checked_at


def test_private_feed_is_refused_without_permission(network, site):
    site.routes["/rss"] = Route(b"<rss/>")
    feed = Feed.objects.create(
        publication=Publication.objects.get(slug="dawn"), url=site.url("/rss")
    )
    report = refresh(feed)
    assert "not a public address" in report.error
    assert site.requests == []


TEASER_PAGE = b"""<html><body><article><h1>First story</h1><p>Subscribe to read the
whole story of the port, which continues for subscribers only.</p></article>
</body></html>"""

FULL_FEED = """<?xml version="1.0"?><rss version="2.0"
xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>P</title>
<item><title>First story</title><link>{base}/a</link><guid>g-1</guid>
<description>Short dek.</description>
<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"""


def test_teaser_page_shorter_than_the_feed_content_loses(network, site):
    body = "".join(
        f"<p>Paragraph {n} of the complete story in the feed.</p>" for n in range(40)
    )
    site.routes["/rss"] = Route(
        FULL_FEED.format(base=site.base_url, body=body).encode()
    )
    site.routes["/a"] = Route(TEASER_PAGE)
    feed = Feed.objects.create(
        publication=give_hosts(Publication.objects.get(slug="dawn"), site.host),
        url=site.url("/rss"),
        allow_private_network=True,
    )
    refresh(feed)
    article = Article.objects.get()
    assert "Paragraph 39 of the complete story" in article.body_text
    assert "Subscribe to read" not in article.body_text
    assert article.status == Article.Status.FULL
    assert article.extraction_note.startswith("feed's content: the page's reading")
    assert "is a teaser beside the feed's" in article.extraction_note
