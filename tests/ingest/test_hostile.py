"""A hostile newspaper on loopback: each attack has an asserted outcome, a clear
error recorded on the feed, other feeds unaffected, nothing executed or stored
that should not be, nothing lost."""

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from briefings.articles.models import Article
from briefings.ingest.fetch import FetchPolicy
from briefings.ingest.pipeline import host_gate, polite_fetch, refresh
from briefings.ingest.politeness import HostDeferred, host_of
from briefings.network.models import Feed, Publication

from .conftest import LoopbackSite, Route, give_hosts

LOOPBACK = FetchPolicy(allow_private=True)

GOOD_ITEM = """<item><title>{title}</title><link>{base}/story-{n}</link>
<guid>story-{n}</guid><pubDate>{date}</pubDate>
<description>{description}</description></item>"""


def rss(base, items="", prolog=""):
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel>'
        f"<title>Hostile</title>{items}</channel></rss>"
    ).encode()


def item(
    base,
    n,
    title="A story",
    date="Fri, 22 Nov 2019 14:05:00 +0800",
    description="Plain text.",
):
    return GOOD_ITEM.format(
        base=base, n=n, title=title, date=date, description=description
    )


@pytest.fixture
def hostile(network, site):
    """A paper whose one feed serves whatever the test puts at /feed."""
    publication = Publication.objects.get(slug="the-nation-thailand")
    give_hosts(publication, site.host)
    feed = Feed.objects.create(
        publication=publication, url=site.url("/feed"), allow_private_network=True
    )
    for n in range(1, 4):
        site.routes[f"/story-{n}"] = Route(
            b"<html><body><article>"
            + b"<p>The body of a perfectly ordinary story, told at length.</p>" * 5
            + b"</article></body></html>"
        )
    return feed


def poll(feed):
    report = refresh(feed)
    feed.refresh_from_db()
    return report


@pytest.fixture
def listener():
    """A TCP listener on loopback that records whether anybody connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits = []

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(conn.recv(200))
                conn.close()
            except OSError:
                pass

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


def test_billion_laughs_does_not_expand(hostile, site):
    lol = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
            for i in range(1, 10)
        )
        + "]>"
    )
    site.routes["/feed"] = Route(
        rss(site.base_url, item(site.base_url, 1, "&lol9;"), lol)
    )
    started = time.monotonic()
    poll(hostile)
    assert time.monotonic() - started < 10
    assert not Article.objects.filter(headline__contains="lollollol").exists()


def test_quadratic_blowup_is_bounded(hostile, site):
    entity = "x" * 100_000
    prolog = f'<!DOCTYPE q [<!ENTITY a "{entity}">]>'
    title = "&a;" * 1000
    site.routes["/feed"] = Route(
        rss(site.base_url, item(site.base_url, 1, title), prolog)
    )
    poll(hostile)
    assert all(len(a.headline) <= 500 for a in Article.objects.all())


def test_xxe_reads_no_file(hostile, site):
    prolog = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    site.routes["/feed"] = Route(
        rss(site.base_url, item(site.base_url, 1, "T &xxe;"), prolog)
    )
    poll(hostile)
    assert not Article.objects.filter(headline__contains="root:").exists()
    assert not Article.objects.filter(body_text__contains="root:").exists()


def test_external_dtd_and_parameter_entities_fetch_nothing(hostile, site, listener):
    port, hits = listener
    prolog = (
        f'<!DOCTYPE x SYSTEM "http://127.0.0.1:{port}/evil.dtd" ['
        f'<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/param">%remote;]>'
    )
    site.routes["/feed"] = Route(rss(site.base_url, item(site.base_url, 1), prolog))
    poll(hostile)
    time.sleep(0.3)
    assert hits == []


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"", "not a feed"),
        (b"<html><body><h1>Checking your browser...</h1></body></html>", "not a feed"),
    ],
)
def test_empty_200_and_challenge_page_hide_nothing(hostile, site, body, reason):
    site.routes["/feed"] = Route(rss(site.base_url, item(site.base_url, 1)))
    poll(hostile)
    assert Article.objects.count() == 1
    site.routes["/feed"] = Route(body, headers={"Content-Type": "text/html"})
    report = poll(hostile)
    assert reason in report.error
    assert hostile.health == Feed.Health.FAILING and reason in hostile.last_error
    assert Article.objects.published().count() == 1


def test_truncated_xml_keeps_the_complete_entries(hostile, site):
    whole = rss(site.base_url, item(site.base_url, 1) + item(site.base_url, 2))
    site.routes["/feed"] = Route(whole[: whole.index(b"<item>", 20) + 200])
    poll(hostile)
    assert Article.objects.filter(headline="A story").count() >= 1


def test_cp1252_bytes_in_a_utf8_feed_are_decoded(hostile, site):
    """Invalid UTF-8 (Windows-1252 bytes in a feed declared UTF-8): the parser
    falls back to Windows-1252, so the words survive and nothing is lost."""
    body = rss(site.base_url, item(site.base_url, 1, "Caf\u00e9 \u2014 news"))
    body = body.replace("Caf\u00e9 \u2014".encode(), b"Caf\xe9 \x97")
    site.routes["/feed"] = Route(body)
    report = poll(hostile)
    assert report.error == ""
    assert Article.objects.get().headline == "Caf\u00e9 \u2014 news"


def test_utf8_declared_as_windows_1252_is_stored_without_control_characters(
    hostile, site
):
    body = rss(site.base_url, item(site.base_url, 1, "Caf\u00e9 \u2014 news"))
    body = body.replace(b'encoding="utf-8"', b'encoding="windows-1252"')
    site.routes["/feed"] = Route(body)
    report = poll(hostile)
    assert report.error == ""
    headline = Article.objects.get().headline
    assert headline.startswith("Caf") and headline.endswith("news")
    assert not any(0x80 <= ord(c) <= 0x9F or ord(c) < 0x20 for c in headline)


def test_nul_and_control_characters_are_stripped(hostile, site):
    site.routes["/feed"] = Route(
        rss(
            site.base_url, item(site.base_url, 1, "Null&#0; here\x01 and\x07 there")
        ).replace(b"&#0;", b"")
    )
    poll(hostile)
    headline = Article.objects.get().headline
    assert "\x00" not in headline and "\x01" not in headline and "\x07" not in headline


def test_huge_title_is_capped(hostile, site):
    site.routes["/feed"] = Route(
        rss(site.base_url, item(site.base_url, 1, "T" * 3_000_000))
    )
    poll(hostile)
    assert len(Article.objects.get().headline) == 500


def test_feed_past_the_cap_is_refused_clearly(hostile, site):
    site.routes["/feed"] = Route(
        rss(site.base_url, item(site.base_url, 1, "T" * 11_000_000))
    )
    report = poll(hostile)
    assert "larger than" in report.error
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "date",
    [
        "yesterday",
        "Fri, 22 Nov 10000 14:05:00 +0800",
        "Fri, 22 Nov 2019 14:05:00 +2500",
        "Wed, 01 Jan 2099 00:00:00 +0000",
    ],
)
def test_strange_dates_become_the_fetch_time_flagged(hostile, site, date):
    site.routes["/feed"] = Route(rss(site.base_url, item(site.base_url, 1, date=date)))
    poll(hostile)
    article = Article.objects.get()
    assert article.date_flagged
    assert article.published_at <= article.fetched_at


def test_hostile_markup_in_content_is_neutralized(hostile, site):
    evil = (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;p onclick=x()&gt;Text&lt;/p&gt;"
        "&lt;iframe src=//evil&gt;&lt;/iframe&gt;"
        "&lt;svg onload=alert(1)&gt;&lt;/svg&gt;"
        "&lt;a href=javascript:alert(1)&gt;link&lt;/a&gt;&lt;form&gt;&lt;/form&gt;"
        "&lt;base href=//evil&gt;&lt;meta http-equiv=refresh content=0&gt;"
    )
    site.routes["/feed"] = Route(
        rss(site.base_url, item(site.base_url, 1, description=evil))
    )
    del site.routes["/story-1"]  # no page: the feed's content is what is kept
    poll(hostile)
    body = Article.objects.get().body_html
    for bad in (
        "<script",
        "onclick",
        "<iframe",
        "<svg",
        "javascript:",
        "<form",
        "<base",
        "<meta",
    ):
        assert bad not in body


def test_a_404_streak_backs_off_and_never_deletes(hostile, site):
    site.routes["/feed"] = Route(rss(site.base_url, item(site.base_url, 1)))
    poll(hostile)
    site.routes["/feed"] = Route(b"gone", 410)
    gaps = []
    for _ in range(3):
        poll(hostile)
        gaps.append(hostile.next_check_at - hostile.last_checked_at)
    assert gaps[0] < gaps[1] < gaps[2]
    assert hostile.error_count == 3 and "HTTP 410" in hostile.last_error
    assert Article.objects.published().count() == 1


@pytest.mark.django_db(transaction=True)
def test_other_feeds_are_unaffected(hostile, site, network):
    from briefings.ingest.poller import refresh_feeds

    site.routes["/feed"] = Route(b"<<<not xml")
    good = Feed.objects.create(
        publication=give_hosts(Publication.objects.get(slug="dawn"), site.host),
        url=site.url("/good"),
        allow_private_network=True,
    )
    site.routes["/good"] = Route(rss(site.base_url, item(site.base_url, 2)))
    reports = refresh_feeds([hostile, good], workers=2)
    assert [bool(r.error) for r in reports] == [True, False]
    assert Article.objects.filter(feed=good).count() == 1


def test_slow_server_hits_the_deadline(hostile, site, settings):
    from briefings.ingest import fetch as fetch_module

    def dribble(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.1)
        return None

    site.routes["/slow"] = lambda handler: (dribble(handler), Route(b""))[1]
    started = time.monotonic()
    with pytest.raises(fetch_module.FetchError, match="within"):
        fetch_module.fetch(
            site.url("/slow"),
            fetch_module.FetchPolicy(deadline=1.0, allow_private=True),
        )
    assert time.monotonic() - started < 5


def test_429_with_retry_after_defers_the_feed_without_an_error(hostile, site):
    site.routes["/feed"] = Route(b"slow down", 429, {"Retry-After": "3600"})
    report = poll(hostile)
    assert report.error.startswith("deferred")
    assert hostile.error_count == 0
    wait = hostile.next_check_at - hostile.last_checked_at
    assert 3500 <= wait.total_seconds() <= 3700
    requests = len(site.requests)
    poll(hostile)  # the host is closed: nothing is sent until the deferral ends
    assert len(site.requests) == requests


def test_robots_txt_closing_the_feed_is_a_clear_error(hostile, site):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /feed\n")
    site.routes["/feed"] = Route(rss(site.base_url, item(site.base_url, 1)))
    report = poll(hostile)
    assert "robots.txt" in report.error
    assert not any(path == "/feed" for path, _ in site.requests)


def test_robots_txt_closing_pages_keeps_the_feeds_content(hostile, site):
    site.routes["/robots.txt"] = Route(b"User-agent: Briefings\nDisallow: /story-\n")
    site.routes["/feed"] = Route(
        rss(site.base_url, item(site.base_url, 1, description="The feed's summary."))
    )
    poll(hostile)
    article = Article.objects.get()
    assert article.body_text == "The feed's summary."
    assert article.status == Article.Status.SUMMARY_ONLY
    assert not any(path.startswith("/story-") for path, _ in site.requests)


@pytest.fixture
def other_site():
    """A second paper's server: another host, with its own robots.txt and gate."""
    other = LoopbackSite()
    yield other
    other.stop()


def test_a_redirect_to_a_path_robots_txt_disallows_is_refused(hostile, site):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /secret\n")
    site.routes["/feed"] = Route(status=302, headers={"Location": "/secret/feed"})
    site.routes["/secret/feed"] = Route(rss(site.base_url, item(site.base_url, 1)))
    report = poll(hostile)
    assert "robots.txt disallows" in report.error
    assert not any(path.startswith("/secret") for path, _ in site.requests)


def test_a_redirect_to_another_host_obeys_that_hosts_robots_txt(
    hostile, site, other_site
):
    other_site.routes["/robots.txt"] = Route(b"User-agent: Briefings\nDisallow: /\n")
    other_site.routes["/feed"] = Route(rss(site.base_url, item(site.base_url, 1)))
    site.routes["/feed"] = Route(
        status=301, headers={"Location": other_site.url("/feed")}
    )
    report = poll(hostile)
    assert "robots.txt disallows" in report.error
    assert [path for path, _ in other_site.requests] == ["/robots.txt"]


def test_a_redirect_to_another_host_waits_for_that_hosts_gate(site, other_site):
    served = []
    other_site.routes["/feed"] = lambda handler: (
        served.append(time.monotonic()) or Route(b"<rss/>")
    )
    site.routes["/feed"] = Route(
        status=302, headers={"Location": other_site.url("/feed")}
    )
    gate = host_gate(True)
    with ExitStack() as held:  # every slot of the other host is busy
        for _ in range(gate.concurrency):
            held.enter_context(gate.slot(other_site.url("/")))
        with ThreadPoolExecutor(1) as pool:
            result = pool.submit(polite_fetch, site.url("/feed"), LOOPBACK)
            time.sleep(0.5)
            released = time.monotonic()
            assert served == [] and not result.done()
            held.close()
            assert result.result(timeout=10).content == b"<rss/>"
    assert served[0] >= released


def test_a_429_after_a_redirect_closes_the_host_that_sent_it(site, other_site):
    other_site.routes["/feed"] = Route(b"busy", 429, {"Retry-After": "600"})
    site.routes["/feed"] = Route(
        status=302, headers={"Location": other_site.url("/feed")}
    )
    with pytest.raises(HostDeferred) as deferred:
        polite_fetch(site.url("/feed"), LOOPBACK)
    assert deferred.value.host == host_of(other_site.base_url)
    gate = host_gate(True)
    assert gate.deferred_until(other_site.url("/")) is not None
    assert gate.deferred_until(site.url("/")) is None


def test_sitemap_children_obey_robots_txt(hostile, site):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private-\n")
    children = ("/private-sitemap.xml", "/sitemap-1.xml")
    site.routes["/feed"] = Route(
        b"<sitemapindex>"
        + b"".join(
            b"<sitemap><loc>%s</loc></sitemap>" % site.url(c).encode() for c in children
        )
        + b"</sitemapindex>"
    )
    for child, n in zip(children, (1, 2), strict=True):
        site.routes[child] = Route(
            b"<urlset><url><loc>%s</loc><news><title>Story</title></news></url>"
            b"</urlset>" % site.url(f"/story-{n}").encode()
        )
    poll(hostile)
    requested = [path for path, _ in site.requests]
    assert "/sitemap-1.xml" in requested
    assert "/private-sitemap.xml" not in requested
    assert [a.canonical_url for a in Article.objects.all()] == [site.url("/story-2")]
