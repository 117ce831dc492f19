"""The one allowlist for stored HTML, and which image URLs a reader's browser may
be sent to (issue #11, item 15)."""

import pytest

from briefings.articles.sanitize import browser_host, is_public_url, sanitize_html

BASE = "https://paper.example/news/story"

# Each makes a reader's browser request an address on the reader's own network
# (their router, a printer, a cloud metadata service) or on ours.
PRIVATE_IMAGES = [
    "http://10.0.0.5/x.png",
    "http://192.168.1.1/x.png",
    "http://172.16.0.1/x.png",
    "http://127.0.0.1/x.png",
    "http://0.0.0.0/x.png",
    "http://100.64.0.1/x.png",
    "http://169.254.169.254/latest/meta-data/",
    "http://224.0.0.1/x.png",
    "http://255.255.255.255/x.png",
    "http://192.0.0.8/x.png",
    "http://198.18.0.1/x.png",
    "http://10.0.0.5:8080/x.png",
    "http://user:pw@10.0.0.5/x.png",
    "https://10.0.0.5./x.png",
    # What a browser reads as an IPv4 address: decimal, hex, octal, short forms.
    "http://2130706433/x.png",
    "http://167772165/x.png",
    "http://0x7f.1/x.png",
    "http://0x7F000001/x.png",
    "http://0177.0.0.1/x.png",
    "http://012.0.0.5/x.png",
    "http://127.1/x.png",
    "http://10.5/x.png",
    # Browsers decode these before they look at the host.
    "http://%31%30.0.0.5/x.png",
    "http://１０.０.０.５/x.png",
    "http://10。0。0。5/x.png",
    "http://10.0.0.&#10;5/x.png",
    "http://10.0.0.5\\@images.example.com/x.png",
    "http://10.0.0.5\\x.png",
    # IPv6 literals off the global unicast range, IPv4 inside IPv6 included.
    "http://[::1]/x.png",
    "http://[::]/x.png",
    "http://[::ffff:10.0.0.5]/x.png",
    "http://[::ffff:7f00:1]/x.png",
    "http://[64:ff9b::a00:5]/x.png",
    "http://[2002:a00:5::1]/x.png",
    "http://[2001::1]/x.png",
    "http://[fe80::1]/x.png",
    "http://[fe80::1%25eth0]/x.png",
    "http://[fd00::1]/x.png",
    "http://[ff02::1]/x.png",
    # Names that resolve to the local network, not on the internet.
    "http://localhost/x.png",
    "http://LOCALHOST./x.png",
    "http://app.localhost/x.png",
    "http://printer.local/x.png",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://router.home.arpa/x.png",
    "http://nas.lan/x.png",
    "http://intranet/x.png",
    "http://intranet./x.png",
]

PUBLIC_IMAGES = [
    "https://images.paper.example/a.jpg",
    "https://cdn.example.com/2024/01/a.jpg?w=800",
    "http://8.8.8.8/x.png",
    # Judged by the public IPv4 address they carry, as the fetcher judges them.
    "http://[::ffff:8.8.8.8]/x.png",
    "http://[64:ff9b::808:808]/x.png",
    "https://[2606:4700::1]/x.png",
    "https://xn--bcher-kva.example/x.png",
]


@pytest.mark.parametrize("url", PRIVATE_IMAGES)
def test_images_on_private_addresses_are_dropped(url):
    clean = sanitize_html(f'<p>ok</p><img src="{url}" alt="a">', BASE)
    assert "<img" not in clean
    assert "ok" in clean


@pytest.mark.parametrize("url", PUBLIC_IMAGES)
def test_images_on_public_hosts_stay(url):
    clean = sanitize_html(f'<p>ok</p><img src="{url}" alt="a">', BASE)
    assert "<img" in clean and 'src="' in clean


@pytest.mark.parametrize(
    "html, base",
    [
        ('<img src="//10.0.0.5/x.png">', BASE),
        ('<img src="/x.png">', "http://10.0.0.5/story"),
        ('<img src="x.png">', "http://localhost/story"),
    ],
)
def test_relative_images_are_judged_where_they_resolve(html, base):
    assert "<img" not in sanitize_html(f"<p>ok</p>{html}", base)


def test_other_fetching_attributes_are_gone():
    clean = sanitize_html(
        '<picture><source srcset="http://10.0.0.5/a.png 1x"><img alt="a" '
        'src="https://paper.example/a.jpg" srcset="http://10.0.0.5/b.png 2x">'
        '</picture><video poster="http://10.0.0.5/p.png" src="http://10.0.0.5/v">'
        '</video><audio src="http://10.0.0.5/a.mp3"></audio>'
        '<p style="background:url(http://10.0.0.5/bg.png)" '
        'background="http://10.0.0.5/bg.png">ok</p>'
        '<link rel="stylesheet" href="http://10.0.0.5/s.css">'
        '<object data="http://10.0.0.5/o"></object>',
        BASE,
    )
    assert "10.0.0.5" not in clean
    assert 'src="https://paper.example/a.jpg"' in clean and "ok" in clean


def test_the_papers_own_private_host_may_be_allowed():
    html = (
        '<img src="http://127.0.0.1:8001/a.png" alt="own">'
        '<img src="http://0x7f.1:8001/b.png" alt="own too">'
        '<img src="http://10.0.0.5/c.png" alt="other">'
    )
    clean = sanitize_html(html, BASE, private_hosts={"127.0.0.1"})
    assert "a.png" in clean and "b.png" in clean and "10.0.0.5" not in clean
    assert "<img" not in sanitize_html(html, BASE)


@pytest.mark.parametrize(
    "url, host",
    [
        ("http://0x7f.1:8001/x", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://Paper.Example./x", "paper.example"),
        ("http://[::FFFF:a00:5]/", "::ffff:a00:5"),
        ("javascript:alert(1)", ""),
        ("http://10.0.0.5\\x", ""),
        ("http://09.0.0.1/", ""),
        ("http:///x", ""),
    ],
)
def test_browser_host(url, host):
    assert browser_host(url) == host


def test_lead_image_check():
    assert is_public_url("https://paper.example/lead.jpg")
    assert not is_public_url("http://10.0.0.5/lead.jpg")
    assert not is_public_url("http://2130706433/lead.jpg")
    assert not is_public_url("data:image/png;base64,AAAA")
    assert not is_public_url("")
    assert is_public_url("http://127.0.0.1:8001/a.jpg", private_hosts={"127.0.0.1"})


@pytest.mark.parametrize(
    "hostile, gone",
    [
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "meta"),
        ("<script>alert(1)</script>", "alert"),
        ('<img src="https://paper.example/a.jpg" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<form action="https://evil.example"><input name="card"></form>', "form"),
        ("<style>body{display:none}</style>", "display"),
    ],
)
def test_the_allowlist_removes_what_runs_or_redirects(hostile, gone):
    clean = sanitize_html(f"<p>ok</p>{hostile}", BASE)
    assert gone not in clean and "ok" in clean
