"""Atom feeds out, for all stories, a region and a publication."""

import html

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from ..factories import make_article

ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def stories(network):
    make_article("dawn", headline='Karachi <port> & "docks"', byline="Jane Roe")
    make_article("the-korea-herald", headline="Seoul and Tokyo talk trade")


def entries(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    return feed, feed.findall("a:entry", ATOM)


def test_all_stories_feed(client, stories):
    feed, items = entries(client, "/feed/")
    assert feed.findtext("a:title", namespaces=ATOM) == "Eastern Briefings"
    assert [e.findtext("a:title", namespaces=ATOM) for e in items] == [
        'Karachi <port> & "docks"',
        "Seoul and Tokyo talk trade",
    ]
    assert items[0].findtext("a:author/a:name", namespaces=ATOM) == "Jane Roe (Dawn)"
    link = items[0].find("a:link", ATOM).get("href")
    assert link.startswith("http://127.0.0.1:8000/articles/")


@pytest.mark.parametrize(
    "path, titles",
    [
        ("/region/south-asia/feed/", ['Karachi <port> & "docks"']),
        ("/publication/the-korea-herald/feed/", ["Seoul and Tokyo talk trade"]),
        ("/region/southeast-asia/feed/", []),
    ],
)
def test_filtered_feeds(client, stories, path, titles):
    _, items = entries(client, path)
    assert [e.findtext("a:title", namespaces=ATOM) for e in items] == titles


@pytest.mark.parametrize("path", ["/region/atlantis/feed/", "/publication/x/feed/"])
def test_unknown_feeds_are_not_found(client, network, path):
    assert client.get(path).status_code == 404


def test_river_pages_advertise_their_feed(client, stories):
    body = client.get("/region/south-asia/").content.decode()
    assert 'type="application/atom+xml"' in body
    assert 'href="/region/south-asia/feed/"' in body


HOSTILE = "<img src=x onerror=alert(1)>"


def no_element_from(summary_node, parsed, text):
    """Neither lxml (reading the summary as the HTML its type says it is) nor
    feedparser (a feed reader's view) finds an element in `text`; both read it
    back as the text it was."""
    if summary_node.get("type", "text") == "html":
        fragment = lxml_html.fragment_fromstring(summary_node.text, create_parent="p")
        assert len(fragment) == 0, "the summary's text became markup"
        assert fragment.text_content() == text
    else:
        assert summary_node.text == text
    if parsed.type == "text/html":
        assert "<" not in parsed.value  # feedparser hands readers HTML
        assert html.unescape(parsed.value) == text
    else:
        assert parsed.value == text


@pytest.mark.parametrize("field", ["dek", "excerpt"])
def test_hostile_text_in_a_summary_stays_text(client, network, field):
    """A member paper's dek or body holding the literal text of a tag (sent
    escaped, stored as text) must reach feed readers as text, not markup."""
    values = {"dek": "", "excerpt": f"Before {HOSTILE} after"}
    if field == "dek":
        values["dek"] = f"Before {HOSTILE} after"
    make_article("dawn", headline=f"Headline {HOSTILE}", **values)
    response = client.get("/feed/")
    feed = etree.fromstring(response.content)
    (entry,) = feed.findall("a:entry", ATOM)
    parsed = feedparser.parse(response.content)
    (item,) = parsed.entries
    text = f"Before {HOSTILE} after"
    no_element_from(entry.find("a:summary", ATOM), item.summary_detail, text)
    assert item.title == f"Headline {HOSTILE}"  # a title is text in Atom
