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


def _entry(raw, base_url):
    link = urljoin(base_url, raw.get("link", "") or "")
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


def _json_feed(data, base_url):
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        return None
    entries = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = urljoin(base_url, str(item.get("url") or item.get("external_url") or ""))
        authors = item.get("authors") or (
            [item["author"]] if item.get("author") else []
        )
        entries.append(
            FeedEntry(
                guid=str(item.get("id") or link)[:1000],
                link=link,
                title=str(item.get("title") or ""),
                summary=str(item.get("summary") or ""),
                content_html=str(
                    item.get("content_html") or item.get("content_text") or ""
                ),
                author=", ".join(
                    str(a.get("name", "")) for a in authors if isinstance(a, dict)
                ),
                published=_iso(item.get("date_published")),
                updated=_iso(item.get("date_modified")),
                image=str(item.get("image") or ""),
            )
        )
    return ParsedFeed("json", str(doc.get("title") or ""), entries)


def _iso(value):
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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
