"""A paper's own hosts: which URLs are its articles, which are another paper's."""

import pytest

from briefings.network.hosts import HostError, overlaps, owns, parse_host


@pytest.mark.parametrize(
    "url",
    [
        "https://www.dawn.com/news/1",
        "http://dawn.com/news/1",
        "https://WWW.DAWN.COM/news/1",
        "https://www.dawn.com:443/news/1",
    ],
)
def test_a_host_owns_its_urls_with_or_without_www(url):
    assert owns(["www.dawn.com"], url)
    assert owns(["dawn.com"], url)


@pytest.mark.parametrize(
    "url",
    [
        "https://dawn.com.evil.example/news/1",
        "https://evildawn.com/news/1",
        "https://images.dawn.com/news/1",
        "https://www.dawn.com:8443/news/1",
        "https://www.dawn.com@evil.example/news/1",
        "ftp://www.dawn.com/news/1",
        "/news/1",
        "",
    ],
)
def test_other_hosts_ports_and_tricks_are_not_owned(url):
    assert not owns(["www.dawn.com"], url)


def test_a_wildcard_owns_the_domain_and_its_subdomains():
    rules = ["*.inquirer.net"]
    assert owns(rules, "https://newsinfo.inquirer.net/1")
    assert owns(rules, "https://inquirer.net/1")
    assert not owns(rules, "https://notinquirer.net/1")
    assert not owns(rules, "https://inquirer.net.example/1")


def test_a_path_prefix_owns_only_what_is_under_it():
    """The demo network serves every paper from one host, each under its path."""
    rules = ["127.0.0.1:8001/dawn/"]
    assert owns(rules, "http://127.0.0.1:8001/dawn/2026/11/20/story/")
    assert not owns(rules, "http://127.0.0.1:8001/dawn")
    assert not owns(rules, "http://127.0.0.1:8001/dawn-times/story/")
    assert not owns(rules, "http://127.0.0.1:8001/china-daily/story/")
    assert not owns(rules, "http://127.0.0.1:8002/dawn/story/")
    assert not owns(rules, "http://127.0.0.1/dawn/story/")
    # Dot segments are resolved by the client before the request: refused.
    assert not owns(rules, "http://127.0.0.1:8001/dawn/../china-daily/story/")
    assert not owns(rules, "http://127.0.0.1:8001/dawn/%2e%2e/china-daily/story/")


def test_a_prefix_without_its_slash_is_read_as_a_folder():
    assert parse_host("127.0.0.1:8001/dawn") == parse_host("127.0.0.1:8001/dawn/")


@pytest.mark.parametrize(
    "entry",
    [
        "",
        "https://www.dawn.com",
        "www.dawn.com?x=1",
        "*dawn.com",
        "dawn.*.com",
        "*.com",
        "user@dawn.com",
        "dawn.com:http",
        "dawn com",
    ],
)
def test_malformed_entries_are_refused(entry):
    with pytest.raises(HostError):
        parse_host(entry)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("dawn.com", "www.dawn.com", True),
        ("*.inquirer.net", "newsinfo.inquirer.net", True),
        ("dawn.com", "images.dawn.com", False),
        ("127.0.0.1:8001/dawn/", "127.0.0.1:8001/china-daily/", False),
        ("127.0.0.1:8001/", "127.0.0.1:8001/dawn/", True),
        ("127.0.0.1:8001/dawn/", "127.0.0.1:8002/dawn/", False),
    ],
)
def test_overlapping_entries_are_recognized(a, b, expected):
    assert overlaps(parse_host(a), parse_host(b)) is expected
    assert overlaps(parse_host(b), parse_host(a)) is expected


def test_the_admin_cannot_save_a_malformed_entry(network):
    from django.core.exceptions import ValidationError

    from briefings.network.models import Publication

    dawn = Publication.objects.get(slug="dawn")
    dawn.hosts = ["www.dawn.com", "https://images.dawn.com"]
    with pytest.raises(ValidationError, match="not a host"):
        dawn.full_clean()
