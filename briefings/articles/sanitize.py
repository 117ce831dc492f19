"""Make outside HTML safe to store and show: the one allowlist every stored body
goes through, whoever wrote it (a member paper's feed or page at ingest, an
editor in the admin: flat pages and article bodies).

An nh3 (ammonia) allowlist: structure and text survive, nothing that runs,
styles or redirects does. Links and images are made absolute first, then only
http(s) (and mailto for links) URLs are kept. An image whose address is not
public is dropped: its URL would make every reader's browser request an
address on the reader's own network (a router, a printer, a cloud metadata
service) or on ours.
"""

import functools
import ipaddress
import re
import unicodedata
from urllib.parse import unquote, urlsplit

import lxml.html
import nh3
from lxml import etree

from briefings.articles.addresses import is_public_address

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
    "ol", "p", "pre", "q", "small", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
# No srcset, poster, background or style: img src is the one URL a reader's
# browser fetches by itself, and is_public_url() judges it.
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
# Their content is dropped with them, not kept as text.
CLEAN_CONTENT_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "template",
}


def _keep_url(private_hosts, tag, attribute, value):
    if attribute not in {"href", "src", "cite"}:
        return value
    if tag == "img" and attribute == "src":
        return value if is_public_url(value, private_hosts) else None
    allowed = (
        ("http://", "https://", "mailto:") if tag == "a" else ("http://", "https://")
    )
    return value if value.strip().lower().startswith(allowed) else None


def _prepare(html, base_url, private_hosts):
    """Make links absolute and drop images on addresses that are not public,
    alt text and all (an image without its source would show its alt text)."""
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html
    if base_url:
        fragment.make_links_absolute(
            base_url, resolve_base_href=False, handle_failures="discard"
        )
    for image in list(fragment.iter("img")):
        if not is_public_url(image.get("src", ""), private_hosts):
            image.drop_tree()
    return "".join(
        [fragment.text or ""]
        + [lxml.html.tostring(child, encoding="unicode") for child in fragment]
    )


def sanitize_html(html, base_url="", private_hosts=frozenset()):
    """Return `html` cut down to the allowlist, with absolute http(s) URLs.

    `private_hosts` (as browser_host() gives them) may serve images even on a
    private address: the paper's own server when the operator allowed its feed
    a private network (the demo network on loopback).
    """
    if not html or not html.strip():
        return ""
    html = _prepare(html, base_url, frozenset(private_hosts))
    # The filter judges image sources again: nh3's HTML parser is the one whose
    # reading of the markup is stored, and it may differ from lxml's.
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=functools.partial(_keep_url, frozenset(private_hosts)),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


INLINE_TAGS = {"a", "abbr", "b", "cite", "em", "i", "small", "strong"}


def sanitize_inline(html, base_url=""):
    """Return `html` as one line of text with its links (a credit line): the
    inline part of the allowlist, no images, no blocks."""
    if not html or not html.strip():
        return ""
    html = _prepare(html, base_url, frozenset())
    cleaned = nh3.clean(
        html,
        tags=INLINE_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes={"a": {"href", "title"}},
        attribute_filter=functools.partial(_keep_url, frozenset()),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return " ".join(cleaned.split())


# ─── Where a reader's browser would go (issue #11, item 15) ─────────────────
# The fetcher checks the address it connects to (ingest/fetch.py); this judges a
# URL as a reader's browser will read it, before any DNS. Both use one deny list
# of addresses (addresses.py).

# Names that resolve on the local network only: RFC 6761 (localhost), RFC 6762
# (mDNS .local), RFC 8375 (home.arpa), ICANN's .internal, and the suffixes home
# routers and intranets use.
_LOCAL_NAMES = ("localhost", "local", "internal", "localdomain", "home.arpa")
_LOCAL_NAMES += ("lan", "home", "corp", "intranet")

# The WHATWG URL Standard's parser, which browsers follow: tab and newline are
# removed anywhere, C0 controls and spaces at the ends; a host is
# percent-decoded and mapped by UTS #46 (full-width digits, ideographic full
# stops); a host whose last label is a number is an IPv4 address, in decimal,
# octal (leading 0) or hex (0x), in one to four parts.
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_FULL_STOPS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_NUMBER_LABEL = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")
_IPV4_PART = {
    16: re.compile(r"[0-9a-fA-F]*"),
    8: re.compile(r"[0-7]*"),
    10: re.compile(r"[0-9]+"),
}
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")


def browser_host(url):
    """Return the host a browser would request `url` from: lowercase, IPv4 in
    dotted form, IPv6 without brackets. Return "" when `url` is not an http(s)
    URL whose host can be read exactly as a browser reads it."""
    url = _URL_NOISE.sub("", url or "").strip(_C0_AND_SPACE)
    if "\\" in url:  # a browser reads it as "/", which moves the host
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a malformed port)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    return _normal_host(parts.hostname)


def _normal_host(host):
    host = unicodedata.normalize("NFKC", unquote(host)).translate(_FULL_STOPS)
    host = host.lower().removesuffix(".")
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))  # a zone ("%eth0") fails too
        except ValueError:
            return ""
    if _NUMBER_LABEL.fullmatch(host.rpartition(".")[2]):
        number = _ipv4_number(host)
        return "" if number is None else str(ipaddress.IPv4Address(number))
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return host if _HOST_NAME.fullmatch(host) else ""


def _ipv4_number(host):
    """Return the address a browser reads in a numeric host, or None (invalid)."""
    parts = host.split(".")
    numbers = [_ipv4_part(part) for part in parts]
    if len(parts) > 4 or None in numbers:
        return None
    *head, last = numbers
    if any(number > 255 for number in head) or last >= 256 ** (5 - len(numbers)):
        return None
    return sum(number << (8 * (3 - i)) for i, number in enumerate(head)) + last


def _ipv4_part(part):
    if part[:2].lower() == "0x":
        base, digits = 16, part[2:]
    elif len(part) > 1 and part.startswith("0"):
        base, digits = 8, part[1:]
    else:
        base, digits = 10, part
    if not _IPV4_PART[base].fullmatch(digits):
        return None
    return int(digits, base) if digits else 0


def is_public_host(host):
    """Tell whether `host` (as browser_host() gives it) is on the public internet:
    a public address, or a name of at least two labels outside the local names.
    A public name may still resolve to a private address; that is the browser's
    and its network's to refuse."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host and not any(
            host == name or host.endswith(f".{name}") for name in _LOCAL_NAMES
        )
    return is_public_address(host)


def is_public_url(url, private_hosts=frozenset()):
    """Tell whether a reader's browser may be sent to `url` (an image source, a
    lead image): http(s), on a public host or on one of `private_hosts`."""
    host = browser_host(url)
    return bool(host) and (host in private_hosts or is_public_host(host))


def paper_private_hosts(feed, *urls):
    """Return the hosts of `feed` and `urls` (the paper's own server) when the
    operator allowed the feed a private network (the demo network on loopback),
    so that its images stay; otherwise no host at all."""
    if feed is None or not feed.allow_private_network:
        return frozenset()
    return frozenset(map(browser_host, (feed.url, *urls))) - {""}
