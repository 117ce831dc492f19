"""A member paper's images must not send readers' browsers into a private network
(issue #11, item 15): the body and the lead image keep public hosts only, and
the paper's own host when the operator allowed its feed a private network (the
demo network on loopback)."""

from html import escape

import pytest

from briefings.articles.models import Article
from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Publication

from .conftest import Route, give_hosts

PRIVATE = [
    "http://10.0.0.5/a.png",
    "http://167772165/b.png",
    "http://0xa.0.0.5/c.png",
    "http://012.0.0.5/d.png",
    "http://127.0.0.2/e.png",
    "http://2130706434/f.png",
    "http://[::ffff:10.0.0.5]/g.png",
    "http://[::1]/h.png",
    "http://localhost/i.png",
    "http://metadata.google.internal/j.png",
    "http://intranet/k.png",
    "http://169.254.169.254/l.png",
]


def body(base):
    images = "".join(f'<img src="{url}" alt="private">' for url in PRIVATE)
    return (
        "<p>The story of the day, told at length for the readers.</p>" * 4
        + images
        + '<img src="https://images.paper.example/public.jpg" alt="public">'
        + f'<img src="{base}/own.jpg" alt="own">'
        + '<img src="/relative.jpg" alt="relative own">'
        + '<img src="https://images.paper.example/p.jpg" '
        'srcset="http://10.0.0.5/2x.png 2x" alt="two sizes">'
    )


def feed_xml(base, lead):
    return f"""<?xml version="1.0"?><rss version="2.0"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>P</title>
    <item><title>Images</title><link>{base}/story</link><guid>img-1</guid>
    <pubDate>Fri, 22 Nov 2019 14:05:00 +0800</pubDate>
    <enclosure url="{escape(lead)}" type="image/jpeg" length="1"/>
    <description>Short.</description>
    <content:encoded>{escape(body(base))}</content:encoded></item>
    </channel></rss>""".encode()


@pytest.fixture
def paper(network, site):
    return Feed.objects.create(
        publication=give_hosts(Publication.objects.get(slug="dawn"), site.host),
        url=site.url("/rss"),
        allow_private_network=True,
    )


def ingest(feed, site, lead):
    site.routes["/rss"] = Route(feed_xml(site.base_url, lead))
    report = refresh(feed)  # the page is a 404: the feed's content is kept
    assert (report.new, report.error) == (1, "")
    return Article.objects.get()


def test_private_images_are_dropped_from_the_stored_body(paper, site):
    article = ingest(paper, site, "https://images.paper.example/lead.jpg")
    stored = article.body_html
    for url in PRIVATE:
        assert url.split("/")[2] not in stored, url
    assert 'alt="private"' not in stored
    assert "2x.png" not in stored and "srcset=" not in stored
    assert "https://images.paper.example/public.jpg" in stored
    # The paper's own server (loopback, allowed for this feed) keeps its images.
    assert f"{site.base_url}/own.jpg" in stored
    assert f"{site.base_url}/relative.jpg" in stored
    assert article.image == "https://images.paper.example/lead.jpg"


@pytest.mark.parametrize(
    "lead", ["http://10.0.0.5/lead.jpg", "http://2130706434/lead.jpg"]
)
def test_a_private_lead_image_is_not_kept(paper, site, lead):
    assert ingest(paper, site, lead).image == ""


def test_the_lead_image_on_the_papers_own_allowed_host_stays(paper, site):
    lead = f"{site.base_url}/lead.jpg"
    assert ingest(paper, site, lead).image == lead
