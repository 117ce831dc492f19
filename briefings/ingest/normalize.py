"""Shape extracted values for storage: clean text, sane dates, capped lengths."""

import html
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

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


# ── reserved markers (issue #11) ──
# The letters of placeholders the site's own templates reserve: the newsletter's
# subscriber-token placeholder. The email no longer substitutes anything in
# content, but stored content carrying one (or a look-alike: other case or
# separators, zero-width or fullwidth characters, entities, percent escapes)
# would be a trap for any code that ever did again. Spelled here, not imported:
# ingest does not import the newsletter.
RESERVED_MARKERS = ("briefingssubscribertoken",)
_UNIT = re.compile(
    r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
    r"|%[0-9A-Fa-f]{2}|.",
    re.DOTALL,
)
_MARKUP_UNIT = re.compile(r"<[^<>]*>|" + _UNIT.pattern, re.DOTALL)
_NOT_ALNUM = re.compile(r"[\W_]+")
_TAGS = re.compile(r"<[^<>]*>")


def _letters(text):
    """Return `text` as a substitution or a reader might see it: entities and
    percent escapes decoded (twice encoded too), compatibility forms folded,
    letters and digits only."""
    for _ in range(3):
        decoded = unquote(html.unescape(text))
        if decoded == text:
            break
        text = decoded
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def _carries_marker(text, markup):
    letters = _letters(_TAGS.sub(" ", text) if markup else text)
    return any(marker in letters for marker in RESERVED_MARKERS)


def _cut_markers(text, markup):
    """Return `text` without the characters that spell a reserved marker (and
    the junk between them); tags inside a marker stay, so markup stays whole."""
    units = list((_MARKUP_UNIT if markup else _UNIT).finditer(text))
    letters, owner = [], []
    for index, unit in enumerate(units):
        tag = markup and unit.group().startswith("<") and len(unit.group()) > 1
        for letter in "" if tag else _letters(unit.group()):
            letters.append(letter)
            owner.append(index)
    letters, dropped = "".join(letters), set()
    for marker in RESERVED_MARKERS:
        start = letters.find(marker)
        while start != -1:
            span = range(owner[start], owner[start + len(marker) - 1] + 1)
            dropped.update(i for i in span if not units[i].group().startswith("<"))
            start = letters.find(marker, start + len(marker))
    return "".join(u.group() for i, u in enumerate(units) if i not in dropped)


def without_reserved_markers(text, markup=False):
    """Return `text` with every reserved marker and look-alike cut out (`markup`:
    `text` is sanitized HTML, whose tags are not letters). What cannot be cut
    cleanly (spelled across multi-byte or twice-encoded escapes) empties it."""
    for _ in range(4):  # a cut may join two halves into a new marker
        if not text or not _carries_marker(text, markup):
            return text
        text = _cut_markers(text, markup)
    return ""


def record_without_reserved_markers(record):
    """Return the ArticleRecord `record` with no reserved marker in anything it
    stores; an image URL carrying one is dropped, not edited."""
    texts = ("headline", "dek", "byline", "body_text", "image_caption", "guid")
    texts += ("excerpt",)
    changes = {name: without_reserved_markers(getattr(record, name)) for name in texts}
    for markup in ("body_html", "credit_html"):
        changes[markup] = without_reserved_markers(getattr(record, markup), markup=True)
    for url in ("image", "license_url"):
        if _carries_marker(getattr(record, url), markup=False):
            changes[url] = ""
    return replace(record, **changes)
