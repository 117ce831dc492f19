"""Find a paper's feeds from its homepage: rel=alternate links, common paths, sitemaps.

discover_feeds and common_feed_paths are pure (bytes and URLs in, candidates
out); find_feeds fetches through the guarded client and keeps only candidates
that really parse as a feed or a sitemap.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from briefings.ingest.fetch import FEED_MAX_BYTES, FetchError, FetchPolicy, fetch
from briefings.ingest.parse import ParseError, parse_feed
from briefings.ingest.robots import RobotsCache
from briefings.ingest.sitemap import parse_sitemap

logger = logging.getLogger(__name__)

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
}
COMMON_FEED_PATHS = (
    "feed/",
    "rss",
    "rss.xml",
    "feed.xml",
    "atom.xml",
    "index.xml",
    "feeds/home/",
    "rss/home/",
)
COMMON_SITEMAP_PATHS = ("sitemap-news.xml", "news-sitemap.xml", "sitemap.xml")
HTML_BYTES = 2_000_000  # feed links live in <head>; the rest is not read
MAX_LINKS = 10
MAX_URL_LENGTH = 2000
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str
    kind: str  # rss, atom, json or sitemap
    title: str = ""


def _http_url(href, base):
    if not href or len(href) > MAX_URL_LENGTH:
        return ""
    url = urljoin(base, href.strip())
    return url if urlsplit(url).scheme in {"http", "https"} else ""


def _document(html):
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False)
    try:
        return lxml.html.document_fromstring(html[:HTML_BYTES], parser=parser)
    except (etree.ParserError, ValueError):
        return None


def discover_feeds(homepage_url, html):
    """Return the feeds a page advertises with <link rel="alternate">, in order.

    Relative hrefs are resolved against the page's <base href> (itself resolved
    against `homepage_url`); only http(s) URLs are kept, each once.
    """
    if not isinstance(html, bytes):
        raise TypeError("discover_feeds takes the page's bytes")
    doc = _document(html)
    if doc is None:
        return []
    base = homepage_url
    for element in doc.iter("base"):
        base = _http_url(element.get("href", ""), homepage_url) or homepage_url
        break
    found, seen = [], set()
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        url = _http_url(link.get("href", ""), base)
        if "alternate" not in rels or not kind or not url or url in seen:
            continue
        seen.add(url)
        title = " ".join((link.get("title") or "").split())[:300]
        found.append(DiscoveredFeed(url, kind, title))
        if len(found) >= MAX_LINKS:
            break
    return found


def _folder(homepage_url):
    parts = urlsplit(homepage_url)
    path = parts.path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def common_feed_paths(homepage_url):
    """Return the URLs where papers' feeds and sitemaps often are, feeds first."""
    folder = _folder(homepage_url)
    return [folder + path for path in COMMON_FEED_PATHS + COMMON_SITEMAP_PATHS]


def _verify(url, kind_hint, policy, fetcher):
    """Fetch a candidate and return it as a DiscoveredFeed when it parses."""
    try:
        result = fetcher(url, policy, accept=ACCEPT)
    except FetchError as exc:
        logger.info("discovery: %s: %s", url, exc)
        return None
    if kind_hint != "sitemap":
        try:
            parsed = parse_feed(result.content, result.url)
            return DiscoveredFeed(result.url, parsed.kind, parsed.title[:300])
        except ParseError:
            pass
    try:
        parsed = parse_sitemap(result.content, result.url)
    except ParseError as exc:
        logger.info("discovery: %s is neither a feed nor a sitemap: %s", url, exc)
        return None
    if not (parsed.entries or parsed.children):
        return None
    return DiscoveredFeed(result.url, "sitemap", "")


def _robots_sitemaps(homepage_url, robots, allow_private):
    """Return the sitemaps robots.txt names under the homepage's folder."""
    folder = _folder(homepage_url)
    return [
        url
        for url in robots.sitemaps(homepage_url, allow_private)
        if url.startswith(folder)
    ]


def find_feeds(homepage_url, allow_private=False, fetcher=fetch, robots=None):
    """Return the verified feeds of the paper at `homepage_url`, best first.

    First the feeds the homepage advertises; when none of them parses, the
    common feed paths (stopping at the first real feed), and when none of those
    either, the sitemaps named in robots.txt and at the common sitemap paths.
    Every candidate is fetched through the guarded client, if robots.txt allows.
    """
    robots = robots or RobotsCache(fetcher=fetcher)
    if not robots.allowed(homepage_url, allow_private):
        raise FetchError(robots.reason(homepage_url, allow_private))
    homepage = fetcher(homepage_url, FetchPolicy(allow_private=allow_private))
    policy = FetchPolicy(max_bytes=FEED_MAX_BYTES, allow_private=allow_private)
    tried = {homepage.url, homepage_url}

    def verified(candidates):
        for url, kind in candidates:
            if url in tried:
                continue
            tried.add(url)
            if not robots.allowed(url, allow_private):
                logger.info("discovery: robots.txt disallows %s", url)
                continue
            feed = _verify(url, kind, policy, fetcher)
            if feed is not None:
                yield feed

    advertised = discover_feeds(homepage.url, homepage.content)
    found = list(verified((f.url, f.kind) for f in advertised))
    if found:
        return found
    paths = [(url, "feed") for url in common_feed_paths(homepage.url)]
    feed_paths = paths[: len(COMMON_FEED_PATHS)]
    first = next(verified(feed_paths), None)
    if first is not None:
        return [first]
    sitemaps = [
        (u, "sitemap") for u in _robots_sitemaps(homepage.url, robots, allow_private)
    ]
    sitemaps += paths[len(COMMON_FEED_PATHS) :]
    return list(verified(sitemaps))
