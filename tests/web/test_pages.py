"""The reader's pages, through Django's test client."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html

from briefings.articles.models import Article

from ..factories import make_article


def parse(response):
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def texts(tree, css):
    return [" ".join(node.text_content().split()) for node in tree.cssselect(css)]


@pytest.fixture
def stories(network):
    older = make_article(
        "the-korea-herald",
        headline="Seoul and Tokyo talk trade",
        dek="Basic stance remains unchanged for both parties.",
        excerpt="Officials from both capitals met on Friday to discuss exports…",
        published_at=datetime(2019, 11, 22, 3, 0, tzinfo=UTC),
        updated_at=datetime(2019, 11, 22, 3, 0, tzinfo=UTC),
    )
    newer = make_article(
        "dawn",
        headline="Karachi port expands",
        byline="Jane Roe",
        published_at=datetime(2019, 11, 23, 3, 0, tzinfo=UTC),
        updated_at=datetime(2019, 11, 25, 3, 0, tzinfo=UTC),
    )
    return older, newer


def test_home_shows_each_region_s_stories_in_its_section(client, stories):
    tree = parse(client.get("/"))
    assert texts(tree, ".section-title") == ["Northeast Asia", "South Asia"]
    assert texts(tree, ".region-section .card-headline") == [
        "Seoul and Tokyo talk trade",
        "Karachi port expands",
    ]
    card = tree.cssselect(".card")[0]
    assert texts(card, ".card-dek") == [
        "Basic stance remains unchanged for both parties."
    ]
    assert texts(card, ".card-excerpt")[0].endswith("…")
    assert "By The Korea Herald" in texts(card, ".card-by")
    assert "November 22, 2019" in texts(card, "time")


def test_article_page_anatomy(client, stories):
    older, _ = stories
    response = client.get(older.get_absolute_url())
    tree = parse(response)
    assert texts(tree, "h1") == ["Seoul and Tokyo talk trade"]
    assert texts(tree, ".dek") == ["Basic stance remains unchanged for both parties."]
    assert texts(tree, ".byline") == ["Written by The Korea Herald"]  # no author named
    assert texts(tree, ".dates")[0].startswith("Updated: November 22, 2019")
    assert "First paragraph" in texts(tree, ".story-body")[0]
    about = texts(tree, ".about h2")[0]
    assert about == "About the Author: The Korea Herald"
    assert "the nation's largest English-language daily" in texts(tree, ".about")[0]
    assert tree.cssselect("a.original")[0].get("href") == older.canonical_url
    assert tree.cssselect('link[rel="canonical"]')[0].get("href") == older.canonical_url
    newsletter = texts(tree, ".newsletter")[0]
    for words in (
        "Eastern Briefings",
        "All you need to know about Asia",
        "curated stories from 22 Asian newspapers from South, Southeast and "
        "Northeast Asia",
        "View Today's Newsletter Here",
    ):
        assert words in newsletter
    assert "See More on Facebook" in texts(tree, ".social")


def test_article_names_its_author_and_both_dates(client, stories):
    _, newer = stories
    tree = parse(client.get(newer.get_absolute_url()))
    assert texts(tree, ".byline") == ["Written by Jane Roe"]
    dates = texts(tree, ".dates")[0]
    assert "Updated: November 25, 2019" in dates
    assert "First published: November 23, 2019" in dates


def test_article_url_without_slug_redirects(client, stories):
    older, _ = stories
    response = client.get(f"/articles/{older.pk}/")
    assert response.status_code == 301
    assert response["Location"] == older.get_absolute_url()


def test_an_article_has_one_address(client, stories):
    """Zero-padded ids are the same article: one page, not one cache entry each."""
    older, _ = stories
    canonical = older.get_absolute_url()
    for padding in ("0", "00", "000000"):
        padded = canonical.replace(f"/{older.pk}/", f"/{padding}{older.pk}/")
        response = client.get(padded)
        assert response.status_code == 301
        assert response["Location"] == canonical


@pytest.mark.parametrize(
    "path, count",
    [
        ("/region/northeast-asia/", 1),
        ("/region/south-asia/", 1),
        ("/region/southeast-asia/", 0),
        ("/country/kr/", 1),
        ("/publication/dawn/", 1),
    ],
)
def test_filtered_rivers(client, stories, path, count):
    assert len(parse(client.get(path)).cssselect(".card")) == count


def test_publication_page_is_headed_with_its_name_and_its_about_block(client, stories):
    tree = parse(client.get("/publication/the-korea-herald/"))
    assert texts(tree, "h1") == ["The Korea Herald"]
    # On its own page the paper is not "the Author" and does not link to itself.
    assert texts(tree, ".about h2") == ["About The Korea Herald"]
    links = [a.get("href") for a in tree.cssselect(".about a")]
    assert "/publication/the-korea-herald/" not in links


def test_keyset_pagination_is_stable_when_stories_arrive(client, network):
    for _ in range(35):
        make_article("dawn")
    first = parse(client.get("/"))
    next_href = first.cssselect('a[rel="next"]')[0].get("href")
    page_two = texts(parse(client.get("/" + next_href)), ".card-headline")
    make_article(
        "dawn", published_at=Article.objects.latest("published_at").published_at
    )
    assert texts(parse(client.get("/" + next_href)), ".card-headline") == page_two
    assert len(page_two) == 5


@pytest.mark.parametrize(
    "path",
    ["/?before=abc", "/?before=-1", "/?before=99999999999999999999999-1",
     "/region/atlantis/", "/country/zz/", "/publication/nope/", "/articles/999999/x/"],
)  # fmt: skip
def test_bad_requests_are_not_found(client, network, path):
    assert client.get(path).status_code == 404


def test_markup_in_headlines_renders_as_text(client, network):
    evil = make_article(
        "dawn",
        headline='<script>alert("x")</script> & "quotes"',
        dek="<img src=x onerror=alert(1)>",
    )
    body = client.get(evil.get_absolute_url()).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_article_has_share_links_and_related_stories(client, stories):
    older, newer = stories
    near = make_article("the-japan-news", headline="Tokyo markets rally")
    tree = parse(client.get(older.get_absolute_url()))
    assert texts(tree, ".share h2") == ["Enjoyed this story? Share it."]
    labels = texts(tree, ".share a")
    assert labels == ["Facebook", "X", "LinkedIn", "WhatsApp", "Email", "Copy link"]
    copy = tree.cssselect("a.share-copy")[0].get("href")
    assert copy == "http://testserver" + older.get_absolute_url()
    assert texts(tree, ".related-stories .card-headline") == [near.headline]
    assert texts(tree, ".more-stories .card-headline") == [newer.headline]


def test_the_shared_lists_follow_a_story_that_just_arrived(client, stories):
    """The region's newest and the newest elsewhere are remembered per process
    (the same for every page of a region), until an article arrives."""
    older, newer = stories
    assert (
        texts(parse(client.get(older.get_absolute_url())), ".related-stories h3") == []
    )
    near = make_article("the-japan-news", headline="Osaka port reopens")
    far = make_article("the-star", headline="Penang bridge opens")
    tree = parse(client.get(older.get_absolute_url()))
    assert texts(tree, ".related-stories .card-headline") == [near.headline]
    assert texts(tree, ".more-stories .card-headline")[0] == far.headline
    # Another article of the region shares the remembered lists but never lists
    # itself.
    tree = parse(client.get(near.get_absolute_url()))
    assert near.headline not in texts(tree, ".related-stories .card-headline")


def test_article_page_html_and_css_weigh_under_60_kb(client, network):
    from django.contrib.staticfiles import finders

    long_body = "".join(
        f"<p>Paragraph {n} of a long story. " * 8 + "</p>" for n in range(30)
    )
    article = make_article("the-korea-herald", body_html=long_body)
    for _ in range(10):
        make_article("the-korea-herald")
        make_article("dawn")
    html = client.get(article.get_absolute_url()).content
    css = Path(finders.find("web/site.css")).read_bytes()
    js = Path(finders.find("web/share.js")).read_bytes()
    chrome = len(html) - len(long_body.encode()) + len(css) + len(js)
    assert len(html) + len(css) + len(js) < 60_000
    assert chrome < 40_000  # the page around a long story stays light
