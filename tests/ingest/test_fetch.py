import gzip
import ipaddress

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


# Every block of the IANA special-purpose address registries (iana-ipv4-special-
# registry, iana-ipv6-special-registry, as of 2025), plus multicast and the
# deprecated site-local block: none is a newspaper's server.
SPECIAL_IPV4 = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.9/32",
    "192.0.0.10/32", "192.0.0.170/32", "192.0.0.171/32", "192.0.2.0/24",
    "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "240.0.0.0/4", "255.255.255.255/32", "224.0.0.0/4",
]  # fmt: skip
SPECIAL_IPV6 = [
    "::1/128", "::/128", "100::/64", "100:0:0:1::/64", "2001::/23", "2001:1::1/128",
    "2001:1::2/128", "2001:1::3/128", "2001:2::/48", "2001:3::/32", "2001:4:112::/48",
    "2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32",
    "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
    "fec0::/10", "ff00::/8", "64:ff9b:1::/48",
]  # fmt: skip
# Ranges that carry an IPv4 address: `{}` is where it goes.
EMBEDDING = {
    "IPv4-mapped": "::ffff:{}",
    "IPv4-compatible": "::{}",
    "NAT64": "64:ff9b::{}",
    "6to4": "2002:{}::1",
    "Teredo server": "2001:0:{}:0:ffff:f7f7:f7f8",  # client 8.8.8.7, obfuscated
}


def v6_hex(ipv4):
    packed = ipaddress.IPv4Address(ipv4).packed
    return f"{packed[0] << 8 | packed[1]:x}:{packed[2] << 8 | packed[3]:x}"


def embed(form, ipv4):
    if form in {"6to4", "Teredo server"}:
        return form_address(EMBEDDING[form].format(v6_hex(ipv4)))
    return form_address(EMBEDDING[form].format(ipv4))


def form_address(text):
    return str(ipaddress.IPv6Address(text))


def edges(network):
    network = ipaddress.ip_network(network)
    return {str(network.network_address), str(network.broadcast_address)} | {
        str(network.network_address + network.num_addresses // 2)
    }


@pytest.mark.parametrize("network", SPECIAL_IPV4 + SPECIAL_IPV6)
def test_every_special_purpose_block_is_refused(network):
    for address in edges(network):
        assert not is_public_address(address), address


@pytest.mark.parametrize("form", EMBEDDING)
@pytest.mark.parametrize("network", SPECIAL_IPV4)
def test_special_ipv4_inside_a_transition_address_is_refused(form, network):
    for ipv4 in edges(network):
        assert not is_public_address(embed(form, ipv4)), (form, ipv4)


@pytest.mark.parametrize("form", EMBEDDING)
def test_public_ipv4_inside_a_transition_address_is_public(form):
    assert is_public_address(embed(form, "8.8.8.8"))


def test_a_teredo_client_address_is_checked_too():
    # Server 8.8.8.8, client 10.0.0.5 (stored inverted: f5ff:fffa).
    assert not is_public_address("2001:0:808:808:0:ffff:f5ff:fffa")


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a00:5", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:a00:5::1",
     "::a00:5", "::ffff:a00:5", "fec0::1", "64:ff9b:1::a00:5", "::ffff:0:a00:5",
     "fe80::1%1", "4000::1", "::2"],
)  # fmt: skip
def test_the_red_teams_addresses_are_refused(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["64:ff9b::a00:5", "2002:a00:5::1", "fec0::1"])
def test_a_name_resolving_to_a_transition_address_is_refused(monkeypatch, address):
    import socket

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(BlockedAddressError, match="not a public address"):
        fetch("http://innocent-looking.example/feed")


@pytest.mark.parametrize(
    "target", ["[64:ff9b::a00:5]", "[2002:a00:5::1]", "[fec0::1]", "[::a00:5]"]
)
def test_a_redirect_to_a_transition_address_literal_is_refused(
    monkeypatch, site, target
):
    """The red team's hop: 127.0.0.1 plays a public paper here, redirecting to
    an IPv6 literal that a NAT64 gateway or 6to4 relay would carry to 10.0.0.5."""
    from briefings.ingest import fetch as fetch_module

    real = fetch_module.is_public_address
    monkeypatch.setattr(
        fetch_module, "is_public_address", lambda ip: ip == "127.0.0.1" or real(ip)
    )
    site.routes["/go"] = Route(status=302, headers={"Location": f"http://{target}/"})
    with pytest.raises(BlockedAddressError, match="not a public address"):
        fetch(site.url("/go"))
