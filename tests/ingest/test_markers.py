"""A paper cannot store the newsletter's subscriber-token placeholder, nor a
look-alike of it, in anything ingest keeps (issue #11): the email builds its
management links from the template alone, and a placeholder in stored content
would be a trap for any code that ever substituted one again."""

import html
import unicodedata
from urllib.parse import unquote

import pytest

from briefings.articles.models import Article
from briefings.ingest.normalize import without_reserved_markers
from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Publication

from .conftest import Route, give_hosts

PLACEHOLDER = "BRIEFINGS-SUBSCRIBER-TOKEN"
LOOK_ALIKES = [
    PLACEHOLDER,
    "briefings-subscriber-token",
    "BRIEFINGS_SUBSCRIBER_TOKEN",
    "Briefings Subscriber Token",
    "BRIEFINGS-\u200bSUBSCRIBER-\u200dTOKEN",
    "BRIEFINGS\u00adSUBSCRIBER\u2060TOKEN",
    "\uff22\uff32\uff29\uff25\uff26\uff29\uff2e\uff27\uff33-SUBSCRIBER-TOKEN",
    "BRIEFINGS%2DSUBSCRIBER%2DTOKEN",
    "%42RIEFINGS-SUBSCRIBER-TOKEN",
    "BRIEFINGS&#45;SUBSCRIBER&#x2d;TOKEN",
    "B.R.I.E.F.I.N.G.S-S.U.B.S.C.R.I.B.E.R-T.O.K.E.N",
]


def skeleton(text):
    """`text` as a reader or a substitution might see it: entities and percent
    escapes decoded, compatibility forms folded, only letters and digits kept."""
    text = unquote(unquote(html.unescape(html.unescape(text or ""))))
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if c.isalnum())


def carries_marker(text):
    return "briefingssubscribertoken" in skeleton(text)


@pytest.mark.parametrize("mark", LOOK_ALIKES)
def test_no_look_alike_survives(mark):
    kept = without_reserved_markers(f"Before {mark} after")
    assert not carries_marker(kept)
    assert kept.startswith("Before") and kept.endswith("after")


@pytest.mark.parametrize(
    "text",
    ["Briefings for subscribers", "Token economy", "東京 briefings", "subscriber"],
)
def test_ordinary_text_is_kept(text):
    assert without_reserved_markers(text) == text


@pytest.fixture
def hostile(network, site):
    publication = give_hosts(
        Publication.objects.get(slug="the-nation-thailand"), site.host
    )
    return Feed.objects.create(
        publication=publication, url=site.url("/feed"), allow_private_network=True
    )


def test_a_feed_full_of_placeholders_stores_none(hostile, site):
    marks = " ".join(LOOK_ALIKES)
    escaped = html.escape(marks)
    base = site.base_url
    image = f"{base}/img/{PLACEHOLDER}/x.png?t={PLACEHOLDER}"
    site.routes["/feed"] = Route(
        (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
            "<channel><title>Hostile</title><item>"
            f"<title>Headline {escaped}</title><link>{base}/story-1</link>"
            "<guid>story-1</guid><pubDate>Fri, 22 Nov 2019 14:05:00 +0800</pubDate>"
            f"<author>{escaped}</author>"
            f"<description>{html.escape(f'<p>Dek {marks}</p>')}</description>"
            f'<media:content url="{html.escape(image)}" medium="image"/>'
            "</item></channel></rss>"
        ).encode()
    )
    page = (
        "<html><head>"
        f'<meta property="og:image" content="{html.escape(image)}">'
        f'<meta name="description" content="Dek {escaped}">'
        "</head><body><article><h1>Headline</h1>"
        + f"<p>A long paragraph of the story {escaped} told at length.</p>"
        * 6
        + f'<figure><img src="{html.escape(image)}"><figcaption>{escaped}'
        "</figcaption></figure></article></body></html>"
    )
    site.routes["/story-1"] = Route(
        page.encode(), headers={"Content-Type": "text/html"}
    )
    report = refresh(hostile)
    assert report.error == ""
    article = Article.objects.get()
    assert article.headline.startswith("Headline")
    for name in (
        "headline",
        "dek",
        "byline",
        "body_html",
        "body_text",
        "excerpt",
        "image",
        "image_caption",
        "canonical_url",
        "guid",
    ):
        assert not carries_marker(getattr(article, name)), name


def test_markup_keeps_its_tags_when_a_marker_is_cut_out():
    body = "<p>Start BRIEFINGS<b>-SUBSCRIBER</b>-<i>TOKEN</i> end</p>"
    kept = without_reserved_markers(body, markup=True)
    assert kept == "<p>Start <b></b><i></i> end</p>"


def test_what_cannot_be_cut_cleanly_is_emptied():
    twice = "Before BRIEFINGS&amp;#45;SUBSCRIBER&amp;#45;TOKEN after"
    assert without_reserved_markers(twice) == ""
