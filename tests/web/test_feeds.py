"""Atom feeds out, for all stories, a region and a publication."""

import pytest
from lxml import etree

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
    assert items[0].findtext("a:author/a:name", namespaces=ATOM) == "Jane Roe"
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
