import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from briefings.ingest.fetch import FetchPolicy
from briefings.ingest.parse import ParseError
from briefings.ingest.sitemap import (
    MAX_ENTRIES,
    expand_index,
    fetch_sitemap,
    parse_sitemap,
)

from .conftest import Route

BASE = "https://paper.example/sitemap-news.xml"
URLSET = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
)

NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>{URLSET}
<url><loc>https://paper.example/news/older</loc>
 <news:news><news:publication><news:name>The Paper</news:name></news:publication>
 <news:publication_date>2024-05-01T09:00:00+08:00</news:publication_date>
 <news:title>Older story</news:title></news:news></url>
<url><loc>https://www.paper.example/news/newer</loc>
 <lastmod>2024-05-02T12:00:00Z</lastmod>
 <image:image><image:loc>https://paper.example/img/1.jpg</image:loc></image:image>
 <news:news><news:publication_date>2024-05-02T10:30:00+08:00</news:publication_date>
 <news:title>Newer &amp; better</news:title></news:news></url>
<url><loc>https://paper.example/news/dated-by-lastmod</loc>
 <lastmod>2024-04-30</lastmod></url>
</urlset>""".encode()


def test_news_sitemap_entries_newest_first_with_titles_and_dates():
    parsed = parse_sitemap(NEWS, BASE)
    assert parsed.kind == "sitemap"
    assert [e.link for e in parsed.entries] == [
        "https://www.paper.example/news/newer",
        "https://paper.example/news/older",
        "https://paper.example/news/dated-by-lastmod",
    ]
    newer, older, by_lastmod = parsed.entries
    assert newer.guid == newer.link
    assert newer.title == "Newer & better"
    assert newer.published == datetime(2024, 5, 2, 2, 30, tzinfo=UTC)
    assert newer.updated == datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
    assert newer.image == "https://paper.example/img/1.jpg"
    assert older.published == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    assert by_lastmod.title == ""
    assert by_lastmod.published == datetime(2024, 4, 30, tzinfo=UTC)


def test_only_http_locations_on_the_sitemaps_own_host_are_kept():
    locs = [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://paper.example/file",
        "file:///etc/passwd",
        "https://elsewhere.example/news/1",
        "https://paper.example:8443/news/other-port",
        "/news/relative-is-resolved",
        "https://paper.example/news/kept",
        "https://paper.example/news/kept",
        "https://paper.example/",
        "https://paper.example/" + "x" * 5000,
        "http://[::1/news/unreadable",
        "https://paper.example:99999/news/no-port",
    ]
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    parsed = parse_sitemap(f"{URLSET}{urls}</urlset>".encode(), BASE)
    assert [e.link for e in parsed.entries] == [
        "https://paper.example/news/relative-is-resolved",
        "https://paper.example/news/kept",
    ]


def test_sitemap_index_lists_children_most_recent_first():
    index = b"""<?xml version="1.0"?>
    <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://paper.example/sitemap-2023.xml</loc>
      <lastmod>2023-12-31</lastmod></sitemap>
    <sitemap><loc>https://paper.example/sitemap-2024.xml</loc>
      <lastmod>2024-05-01</lastmod></sitemap>
    <sitemap><loc>https://evil.example/sitemap.xml</loc></sitemap>
    </sitemapindex>"""
    parsed = parse_sitemap(index, "https://paper.example/sitemap.xml")
    assert parsed.entries == []
    assert parsed.children == [
        "https://paper.example/sitemap-2024.xml",
        "https://paper.example/sitemap-2023.xml",
    ]


def test_index_children_are_followed_up_to_the_cap(site):
    children = "".join(
        f"<sitemap><loc>{site.url(f'/child-{n}.xml')}</loc>"
        f"<lastmod>2024-05-{n + 1:02d}</lastmod></sitemap>"
        for n in range(8)
    )
    site.routes["/index.xml"] = Route(
        f"<sitemapindex>{children}</sitemapindex>".encode()
    )
    for n in range(8):
        body = (
            f"<urlset><url><loc>{site.url(f'/story-{n}')}</loc>"
            f"<lastmod>2024-05-{n + 1:02d}</lastmod></url></urlset>"
        )
        site.routes[f"/child-{n}.xml"] = Route(body.encode())
    site.routes["/child-7.xml"] = Route(b"<urlset><url><loc>", 200)  # truncated

    parsed = fetch_sitemap(site.url("/index.xml"), allow_private=True)

    requested = [path for path, _headers in site.requests]
    assert requested[0] == "/index.xml"
    # The five most recent children are fetched, no more; the broken one is skipped.
    assert sorted(requested[1:]) == [f"/child-{n}.xml" for n in (3, 4, 5, 6, 7)]
    assert [e.link for e in parsed.entries] == [
        site.url(f"/story-{n}") for n in (6, 5, 4, 3)
    ]


def test_expand_index_reports_the_children_that_failed(site):
    site.routes["/ok.xml"] = Route(
        f"<urlset><url><loc>{site.url('/a')}</loc></url></urlset>".encode()
    )
    index = parse_sitemap(
        f"<sitemapindex><sitemap><loc>{site.url('/ok.xml')}</loc></sitemap>"
        f"<sitemap><loc>{site.url('/gone.xml')}</loc></sitemap></sitemapindex>".encode(),
        site.url("/index.xml"),
    )
    merged, errors = expand_index(index, FetchPolicy(allow_private=True))
    assert [e.link for e in merged.entries] == [site.url("/a")]
    assert [url for url, _reason in errors] == [site.url("/gone.xml")]
    assert "404" in errors[0][1]


def test_entries_are_capped_and_the_newest_kept():
    urls = "".join(
        f"<url><loc>https://paper.example/s/{n}</loc>"
        f"<lastmod>{2000 + n % 20}-01-01</lastmod></url>"
        for n in range(200_000)
    )
    parsed = parse_sitemap(f"{URLSET}{urls}</urlset>".encode(), BASE)
    assert len(parsed.entries) == MAX_ENTRIES
    assert {e.published.year for e in parsed.entries} == {2019}


@pytest.mark.parametrize(
    "body",
    [
        b"<urlset><url><loc>https://paper.example/a</loc></url><url><loc>https://pap",
        b"",
        b"<html><body>Just a moment...</body></html>",
        b"\x00\x01\x02 not xml",
    ],
    ids=["truncated", "empty", "challenge-page", "binary"],
)
def test_broken_sitemaps_raise_parse_error(body):
    with pytest.raises(ParseError):
        parse_sitemap(body, BASE)


def test_parsers_take_bytes_only():
    with pytest.raises(TypeError):
        parse_sitemap("/etc/passwd", BASE)


def test_billion_laughs_does_not_expand():
    entities = "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY lol0 "lol">{entities}]>'
        f"{URLSET}<url><loc>https://paper.example/a</loc><news:news>"
        "<news:title>&lol9;</news:title></news:news></url></urlset>"
    ).encode()
    try:
        parsed = parse_sitemap(body, BASE)
    except ParseError:
        return  # libxml2 refusing the amplification is as good an outcome
    assert all("lol" not in e.title for e in parsed.entries)


def test_entities_are_not_resolved_from_files():
    body = (
        '<?xml version="1.0"?><!DOCTYPE urlset ['
        '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"{URLSET}<url><loc>https://paper.example/a</loc><news:news>"
        "<news:title>&xxe;</news:title></news:news></url></urlset>"
    ).encode()
    parsed = parse_sitemap(body, BASE)
    assert "root:" not in parsed.entries[0].title


@pytest.fixture
def listener():
    """A loopback HTTP listener that records any request made to it."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "leaked">')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE urlset SYSTEM "{url}/external.dtd">',
        '<!DOCTYPE urlset [<!ENTITY % ext SYSTEM "{url}/param.dtd"> %ext;]>',
        '<!DOCTYPE urlset [<!ENTITY ext SYSTEM "{url}/entity">]>',
    ],
    ids=["external-dtd", "parameter-entity", "external-entity"],
)
def test_external_dtds_and_entities_are_never_fetched(listener, doctype):
    url, seen = listener
    body = (
        f'<?xml version="1.0"?>{doctype.format(url=url)}'
        f"{URLSET}<url><loc>https://paper.example/a</loc><news:news>"
        "<news:title>&ext;</news:title></news:news></url></urlset>"
    ).encode()
    try:
        parsed = parse_sitemap(body, BASE)
    except ParseError:
        parsed = None
    assert seen == []
    assert parsed is None or all("leaked" not in e.title for e in parsed.entries)


def test_demo_news_sitemap_and_sitemap(demo_server):
    net, server = demo_server
    paper = next(p for p in net.papers if p.items)
    news = fetch_sitemap(f"{server.base_url}/{paper.slug}/sitemap-news.xml", True)
    full = fetch_sitemap(f"{server.base_url}/{paper.slug}/sitemap.xml", True)

    stories = {server.article_url(paper.slug, item): item for item in paper.items}
    assert len(full.entries) == min(len(stories), MAX_ENTRIES)
    assert {e.link for e in full.entries} <= set(stories)  # no homepage
    assert 0 < len(news.entries) <= len(full.entries)
    for entry in news.entries:
        assert entry.title == stories[entry.link].title
        assert entry.published == stories[entry.link].published.astimezone(UTC)
    dates = [e.published for e in full.entries]
    assert dates == sorted(dates, reverse=True)
