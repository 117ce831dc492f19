"""The real client address behind the configured trusted proxies (issue #11)."""

import pytest

from django.test import RequestFactory

PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


def address_of(remote, forwarded=None, proxies=()):
    from django.test import override_settings

    from briefings.throttle.address import client_address

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **extra)
    with override_settings(BRIEFINGS_TRUSTED_PROXIES=list(proxies)):
        return client_address(request)


@pytest.mark.parametrize(
    "remote, forwarded, proxies, expected",
    [
        # No proxy configured: the header is the client's to forge, so ignored.
        ("198.51.100.7", "203.0.113.9", [], "198.51.100.7"),
        # The peer is not a trusted proxy: its header is ignored too.
        ("198.51.100.7", "203.0.113.9", PROXIES, "198.51.100.7"),
        # Behind the proxy: the hop it appended (the rightmost untrusted one).
        ("10.0.0.2", "203.0.113.9", PROXIES, "203.0.113.9"),
        # A reader's forged hops sit left of the one our proxy appends.
        ("10.0.0.2", "1.2.3.4, 192.0.2.1, 203.0.113.9", PROXIES, "203.0.113.9"),
        # Two trusted proxies in a row are skipped.
        ("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.9.9.9", PROXIES, "203.0.113.9"),
        ("10.0.0.2", "garbage, 203.0.113.9", PROXIES, "203.0.113.9"),
        # Garbage where the client's hop should be: the proxy's own address.
        ("10.0.0.2", "203.0.113.9, not-an-ip", PROXIES, "10.0.0.2"),
        ("10.0.0.2", "", PROXIES, "10.0.0.2"),
        ("10.0.0.2", None, PROXIES, "10.0.0.2"),
        # Only trusted hops: the leftmost of them.
        ("10.0.0.2", "10.1.1.1, 10.2.2.2", PROXIES, "10.1.1.1"),
        ("2001:db8:ffff::1", "2001:db8:1:2::5", PROXIES, "2001:db8:1:2::5"),
        ("10.0.0.2", "[2001:db8:1:2::5]:4711", PROXIES, "2001:db8:1:2::5"),
        ("10.0.0.2", "203.0.113.9:4711", PROXIES, "203.0.113.9"),
        ("::ffff:10.0.0.2", "::ffff:203.0.113.9", PROXIES, "203.0.113.9"),
        ("not-an-address", "203.0.113.9", PROXIES, ""),
    ],
)
def test_client_address(remote, forwarded, proxies, expected):
    assert address_of(remote, forwarded, proxies) == expected


def test_a_trusted_proxy_that_is_not_a_network_is_refused_at_start():
    from briefings.throttle.address import trusted_networks

    with pytest.raises(ValueError, match="BRIEFINGS_TRUSTED_PROXIES"):
        trusted_networks(("10.0.0.0/8", "proxy.example"))


@pytest.mark.parametrize(
    "address, expected",
    [
        ("203.0.113.9", ("203.0.113.9/32", "203.0.113.0/24")),
        ("2001:db8:1:2:3:4:5:6", ("2001:db8:1:2::/64", "2001:db8:1::/48")),
        ("", ("", "")),
    ],
)
def test_client_and_network_keys(address, expected):
    from briefings.throttle.address import client_networks

    assert client_networks(address) == expected
