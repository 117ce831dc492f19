from io import StringIO

import pytest

from django.core.management import call_command

from briefings.ingest.discover import (
    DiscoveredFeed,
    common_feed_paths,
    discover_feeds,
    find_feeds,
)
from briefings.ingest.fetch import FetchError
from briefings.network.models import Feed, Publication

from .conftest import Route

HOME = "https://paper.example/news/index.html"

PAGE = b"""<!doctype html><html><head>
<link rel="stylesheet" type="text/css" href="/site.css">
<link rel="alternate" type="text/html" hreflang="id" href="/id/">
<link rel="alternate" type="application/rss+xml" title=" Top
  stories " href="/rss/top.xml">
<link rel="Alternate NoFollow" type="Application/Atom+XML; charset=utf-8"
  href="atom.xml">
<link rel="alternate" type="application/feed+json" href="//cdn.example/feed.json">
<link rel="alternate" type="application/json" href="/wp-json/">
<link rel="alternate" type="application/rss+xml" href="/rss/top.xml">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="data:text/xml,<rss/>">
<link rel="alternate" type="application/rss+xml" href="ftp://paper.example/f">
<link rel="alternate" type="application/rss+xml">
<link rel="feed" type="application/rss+xml" href="/not-alternate.xml">
</head><body><p>Hello</p></body></html>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>The Paper</title>
<item><title>A story</title><link>https://paper.example/a</link></item>
</channel></rss>"""


def test_discover_feeds_reads_alternate_links_in_order():
    assert discover_feeds(HOME, PAGE) == [
        DiscoveredFeed("https://paper.example/rss/top.xml", "rss", "Top stories"),
        DiscoveredFeed("https://paper.example/news/atom.xml", "atom", ""),
        DiscoveredFeed("https://cdn.example/feed.json", "json", ""),
        DiscoveredFeed("https://paper.example/wp-json/", "json", ""),
    ]


def test_discover_feeds_resolves_against_base_href():
    page = (
        b'<html><head><base href="https://static.paper.example/en/">'
        b'<link rel="alternate" type="application/rss+xml" href="rss.xml">'
        b"</head></html>"
    )
    assert [f.url for f in discover_feeds(HOME, page)] == [
        "https://static.paper.example/en/rss.xml"
    ]
    hostile_base = page.replace(b"https://static.paper.example/en/", b"javascript:x")
    assert [f.url for f in discover_feeds(HOME, hostile_base)] == [
        "https://paper.example/news/rss.xml"
    ]


@pytest.mark.parametrize(
    "html",
    [b"", b"\x00\xff\xfe", b"<html>" + b"<div>" * 200_000, b"plain text"],
    ids=["empty", "binary", "deep-nesting", "text"],
)
def test_discover_feeds_survives_hostile_pages(html):
    assert discover_feeds(HOME, html) == []


def test_discover_feeds_takes_bytes_only():
    with pytest.raises(TypeError):
        discover_feeds(HOME, "https://paper.example/")


def test_common_feed_paths_feeds_first_then_sitemaps():
    paths = common_feed_paths("https://www.thejakartapost.com")
    assert paths[0] == "https://www.thejakartapost.com/feed/"
    assert "https://www.thejakartapost.com/rss.xml" in paths
    assert paths[-3:] == [
        "https://www.thejakartapost.com/sitemap-news.xml",
        "https://www.thejakartapost.com/news-sitemap.xml",
        "https://www.thejakartapost.com/sitemap.xml",
    ]
    assert common_feed_paths("http://127.0.0.1:9/the-nation/")[0] == (
        "http://127.0.0.1:9/the-nation/feed/"
    )


def paths_requested(site):
    return [path for path, _headers in site.requests]


def test_find_feeds_verifies_advertised_feeds_and_stops_there(site):
    site.routes["/"] = Route(
        b'<link rel="alternate" type="application/rss+xml" href="/rss/main">'
        b'<link rel="alternate" type="application/atom+xml" href="/broken.atom">'
    )
    site.routes["/rss/main"] = Route(RSS)
    site.routes["/broken.atom"] = Route(b"<html>Just a moment...</html>")
    found = find_feeds(site.url("/"), allow_private=True)
    assert found == [DiscoveredFeed(site.url("/rss/main"), "rss", "The Paper")]
    assert "/feed/" not in paths_requested(site)


def test_find_feeds_falls_back_to_the_first_common_path_that_is_a_feed(site):
    site.routes["/"] = Route(b"<html><head><title>No feed here</title></head></html>")
    site.routes["/feed/"] = Route(b"<html>a soft 404 page</html>")
    site.routes["/rss.xml"] = Route(RSS)
    site.routes["/feed.xml"] = Route(RSS)
    found = find_feeds(site.url("/"), allow_private=True)
    assert found == [DiscoveredFeed(site.url("/rss.xml"), "rss", "The Paper")]
    requested = paths_requested(site)
    assert "/feed/" in requested and "/rss" in requested
    assert "/feed.xml" not in requested  # stopped at the first real feed


def test_find_feeds_finds_sitemaps_and_obeys_robots(site):
    def news_sitemap():
        return (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.url('/news/1')}</loc></url></urlset>"
        ).encode()

    site.routes["/robots.txt"] = Route(
        b"User-agent: *\nDisallow: /feed/\nDisallow: /rss\n"
        + f"Sitemap: {site.url('/sitemaps/news.xml')}\n".encode()
    )
    site.routes["/"] = Route(b"<html><body>No feed</body></html>")
    site.routes["/sitemaps/news.xml"] = lambda handler: Route(news_sitemap())
    site.routes["/sitemap.xml"] = lambda handler: Route(news_sitemap())
    found = find_feeds(site.url("/"), allow_private=True)
    assert found == [
        DiscoveredFeed(site.url("/sitemaps/news.xml"), "sitemap"),
        DiscoveredFeed(site.url("/sitemap.xml"), "sitemap"),
    ]
    requested = paths_requested(site)
    assert "/feed/" not in requested and "/rss" not in requested
    assert "/rss.xml" not in requested  # /rss prefixes it: also disallowed


def test_find_feeds_respects_a_homepage_closed_by_robots(site):
    site.routes["/robots.txt"] = Route(b"User-agent: Briefings\nDisallow: /\n")
    with pytest.raises(FetchError, match="disallows"):
        find_feeds(site.url("/"), allow_private=True)
    assert paths_requested(site) == ["/robots.txt"]


def test_find_feeds_refuses_private_addresses_by_default(site):
    with pytest.raises(FetchError):
        find_feeds(site.url("/"))
    assert paths_requested(site) == []


def test_find_feeds_on_the_demo_network(demo_server):
    net, server = demo_server
    for paper in net.papers[:3]:
        found = find_feeds(server.homepage_url(paper.slug), allow_private=True)
        assert found[0].url == server.feed_url(paper.slug)
        assert found[0].kind == paper.feed_kind


@pytest.fixture
def paper_without_feed(network, site):
    """A member paper whose feeds all fail, its homepage served on loopback."""
    publication = Publication.objects.get(slug="the-jakarta-post")
    publication.homepage = site.url("/")
    publication.save()
    site.routes["/"] = Route(b"<html>No feed advertised</html>")
    site.routes["/sitemap-news.xml"] = Route(
        f"<urlset><url><loc>{site.url('/news/1')}</loc></url></urlset>".encode()
    )
    return publication


def test_discover_feeds_command_adds_the_sitemap(paper_without_feed, site):
    out = StringIO()
    call_command(
        "discover_feeds",
        "--publication=the-jakarta-post",
        "--allow-private-network",
        stdout=out,
    )
    feed = Feed.objects.get(url=site.url("/sitemap-news.xml"))
    assert feed.publication == paper_without_feed
    assert feed.kind == Feed.Kind.SITEMAP and feed.allow_private_network
    assert feed.enabled and feed.origin == Feed.Origin.MANUAL
    assert f"added {feed.url}" in out.getvalue()


def test_discover_feeds_command_dry_run_adds_nothing(paper_without_feed, site):
    out = StringIO()
    call_command(
        "discover_feeds",
        "--publication=the-jakarta-post",
        "--allow-private-network",
        "--dry-run",
        stdout=out,
    )
    assert not Feed.objects.filter(url=site.url("/sitemap-news.xml")).exists()
    assert "would add" in out.getvalue()


def test_discover_feeds_command_only_probes_papers_without_a_working_feed(
    paper_without_feed, site
):
    # Every other paper has a working (new or healthy) feed, or is disabled.
    Publication.objects.exclude(pk=paper_without_feed.pk).filter(
        feeds__isnull=True
    ).update(enabled=False)
    Feed.objects.filter(publication=paper_without_feed).update(
        health=Feed.Health.FAILING
    )
    out = StringIO()
    call_command("discover_feeds", "--allow-private-network", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("the-jakarta-post: added")
    assert len(out.getvalue().splitlines()) == 1


def test_the_discover_command_obeys_robots_txt_on_redirects(network, site, capsys):
    """`briefings discover_feeds` fetches as ingest does: a feed link that
    redirects to a path robots.txt disallows is refused before it is requested."""
    Publication.objects.filter(slug="dawn").update(
        homepage=site.url("/"), hosts=[site.host]
    )
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /blocked/\n")
    site.routes["/"] = Route(
        b'<link rel="alternate" type="application/rss+xml" href="/rss/main">'
    )
    site.routes["/rss/main"] = Route(b"", 301, {"Location": site.url("/blocked/rss")})
    site.routes["/blocked/rss"] = Route(RSS)
    call_command(
        "discover_feeds", "--publication", "dawn", "--allow-private-network",
        "--dry-run",
    )  # fmt: skip
    assert "/blocked/rss" not in paths_requested(site)
