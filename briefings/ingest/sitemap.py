"""Sitemap bytes in, feed entries out (XML sitemaps, Google News sitemaps, indexes).

A paper with no usable feed still lists its stories in a sitemap. Read it like a
feed: each `<url>` becomes a FeedEntry (link and GUID from `<loc>`, title from
`news:title`, dates from `news:publication_date` and `<lastmod>`), newest first.

Sitemaps are hostile input like everything else: the XML parser resolves no
entity, loads no DTD and touches no network (no billion laughs, no XXE); at most
50,000 `<url>` elements are read (the protocol's own limit) and at most
MAX_ENTRIES kept; only http(s) locations on the sitemap's own host are kept.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from io import BytesIO
from urllib.parse import urljoin, urlsplit

from lxml import etree

from briefings.ingest.fetch import FEED_MAX_BYTES, FetchError, FetchPolicy, fetch
from briefings.ingest.parse import FeedEntry, ParsedFeed, ParseError

MAX_ENTRIES = 1000
MAX_URLS_READ = 50_000  # sitemaps.org: "no more than 50,000 URLs" per file
MAX_CHILDREN = 5
MAX_URL_LENGTH = 2000
MAX_TITLE_LENGTH = 1000


@dataclass
class SitemapFeed(ParsedFeed):
    """A parsed sitemap; `children` lists the sitemaps a sitemap index points to."""

    children: list[str] = field(default_factory=list)


def _hardened_iterparse(data):
    return etree.iterparse(
        BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(element):
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element, *path):
    """Return the stripped text of the first descendant along `path` (local names)."""
    for name in path:
        element = next((c for c in element if _local(c) == name), None)
        if element is None:
            return ""
    return (element.text or "").strip()


def _datetime(text):
    """Parse a W3C datetime (a date, or a date and time, with an offset or Z);
    None when unreadable or off the calendar once moved to UTC."""
    if not text or len(text) > 64:
        return None
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _host(url):
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None
    return host, port


def _location(loc, base_url, home_host):
    """Return the absolute http(s) URL of `loc` when it is on the sitemap's host."""
    if not loc or len(loc) > MAX_URL_LENGTH:
        return ""
    try:
        url = urljoin(base_url, loc)
    except ValueError:  # "http://[::1" is no URL: that location alone is dropped
        return ""
    if urlsplit(url).scheme not in {"http", "https"} or _host(url) != home_host:
        return ""
    return url


def _entry(url_element, base_url, home_host):
    link = _location(_text(url_element, "loc"), base_url, home_host)
    if not link:
        return None
    lastmod = _datetime(_text(url_element, "lastmod"))
    published = _datetime(_text(url_element, "news", "publication_date"))
    image = _location(_text(url_element, "image", "loc"), base_url, home_host)
    return FeedEntry(
        guid=link,
        link=link,
        title=_text(url_element, "news", "title")[:MAX_TITLE_LENGTH],
        published=published or lastmod,
        updated=lastmod,
        image=image,
    )


def _newest_first(entries, limit):
    """Sort entries newest first (undated ones last, in document order), capped."""
    oldest = datetime.min.replace(tzinfo=UTC)
    entries.sort(key=lambda e: e.published or oldest, reverse=True)
    return entries[:limit]


def _is_homepage(link, base_url):
    """Tell whether `link` is the site's root or the sitemap's folder (no story)."""
    path = urlsplit(link).path or "/"
    folder = urlsplit(base_url).path.rsplit("/", 1)[0] + "/"
    return path in {"/", folder}


def parse_sitemap(data, base_url, max_entries=MAX_ENTRIES):
    """Parse sitemap `data` (bytes) fetched from `base_url`; raise ParseError.

    A `<urlset>` gives its entries, newest first; a `<sitemapindex>` gives no
    entries and its child sitemaps in `children`, the most recently modified
    first (follow them with expand_index).
    """
    if not isinstance(data, bytes):
        raise TypeError("parse_sitemap takes bytes, never a URL or a path")
    home_host = _host(base_url)
    root, entries, children, seen, read = "", [], [], set(), 0
    try:
        for event, element in _hardened_iterparse(data):
            if not root:
                root = _local(element)
                if root not in {"urlset", "sitemapindex"}:
                    raise ParseError(f"not a sitemap: the root is <{root[:50]}>")
                continue
            if event != "end" or element.getparent() is None:
                continue
            if element.getparent().getparent() is not None:
                continue  # only <url> and <sitemap>, the root's children
            read += 1
            if _local(element) == "url":
                entry = _entry(element, base_url, home_host)
                if entry and entry.link not in seen:
                    seen.add(entry.link)
                    entries.append(entry)
            elif _local(element) == "sitemap":
                child = _location(_text(element, "loc"), base_url, home_host)
                if child and child not in seen:
                    seen.add(child)
                    children.append((_datetime(_text(element, "lastmod")), child))
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
            if read >= MAX_URLS_READ:
                break
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed or truncated sitemap: {exc}"[:500]) from None
    if not root:
        raise ParseError("not a sitemap: empty document")
    entries = [e for e in entries if not _is_homepage(e.link, base_url)]
    oldest = datetime.min.replace(tzinfo=UTC)
    children.sort(key=lambda c: c[0] or oldest, reverse=True)
    return SitemapFeed(
        kind="sitemap",
        title="",
        entries=_newest_first(entries, max_entries),
        children=[url for _lastmod, url in children],
    )


def expand_index(index, policy, fetcher=fetch, max_children=MAX_CHILDREN):
    """Fetch and merge up to `max_children` child sitemaps of a sitemap index.

    Children that fail to fetch or parse are skipped (their URLs and reasons in
    the returned `errors`); nested indexes are not followed further.
    """
    entries, errors = [], []
    for url in index.children[:max_children]:
        try:
            result = fetcher(url, policy)
            child = parse_sitemap(result.content, result.url)
        except (FetchError, ParseError) as exc:
            errors.append((url, str(exc)[:500]))
            continue
        entries.extend(child.entries)
    unique, seen = [], set()
    for entry in entries:
        if entry.link not in seen:
            seen.add(entry.link)
            unique.append(entry)
    return SitemapFeed(
        "sitemap", index.title, _newest_first(unique, MAX_ENTRIES)
    ), errors


def fetch_sitemap(url, allow_private=False, fetcher=fetch):
    """Fetch, parse and (for an index) expand the sitemap at `url`."""
    policy = FetchPolicy(max_bytes=FEED_MAX_BYTES, allow_private=allow_private)
    result = fetcher(url, policy)
    parsed = parse_sitemap(result.content, result.url)
    if parsed.children:
        parsed, _errors = expand_index(parsed, policy, fetcher)
    return parsed
