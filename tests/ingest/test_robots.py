import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from briefings.ingest.robots import GIVE_UP_AFTER, RETRY_TTL, TTL, RobotsCache

from .conftest import Route

RULES = b"""User-agent: *
Disallow: /

User-agent: Briefings
Disallow: /private/
Allow: /private/press-releases/
Crawl-delay: 2.5

Sitemap: /sitemap-news.xml
Sitemap: https://cdn.example/sitemap.xml
Sitemap: javascript:alert(1)
"""


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def robots_requests(site):
    return [path for path, _headers in site.requests if path == "/robots.txt"]


def test_rules_for_our_product_token_apply(site):
    site.routes["/robots.txt"] = Route(RULES, headers={"Content-Type": "text/plain"})
    robots = RobotsCache()
    assert robots.allowed(site.url("/news/story"), allow_private=True)
    assert not robots.allowed(site.url("/private/memo"), allow_private=True)
    assert robots.allowed(site.url("/private/press-releases/1"), allow_private=True)
    assert robots.crawl_delay(site.url("/"), allow_private=True) == 2.5
    assert robots.sitemaps(site.url("/"), allow_private=True) == [
        site.url("/sitemap-news.xml"),
        "https://cdn.example/sitemap.xml",
    ]
    assert "disallows" in robots.reason(site.url("/private/x"), allow_private=True)


def test_robots_txt_is_fetched_once_per_origin(site):
    site.routes["/robots.txt"] = Route(RULES)
    robots = RobotsCache()
    urls = [site.url(f"/news/{n}") for n in range(20)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda u: robots.allowed(u, allow_private=True), urls))
    assert all(answers)
    assert robots_requests(site) == ["/robots.txt"]


def test_rules_expire_after_the_ttl(site, clock):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /a\n")
    robots = RobotsCache(clock=clock)
    assert not robots.allowed(site.url("/a"), allow_private=True)
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /b\n")
    clock.now += TTL - 1
    assert not robots.allowed(site.url("/a"), allow_private=True)
    clock.now += 2
    assert robots.allowed(site.url("/a"), allow_private=True)
    assert not robots.allowed(site.url("/b"), allow_private=True)
    assert len(robots_requests(site)) == 2


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(404, True), (410, True), (400, True), (401, False), (403, False)],
)
def test_client_errors(site, status, allowed):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /\n", status)
    robots = RobotsCache()
    assert robots.allowed(site.url("/news/1"), allow_private=True) is allowed
    assert robots.crawl_delay(site.url("/"), allow_private=True) is None
    assert robots.sitemaps(site.url("/"), allow_private=True) == []


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_disallow_everything_until_a_retry(site, clock, status):
    site.routes["/robots.txt"] = Route(b"oops", status)
    robots = RobotsCache(clock=clock)
    assert not robots.allowed(site.url("/news/1"), allow_private=True)
    assert "cannot read" in robots.reason(site.url("/news/1"), allow_private=True)
    site.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n")
    clock.now += RETRY_TTL + 1  # retried well before the normal TTL
    assert robots.allowed(site.url("/news/1"), allow_private=True)


def test_unreachable_host_disallows_everything():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    robots = RobotsCache()
    assert not robots.allowed(f"http://127.0.0.1:{port}/news/1", allow_private=True)


def test_last_good_rules_are_kept_while_unreachable(site, clock):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n")
    robots = RobotsCache(clock=clock)
    assert robots.allowed(site.url("/news/1"), allow_private=True)
    site.routes["/robots.txt"] = Route(b"down", 503)
    clock.now += TTL + 1
    assert robots.allowed(site.url("/news/1"), allow_private=True)
    assert not robots.allowed(site.url("/private/1"), allow_private=True)


def test_unreachable_for_thirty_days_means_no_rules(site, clock):
    site.routes["/robots.txt"] = Route(b"down", 503)
    robots = RobotsCache(clock=clock)
    assert not robots.allowed(site.url("/news/1"), allow_private=True)
    clock.now += GIVE_UP_AFTER / 2
    assert not robots.allowed(site.url("/news/1"), allow_private=True)
    clock.now += GIVE_UP_AFTER / 2
    assert robots.allowed(site.url("/news/1"), allow_private=True)


def test_private_addresses_are_refused_unless_allowed(site):
    site.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n")
    robots = RobotsCache()
    assert not robots.allowed(site.url("/news/1"))  # loopback, not allowed
    assert robots_requests(site) == []
    assert robots.allowed(site.url("/news/1"), allow_private=True)


def test_redirected_robots_txt_is_followed(site):
    site.routes["/robots.txt"] = Route(
        b"", 301, {"Location": site.url("/real-robots.txt")}
    )
    site.routes["/real-robots.txt"] = Route(b"User-agent: *\nDisallow: /x\n")
    robots = RobotsCache()
    assert not robots.allowed(site.url("/x"), allow_private=True)
    assert robots.allowed(site.url("/y"), allow_private=True)


def test_only_the_first_500_kib_are_read(site):
    body = (
        b"User-agent: *\nDisallow: /early\n" + b"#" * 600_000 + b"\nDisallow: /late\n"
    )
    site.routes["/robots.txt"] = Route(body)
    robots = RobotsCache()
    assert not robots.allowed(site.url("/early"), allow_private=True)
    assert robots.allowed(site.url("/late"), allow_private=True)


def test_garbage_robots_txt_allows_everything(site):
    site.routes["/robots.txt"] = Route(b"\x00\xff<html>Just a moment...</html>")
    assert RobotsCache().allowed(site.url("/news/1"), allow_private=True)
