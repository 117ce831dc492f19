"""Read an article page's metadata: JSON-LD NewsArticle first, then OpenGraph
and meta tags, then the page itself (h1, title, <time>, html lang).
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from briefings.ingest.normalize import strip_control

ARTICLE_TYPES = {
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "BackgroundNewsArticle", "BlogPosting", "Report",
    "LiveBlogPosting", "ReviewNewsArticle",
}  # fmt: skip
BYLINE_XPATHS = (
    '//*[@rel="author"]',
    '//*[@itemprop="author"]',
    '//*[contains(concat(" ", @class, " "), " byline ")]',
)
_TITLE_SEPARATOR = re.compile(r"\s+(?:[-|–—·»«]|::)\s+")


def _longest_part(title):
    return max(_TITLE_SEPARATOR.split(title.strip()), key=len)


@dataclass
class PageMetadata:
    headline: str = ""
    dek: str = ""
    byline: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    image: str = ""
    image_caption: str = ""
    language: str = ""
    canonical_url: str = ""
    article_body: str = ""


def parse_datetime(value):
    """Return an aware datetime from an ISO 8601 string, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    if re.fullmatch(r".*[+-]\d{4}", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
        # The paper's offset is kept; a date off the calendar once in UTC
        # (9999-12-31T23:00-05:00) is no date here rather than an overflow later.
        parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed


def _json_ld_objects(tree):
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # RecursionError: [[[[...]]]] nested
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                yield item


def _string(value):
    """A JSON-LD text value: a string, a value object's @value, the first of a
    list; anything else (a number, an object) is no text."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@value")
    return strip_control(value) if isinstance(value, str) else ""


def _types(item):
    kind = item.get("@type", [])
    return {
        k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)
    }


def _names(value):
    """Return the person names in a JSON-LD author value."""
    values = value if isinstance(value, list) else [value]
    names = []
    for author in values:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip() and "://" not in name:
            names.append(name.strip())
    return ", ".join(names)


def _image(value):
    """Return the (URL, caption) of a JSON-LD image: a URL or an ImageObject."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        url = _string(value.get("url")) or _string(value.get("contentUrl"))
        return url, _string(value.get("caption"))
    return _string(value), ""


def _from_json_ld(tree, found):
    for item in _json_ld_objects(tree):
        if not _types(item) & ARTICLE_TYPES:
            continue
        found.headline = found.headline or _string(item.get("headline"))
        found.dek = found.dek or _string(item.get("description"))
        found.byline = found.byline or _names(item.get("author"))
        found.published_at = found.published_at or parse_datetime(
            item.get("datePublished")
        )
        found.updated_at = found.updated_at or parse_datetime(item.get("dateModified"))
        if not found.image:
            found.image, found.image_caption = _image(item.get("image"))
        found.language = found.language or _string(item.get("inLanguage"))
        found.article_body = found.article_body or _string(item.get("articleBody"))
        return


def _meta_tags(tree):
    """Return the page's <meta> values by property, name or itemprop (first wins)."""
    values = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = meta.get(attribute)
            if key:
                values.setdefault(key.strip().lower(), content)
    return values


def _meta(tags, *keys):
    return next((tags[key.lower()] for key in keys if key.lower() in tags), "")


def _from_meta_tags(tree, found):
    tree = _meta_tags(tree)
    found.headline = found.headline or _meta(tree, "og:title", "twitter:title")
    found.dek = found.dek or _meta(
        tree, "og:description", "description", "twitter:description"
    )
    author = _meta(
        tree, "author", "article:author", "byl", "dc.creator", "sailthru.author"
    )
    if author and "://" not in author:
        found.byline = found.byline or author
    found.published_at = found.published_at or parse_datetime(
        _meta(tree, "article:published_time", "datePublished", "pubdate", "date",
              "dc.date", "publish-date", "sailthru.date")
    )  # fmt: skip
    found.updated_at = found.updated_at or parse_datetime(
        _meta(tree, "article:modified_time", "dateModified", "og:updated_time")
    )
    found.image = found.image or _meta(tree, "og:image", "twitter:image")
    found.language = found.language or _meta(tree, "og:locale").replace("_", "-")


def _from_page(tree, found):
    if not found.headline:
        # The article's own <h1>, else the longest part of <title> ("Paper »
        # Headline", "Headline | Paper"), else any <h1>.
        candidates = [
            *(h.text_content() for h in tree.xpath("//article//h1")),
            *(_longest_part(t) for t in tree.xpath("//title/text()")),
            *(h.text_content() for h in tree.xpath("//h1")),
        ]
        found.headline = next((c.strip() for c in candidates if c.strip()), "")
    if not found.byline:
        for xpath in BYLINE_XPATHS:
            nodes = tree.xpath(xpath)
            if nodes and nodes[0].text_content().strip():
                found.byline = nodes[0].text_content()
                break
    if not found.published_at:
        for value in tree.xpath("//time/@datetime"):
            found.published_at = parse_datetime(value)
            if found.published_at:
                break
    found.language = found.language or (tree.xpath("/html/@lang") or [""])[0]


def _absolute(url, link):
    """`link` made absolute against `url`; "" when urljoin cannot read it
    ("http://[::1" raises)."""
    try:
        return urljoin(url, link)
    except ValueError:
        return ""


def read_metadata(tree, url):
    """Return the PageMetadata of the parsed page `tree` found at `url`."""
    found = PageMetadata()
    _from_json_ld(tree, found)
    _from_meta_tags(tree, found)
    _from_page(tree, found)
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    if canonical:
        absolute = _absolute(url, canonical[0].strip())
        if absolute.startswith(("http://", "https://")):
            found.canonical_url = absolute
    if found.image:
        found.image = _absolute(url, found.image)
    found.language = found.language.strip()[:16]
    return found
