"""A real HTTP round trip against the demo server on a free port."""

from __future__ import annotations

import gzip
import socket
from datetime import timedelta
from email.utils import format_datetime

import feedparser
import httpx
import pytest
from lxml import html as lxml_html

from briefings.demo.network import DemoNetwork
from briefings.demo.server import DemoServer, accepts_gzip

from .factories import EVIL_TITLE

IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
def client() -> httpx.Client:
    with httpx.Client(timeout=10) as http:
        yield http


def test_base_url_and_url_helpers(server: DemoServer, network: DemoNetwork) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.port > 0
    paper = network.papers[1]
    item = paper.items[0]
    assert server.homepage_url(paper.slug) == f"{server.base_url}/{paper.slug}/"
    assert server.feed_url(paper.slug) == f"{server.base_url}/{paper.slug}/feed.atom"
    local = paper.local(item.published)
    assert server.article_url(paper.slug, item) == (
        f"{server.base_url}/{paper.slug}/{local:%Y/%m/%d}/"
        f"{item.url_slug}-{item.short_id}/"
    )
    with pytest.raises(KeyError):
        server.feed_url("no-such-paper")


def test_homepage_feed_and_article_round_trip(
    server: DemoServer, network: DemoNetwork, client: httpx.Client
) -> None:
    for paper in network.papers:
        home = client.get(server.homepage_url(paper.slug))
        assert home.status_code == 200
        assert home.headers["content-type"].startswith("text/html")
        tree = lxml_html.fromstring(home.content)
        alternate = tree.xpath("//link[@rel='alternate']")[0]
        assert alternate.get("href") == server.feed_url(paper.slug)
        assert alternate.get("type") in ("application/rss+xml", "application/atom+xml")

        feed = client.get(alternate.get("href"))
        assert feed.status_code == 200
        assert paper.feed_kind in feed.headers["content-type"]
        parsed = feedparser.parse(feed.content)
        assert not parsed.bozo
        assert len(parsed.entries) == len(paper.items)
        offset = paper.local(paper.items[0].published).strftime("%z")
        for entry in parsed.entries:
            assert entry.published.replace(":", "").endswith(offset)

        item = paper.items[0]
        page = client.get(parsed.entries[0].link)
        assert page.status_code == 200
        assert str(page.url) == server.article_url(paper.slug, item)
        text = lxml_html.fromstring(page.content).text_content()
        assert item.title in text
        assert f"Wikinews, {item.original_date.isoformat()}" in text
        assert "Licensed under CC BY 2.5" in text


def test_hostile_title_is_served_escaped(
    server: DemoServer, network: DemoNetwork, client: httpx.Client
) -> None:
    paper, item = next(
        (p, i) for p in network.papers for i in p.items if i.title == EVIL_TITLE
    )
    page = client.get(server.article_url(paper.slug, item))
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert EVIL_TITLE in lxml_html.fromstring(page.content).text_content()


def test_conditional_get_on_feed(
    server: DemoServer, network: DemoNetwork, client: httpx.Client
) -> None:
    url = server.feed_url(network.papers[0].slug)
    first = client.get(url, headers=IDENTITY)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    newest = max(i.modified for i in network.papers[0].items[:50])
    assert last_modified == format_datetime(newest, usegmt=True)

    again = client.get(url, headers={**IDENTITY, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    since = client.get(url, headers={**IDENTITY, "If-Modified-Since": last_modified})
    assert since.status_code == 304

    older = format_datetime(newest - timedelta(seconds=1), usegmt=True)
    changed = client.get(url, headers={**IDENTITY, "If-Modified-Since": older})
    assert changed.status_code == 200 and changed.content == first.content

    other = client.get(url, headers={**IDENTITY, "If-None-Match": '"other"'})
    assert other.status_code == 200

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    revalidated = client.get(
        url,
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
    )
    assert revalidated.status_code == 304


def test_gzip_when_accepted(
    server: DemoServer, network: DemoNetwork, client: httpx.Client
) -> None:
    url = server.homepage_url(network.papers[0].slug)
    plain = client.get(url, headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert zipped.content == plain.content
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as raw:
        body = b"".join(raw.iter_raw())
    assert gzip.decompress(body) == plain.content


def test_accepts_gzip_parsing() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("br, gzip;q=0.5")
    assert accepts_gzip("*")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("")


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-paper/",
        "/alpha-daily/2024/01/01/missing-story-deadbeef/",
        "/alpha-daily/feed.atom",
        "/beta-times/feed.xml",
        "/alpha-daily/../etc/passwd",
    ],
)
def test_unknown_paths_are_404(
    server: DemoServer, client: httpx.Client, path: str
) -> None:
    response = client.get(server.base_url + path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not Found" in response.text


def test_root_index_robots_sitemaps_and_redirect(
    server: DemoServer, network: DemoNetwork, client: httpx.Client
) -> None:
    index = client.get(server.base_url + "/")
    hrefs = {a.get("href") for a in lxml_html.fromstring(index.content).xpath("//a")}
    assert {server.homepage_url(p.slug) for p in network.papers} <= hrefs

    robots = client.get(server.base_url + "/robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {server.base_url}/alpha-daily/sitemap-news.xml" in robots.text

    for name in ("sitemap.xml", "sitemap-news.xml"):
        sitemap = client.get(f"{server.base_url}/alpha-daily/{name}")
        assert sitemap.status_code == 200
        assert sitemap.headers["content-type"].startswith("application/xml")

    moved = client.get(server.base_url + "/alpha-daily")
    assert moved.status_code == 301
    assert moved.headers["location"] == server.homepage_url("alpha-daily")

    head = client.head(server.homepage_url("alpha-daily"), headers=IDENTITY)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0


def test_quiet_by_default(
    server: DemoServer, client: httpx.Client, capfd: pytest.CaptureFixture[str]
) -> None:
    client.get(server.base_url + "/")
    client.get(server.base_url + "/missing")
    assert capfd.readouterr().err == ""


def test_stop_releases_the_port(network: DemoNetwork) -> None:
    demo = DemoServer(network, port=0)
    demo.start()
    assert httpx.get(demo.base_url + "/").status_code == 200
    demo.stop()
    with socket.socket() as probe:
        assert probe.connect_ex((demo.host, demo.port)) != 0
