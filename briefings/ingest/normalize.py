"""Shape extracted values for storage: clean text, sane dates, capped lengths."""

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefings.articles.text import squash_whitespace

# C0/C1 control characters and NUL, except tab and newline which squash handles;
# lone UTF-16 surrogates (JSON spells them, "\\ud800"), which no UTF-8 encoder,
# hash or database takes.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): one of
# them in a headline or byline reverses what follows it, up to the end of the
# line ("\u202egnp.exe" shows as "exe.png"). One-line fields have no use for
# them; the implicit marks LRM, RLM and ALM (U+200E, U+200F, U+061C) are kept:
# they reorder nothing past the neutral next to them and right-to-left names
# and places need them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BY = re.compile(r"^\s*(?:written\s+)?by[:\s]+", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def strip_control(text):
    """Remove NUL and other control characters from `text`."""
    return _CONTROL.sub("", text or "")


def clean_text(text, limit=None):
    """Return one line of plain text: no tags, no control or bidi characters, capped."""
    text = strip_control(unicodedata.normalize("NFC", text or ""))
    text = _BIDI.sub("", text)
    text = squash_whitespace(html.unescape(_TAG.sub(" ", text)))
    return text[:limit] if limit else text


def clean_byline(text, limit=300):
    """Return a byline without its "By" prefix: "By Jane Doe" becomes "Jane Doe"."""
    return _BY.sub("", clean_text(text), count=1)[:limit]


@dataclass(frozen=True)
class DateResult:
    value: datetime
    flagged: bool = False


# No story of a member paper is older than this: an earlier date is a broken
# one (year 0001 is a CMS's empty date), and dates near the calendar's ends
# overflow any arithmetic on them (a window of days around the date).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def normalize_date(value, fetched_at):
    """Return an aware UTC datetime between EARLIEST and `fetched_at`.

    A missing, unparseable or impossible date (before EARLIEST, or off the
    calendar once moved to UTC: 9999-12-31T23:00-05:00) becomes the fetch time,
    flagged; a future date is clamped to the fetch time (papers' clocks and time
    zones err).
    """
    if value is None:
        return DateResult(fetched_at, flagged=True)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        return DateResult(fetched_at, flagged=True)
    if not EARLIEST <= value <= fetched_at:
        return DateResult(fetched_at, flagged=True)
    return DateResult(value)


_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|ref_src)$"
)


def same_site(a, b):
    """Tell whether two URLs are on the same host (ignoring "www.")."""
    host_a = (urlsplit(a).hostname or "").removeprefix("www.")
    host_b = (urlsplit(b).hostname or "").removeprefix("www.")
    return bool(host_a) and host_a == host_b


def canonical_url(url):
    """Return `url` without tracking parameters or fragment, scheme and host lowered.

    Only http(s) URLs have a canonical form; anything else gives "".
    """
    try:
        parts = urlsplit(strip_control(url).strip())
        port = parts.port  # raises on a port that is no number or past 65535
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(key, value) for key, value in pairs if not _TRACKING.match(key)]
    netloc = parts.hostname.lower()
    if ":" in netloc:
        netloc = f"[{netloc}]"  # an IPv6 address keeps its brackets
    if port and port not in {80, 443}:
        netloc = f"{netloc}:{port}"
    return urlunsplit(
        (parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), "")
    )
