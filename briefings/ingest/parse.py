"""Feed bytes in, entries out (RSS 0.9x/1.0/2.0, Atom, JSON Feed).

Parsers get bytes, never a URL or a path: feedparser fetches URLs and reads
local files when handed a string that looks like one.
"""

import calendar
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from briefings.ingest.normalize import strip_control


class ParseError(Exception):
    """The bytes are not a feed we can read."""


@dataclass
class FeedEntry:
    guid: str
    link: str
    title: str
    summary: str = ""
    content_html: str = ""
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    image: str = ""


@dataclass
class ParsedFeed:
    kind: str
    title: str
    entries: list[FeedEntry]


# UTC offsets in use run from -12:00 to +14:00; "+25:00" is a broken date.
_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)\s*$")


def _datetime(struct, raw=""):
    if not struct:
        return None
    offset = _OFFSET.search(raw or "")
    if offset and int(offset.group(2)) > 14:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _kind(version):
    if version.startswith("atom"):
        return "atom"
    if version.startswith("rss"):
        return "rss"
    return "unknown"


def _image(entry):
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url"):
            return media["url"]
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and link.get("type", "").startswith("image/"):
            return link.get("href", "")
    return ""


def _join(base_url, link):
    """Return `link` made absolute; "" when there is none (an entry without a link
    is not the feed's own URL); a link urljoin cannot read is kept as it is, for
    the pipeline to skip with a reason."""
    if not link:
        return ""
    try:
        return urljoin(base_url, link)
    except ValueError:
        return link


def _entry(raw, base_url):
    link = _join(base_url, raw.get("link", ""))
    content = ""
    if raw.get("content"):
        content = max((c.get("value", "") for c in raw["content"]), key=len)
    return FeedEntry(
        guid=(raw.get("id") or link)[:1000],
        link=link,
        title=raw.get("title", ""),
        summary=raw.get("summary", ""),
        content_html=content,
        author=raw.get("author", ""),
        published=_datetime(raw.get("published_parsed"), raw.get("published", "")),
        updated=_datetime(raw.get("updated_parsed"), raw.get("updated", "")),
        image=_image(raw),
    )


def _text(value):
    """A JSON Feed string field: anything else (a number, an object) counts as
    absent, as the spec types them all as strings. Control characters and lone
    surrogates (JSON spells "\\ud800") are dropped here, before the entry is
    hashed or its HTML sanitized."""
    return strip_control(value) if isinstance(value, str) else ""


def _json_item(item, base_url):
    link = _join(base_url, _text(item.get("url")) or _text(item.get("external_url")))
    authors = item.get("authors")
    if not isinstance(authors, list):
        authors = [item.get("author")]  # JSON Feed 1.0's single author
    guid = item.get("id")
    if isinstance(guid, int) and not isinstance(guid, bool):
        guid = str(guid)  # JSON Feed 1.0 feeds in the wild number their items
    return FeedEntry(
        guid=(_text(guid) or link)[:1000],
        link=link,
        title=_text(item.get("title")),
        summary=_text(item.get("summary")),
        content_html=_text(item.get("content_html")) or _text(item.get("content_text")),
        author=", ".join(_text(a.get("name")) for a in authors if isinstance(a, dict)),
        published=_iso(item.get("date_published")),
        updated=_iso(item.get("date_modified")),
        image=_text(item.get("image")),
    )


def _json_feed(data, base_url):
    """Return the ParsedFeed of a JSON Feed, or None when `data` is not one."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        return None
    items = doc.get("items", [])
    if not isinstance(items, list):
        raise ParseError(
            f"not a feed: JSON Feed items is no list ({type(items).__name__})"
        )
    entries = [_json_item(item, base_url) for item in items if isinstance(item, dict)]
    return ParsedFeed("json", _text(doc.get("title")), entries)


def _iso(value):
    """An RFC 3339 date as an aware UTC datetime; None when unreadable or off the
    calendar once moved to UTC (9999-12-31T23:00:00-05:00)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def parse_feed(data, base_url, content_type=""):
    """Parse feed `data` (bytes) fetched from `base_url`; raise ParseError."""
    if not isinstance(data, bytes):
        raise TypeError("parse_feed takes bytes, never a URL or a path")
    if data.lstrip()[:1] == b"{":
        parsed = _json_feed(data, base_url)
        if parsed is not None:
            return parsed
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    result = feedparser.parse(data, response_headers=headers, sanitize_html=False)
    if not result.get("version"):
        reason = result.get("bozo_exception") or "no RSS, Atom or JSON Feed found"
        raise ParseError(f"not a feed: {reason}"[:500])
    entries = [_entry(raw, base_url) for raw in result.entries]
    return ParsedFeed(_kind(result.version), result.feed.get("title", ""), entries)
