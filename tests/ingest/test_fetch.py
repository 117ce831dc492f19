import gzip

import pytest

from briefings.ingest.fetch import (
    BlockedAddressError,
    FetchError,
    FetchPolicy,
    fetch,
    is_public_address,
)

from .conftest import Route

LOOPBACK = FetchPolicy(allow_private=True)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "::ffff:127.0.0.1", "0.0.0.0", "224.0.0.1", "fe80::1", "fc00::1",
    ],
)  # fmt: skip
def test_private_and_special_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address):
    assert is_public_address(address)


def test_loopback_is_refused_unless_the_source_allows_it(site):
    site.routes["/feed"] = Route(b"<rss/>")
    with pytest.raises(BlockedAddressError, match="not a public address"):
        fetch(site.url("/feed"))
    assert site.requests == []
    assert fetch(site.url("/feed"), LOOPBACK).content == b"<rss/>"


def test_localhost_name_is_refused_too(site):
    with pytest.raises(BlockedAddressError):
        fetch(f"http://localhost:{site.server.server_port}/")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "/etc/passwd", "ftp://example.com/x", "data:,hi",
            "javascript:alert(1)", "gopher://x"],
)  # fmt: skip
def test_only_http_urls_are_fetched(url):
    with pytest.raises(FetchError, match="only http"):
        fetch(url, LOOPBACK)


def test_redirects_are_followed_and_each_hop_checked(site):
    site.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    site.routes["/new"] = Route(b"moved")
    result = fetch(site.url("/old"), LOOPBACK)
    assert (result.content, result.url) == (b"moved", site.url("/new"))


def test_redirect_to_another_scheme_is_refused(site):
    site.routes["/evil"] = Route(status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="only http"):
        fetch(site.url("/evil"), LOOPBACK)


def test_redirect_loop_stops(site):
    site.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    site.routes["/b"] = Route(status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(site.url("/a"), LOOPBACK)
    assert len(site.requests) == 6


def test_body_past_the_cap_is_refused(site):
    site.routes["/big"] = Route(b"x" * 20_000)
    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        fetch(site.url("/big"), FetchPolicy(max_bytes=10_000, allow_private=True))


def test_gzip_bomb_is_capped_on_decoded_bytes(site):
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    site.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="larger than"):
        fetch(site.url("/bomb"), FetchPolicy(max_bytes=1_000_000, allow_private=True))


def test_conditional_get_returns_not_modified(site):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return Route(status=304)
        return Route(b"<rss/>", headers={"ETag": '"v1"'})

    site.routes["/feed"] = conditional
    first = fetch(site.url("/feed"), LOOPBACK)
    assert first.headers["etag"] == '"v1"'
    again = fetch(site.url("/feed"), LOOPBACK, etag='"v1"')
    assert again.not_modified and again.content == b""


def test_error_status_is_a_fetch_error(site):
    site.routes["/gone"] = Route(b"gone", 410)
    with pytest.raises(FetchError, match="HTTP 410"):
        fetch(site.url("/gone"), LOOPBACK)


def test_user_agent_names_briefings_and_a_contact(site):
    site.routes["/"] = Route(b"ok")
    fetch(site.url("/"), LOOPBACK)
    agent = site.requests[0][1]["User-Agent"]
    assert agent.startswith("Briefings/") and "+http" in agent


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "10.0.0.5", "172.16.3.4", "192.168.0.10", "169.254.169.254",
     "100.64.1.1", "::ffff:127.0.0.1"],
)  # fmt: skip
def test_names_resolving_to_private_addresses_are_refused(monkeypatch, address):
    import socket

    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def resolve(host, port, *args, **kwargs):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(BlockedAddressError, match=address.replace(".", r"\.")):
        fetch("http://innocent-looking.example/feed")


def test_public_hop_redirecting_to_a_private_address_is_refused(monkeypatch, site):
    """127.0.0.1 plays a public server here; it redirects to 127.0.0.2, private."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from briefings.ingest import fetch as fetch_module

    seen = []

    class Private(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    private = ThreadingHTTPServer(("127.0.0.2", 0), Private)
    Thread(target=private.serve_forever, daemon=True).start()
    target = f"http://127.0.0.2:{private.server_port}/internal"
    site.routes["/go"] = Route(status=302, headers={"Location": target})
    monkeypatch.setattr(fetch_module, "is_public_address", lambda ip: ip == "127.0.0.1")
    try:
        with pytest.raises(BlockedAddressError, match="127.0.0.2"):
            fetch(site.url("/go"))
    finally:
        private.shutdown()
        private.server_close()
    assert [path for path, _ in site.requests] == ["/go"]
    assert seen == []


def test_brotli_bodies_are_decoded(site):
    import brotli

    site.routes["/br"] = Route(
        brotli.compress(b"<rss/>" * 100), headers={"Content-Encoding": "br"}
    )
    assert fetch(site.url("/br"), LOOPBACK).content == b"<rss/>" * 100
