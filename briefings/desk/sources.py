"""The sources' tools: check feeds now, and try a paper's extraction rules on
one of its pages before saving them.

Both go through ingest's own units (pipeline.refresh, polite_fetch,
extract_isolated): what an editor sees is what the scheduler would do.
Everything here reads hostile input: a pasted URL, an uploaded page, rules.
"""

from dataclasses import dataclass

from django.conf import settings

from briefings.articles.sanitize import paper_private_hosts, sanitize_html
from briefings.ingest.extract import ExtractionError
from briefings.ingest.fetch import FetchError, FetchPolicy
from briefings.ingest.normalize import canonical_url
from briefings.ingest.pipeline import polite_fetch, refresh
from briefings.ingest.politeness import HostDeferred
from briefings.ingest.sandbox import extract_isolated

# A click refreshes at most this many feeds, one after the other in the
# request: each is a whole poll (the feed and its new pages).
MAX_CHECKS = 5
UPLOAD_MAX_BYTES = 5 * 1024 * 1024


def check_feeds(feeds):
    """Refresh `feeds` (at most MAX_CHECKS) now; return their RefreshReports."""
    return [refresh(feed) for feed in feeds[:MAX_CHECKS]]


def describe(report):
    """One line for an editor about a refresh."""
    if report.error:
        return f"{report.feed_url}: failed, {report.error}"
    if report.not_modified:
        return f"{report.feed_url}: read, unchanged since the last poll"
    line = (
        f"{report.feed_url}: read, {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} skipped"
    )
    if report.problems:
        line += f" ({'; '.join(report.problems[:3])})"
    return line


class RuleTestError(Exception):
    """The page could not be had or held no article (the message says which)."""


@dataclass
class RuleTest:
    url: str
    headline: str
    dek: str
    byline: str
    published_at: object
    updated_at: object
    method: str  # "rule" or "trafilatura"
    body_html: str  # sanitized as it would be stored
    words: int


def own_feed(publication):
    """The paper's feed whose settings a fetch for it uses (loopback allowed for
    the demo's papers only)."""
    return publication.feeds.order_by("-allow_private_network", "pk").first()


def fetch_page(publication, url):
    """Fetch `url` as ingest would; return (final url, bytes).

    The URL, and where its redirects lead, must be on the paper's own hosts: the
    tester is not a way to make the server fetch anything else.
    """
    if not publication.owns(url):
        raise RuleTestError(f"{url} is not on {publication.name}'s own hosts")
    feed = own_feed(publication)
    allow_private = bool(feed and feed.allow_private_network)
    try:
        result = polite_fetch(url, FetchPolicy(allow_private=allow_private))
    except HostDeferred as exc:
        raise RuleTestError(f"the paper asked us to wait: {exc}") from exc
    except FetchError as exc:
        raise RuleTestError(f"fetch failed: {exc}") from exc
    final = canonical_url(result.url) or result.url
    if not publication.owns(final):
        raise RuleTestError(f"the page redirected off the paper's hosts, to {final}")
    return result.url, result.content


def try_rules(publication, rules, url, html):
    """Extract `html` (found at `url`) with `rules`; return a RuleTest."""
    try:
        page = extract_isolated(
            html, url, rules or None, timeout=settings.BRIEFINGS_EXTRACT_TIMEOUT
        )
    except ExtractionError as exc:
        raise RuleTestError(f"extraction failed: {exc}") from exc
    private = paper_private_hosts(own_feed(publication), url)
    body = sanitize_html(page.body_html, url, private)
    return RuleTest(
        url=url,
        headline=page.headline,
        dek=page.dek,
        byline=page.byline,
        published_at=page.published_at,
        updated_at=page.updated_at,
        method=page.method,
        body_html=body,
        words=len(page.body_text.split()),
    )
