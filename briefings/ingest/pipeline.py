"""Refresh one feed: fetch, parse, and for each new or changed entry fetch the
page, extract, normalize, sanitize (last), dedupe and store. Reads top to bottom;
the stages it calls are pure, only this module touches the network and the ORM.
"""

import functools
import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError, transaction
from django.db.models import URLField
from django.utils import timezone

from briefings.articles.models import Article
from briefings.articles.sanitize import (
    is_public_url,
    paper_private_hosts,
    sanitize_html,
    sanitize_inline,
)
from briefings.articles.text import cut_at_sentence
from briefings.articles.upsert import ArticleRecord, Outcome, find_existing, upsert
from briefings.ingest import dedupe, hygiene
from briefings.ingest.credits import find_credit_in_html
from briefings.ingest.extract import ExtractionError
from briefings.ingest.fetch import FEED_MAX_BYTES, FetchError, FetchPolicy, fetch
from briefings.ingest.normalize import (
    canonical_url,
    clean_byline,
    clean_text,
    normalize_date,
    record_without_reserved_markers,
)
from briefings.ingest.parse import ParseError, parse_feed
from briefings.ingest.politeness import (
    HostDeferred,
    HostGate,
    RedisHostGate,
    adaptive_interval,
    host_of,
    retry_after_seconds,
)
from briefings.ingest.robots import RobotsCache
from briefings.ingest.sandbox import extract_isolated
from briefings.ingest.sanitize import html_to_text
from briefings.ingest.schedule import (
    record_deferral,
    record_failure,
    record_partial,
    record_success,
)
from briefings.ingest.sitemap import expand_index, parse_sitemap
from briefings.network.models import Feed, FeedPoll

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# A page whose text is under this share of the feed's full content is a teaser
# or a paywall; the feed's content is kept instead.
TEASER_SHARE = 0.5
SYNDICATION_WINDOW = timedelta(days=3)
RETRY_LATER = 600  # seconds, for a 429 or 503 without Retry-After


@dataclass
class RefreshReport:
    feed_url: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    not_modified: bool = False
    error: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self):
        """1 when the feed itself could not be read (the error says why)."""
        return 1 if self.error else 0

    def count(self, outcome):
        setattr(self, str(outcome), getattr(self, str(outcome)) + 1)


class SkippedEntry(Exception):
    """The entry cannot become an article (no link, no headline, a duplicate,
    not on the paper's own hosts)."""


@functools.cache
def robots_cache():
    """The process's robots.txt cache, shared by the scheduler's threads."""
    return RobotsCache()


@functools.cache
def host_gate(allow_private):
    """The per-host gate: the process's own, or, with BRIEFINGS_HOST_GATE_URL,
    one held in Redis for every worker on every machine (issue #17). Sources
    allowed a private address are our own (the demo network on loopback): no
    spacing between their requests."""
    concurrency = settings.BRIEFINGS_HOST_CONCURRENCY
    spacing = 0.0 if allow_private else settings.BRIEFINGS_HOST_SPACING
    jitter = 0.0 if allow_private else 0.5
    if settings.BRIEFINGS_HOST_GATE_URL:
        return RedisHostGate(
            settings.BRIEFINGS_HOST_GATE_URL, concurrency, spacing, jitter
        )
    return HostGate(concurrency, spacing=spacing, jitter=jitter)


def polite_fetch(url, policy, etag="", last_modified="", accept=None):
    """Fetch `url` as robots.txt allows and within the host's limits.

    Every hop is polite on its own host: a redirect target, too, must be allowed
    by its robots.txt and waits for its host's gate. Raise FetchError (robots.txt
    says no, or the fetch failed) or HostDeferred (a host asked us to come back
    later: a 429 or 503 closes it for its Retry-After, RFC 9110 §10.2.3).
    """
    return fetch(
        url,
        policy,
        etag,
        last_modified,
        accept=accept,
        each_hop=functools.partial(polite_hop, allow_private=policy.allow_private),
    )


@contextmanager
def polite_hop(url, allow_private):
    """Hold a slot of url's host for one request, if its robots.txt allows it."""
    robots = robots_cache()
    if not robots.allowed(url, allow_private):
        raise FetchError(robots.reason(url, allow_private))
    gate = host_gate(allow_private)
    gate.set_spacing(url, robots.crawl_delay(url, allow_private))
    with gate.slot(url):
        try:
            yield
        except FetchError as exc:
            if exc.status in {429, 503}:
                wait = retry_after_seconds(exc.headers) or RETRY_LATER
                until = gate.defer(url, wait)
                raise HostDeferred(host_of(url), until) from exc
            raise


def refresh(feed):
    """Poll `feed` once and store what is new or changed; return a RefreshReport.

    Never raises (the scheduler's thread and `briefings ingest` go on to the
    next feed): a failure of the feed, expected (fetch, parse) or not, is
    recorded on it with its reason; a failure of one entry costs that entry.
    """
    report = RefreshReport(feed.url)
    now = timezone.now()
    started = time.monotonic()
    try:
        poll_feed(feed, report, now)
    except Exception as exc:
        log.exception("feed %s failed unexpectedly", feed.url)
        report.error = f"refresh failed ({type(exc).__name__}: {exc})"[:2000]
        # Its validators are what the paper's past answers put into our next
        # request: dropped, so the next poll starts from a plain GET.
        feed.etag = feed.last_modified = ""
        record_failure_or_log(feed, report.error, now)
    try:
        FeedPoll.objects.record(
            feed, now, (time.monotonic() - started) * 1000, outcome(report), report
        )
    except Exception:
        log.exception("feed %s: its poll could not be added to its history", feed.url)
    return report


def outcome(report):
    """What came of a poll, as its history names it."""
    if report.error:
        return "deferred" if report.error.startswith("deferred") else "failed"
    if report.not_modified:
        return "not_modified"
    if any(p.startswith(("partial", "deferred")) for p in report.problems):
        return "partial"
    return "ok"


def record_failure_or_log(feed, reason, now):
    """Record the feed's failure; when even that fails (the database is down),
    log it: the next poll tries again."""
    try:
        record_failure(feed, reason, now)
    except Exception:
        log.exception("feed %s: its failure could not be recorded", feed.url)


def poll_feed(feed, report, now):
    """Fetch and parse `feed`, ingest its entries one by one, schedule the next poll."""
    started = time.monotonic()
    policy = FetchPolicy(
        max_bytes=FEED_MAX_BYTES, allow_private=feed.allow_private_network
    )
    try:
        result = polite_fetch(
            feed.url, policy, feed.etag, feed.last_modified, accept=FEED_ACCEPT
        )
        if result.not_modified:
            record_success(feed, now, feed.etag, feed.last_modified)
            report.not_modified = True
            return
        parsed = parse_document(result, feed, policy)
    except HostDeferred as exc:
        record_deferral(feed, exc.until, now)
        report.error = f"deferred: {exc}"
        return
    except (FetchError, ParseError) as exc:
        log.warning("feed %s failed: %s", feed.url, exc)
        record_failure(feed, exc, now)
        report.error = str(exc)
        return
    seen = set()
    for entry in parsed.entries:
        limit = poll_limit_reached(report, started)
        if limit:
            # One feed never holds a scheduler thread for long (issue #11).
            record_partial(feed, now, parsed.kind)
            report.problems.append(f"partial: {limit}; the rest at the next poll")
            log.info("feed %s: %s; the rest at the next poll", feed.url, limit)
            return
        try:
            ingest_isolated(feed, entry, seen, report)
        except HostDeferred as exc:
            # The paper asked for a pause mid-way: what is stored stays, the
            # rest comes at the next poll (the validators are not kept, so that
            # poll reads the whole feed again).
            record_deferral(feed, exc.until, now)
            report.problems.append(f"deferred: {exc}")
            return
    feed.poll_interval = round(
        adaptive_interval(
            [entry.published for entry in parsed.entries if entry.published],
            feed.poll_interval,
        )
    )
    etag = result.headers.get("etag", "")
    record_success(
        feed, now, etag, result.headers.get("last-modified", ""), parsed.kind
    )


def ingest_isolated(feed, entry, seen, report):
    """Ingest one listed entry and count it in `report`. Whatever goes wrong
    with it (a refusal, a bug, a write the database refuses) costs this entry
    alone: counted as skipped, its reason in report.problems. HostDeferred goes
    up: the paper asked for a pause, the rest of the feed waits."""
    try:
        report.count(ingest_listed(feed, entry, seen))
    except HostDeferred:
        raise
    except SkippedEntry as exc:
        log.info("skipped an entry of %s: %s", feed.url, exc)
        report.skipped += 1
        report.problems.append(f"skipped: {exc}")
    except Exception as exc:
        log.exception("entry %r of %s failed", entry.link[:200], feed.url)
        report.skipped += 1
        reason = f"{type(exc).__name__}: {exc}; {entry.link[:100]!r}"
        report.problems.append(f"skipped: unexpected error ({reason})"[:1000])


def ingest_listed(feed, entry, seen):
    """Ingest an entry unless an earlier one of this feed had its GUID or URL."""
    # A feed lists newest first; a later entry with the same GUID or URL is an
    # older copy of the same story.
    keys = {entry.guid, canonical_url(entry.link)} - {""}
    if keys & seen:
        raise SkippedEntry(f"duplicate of an earlier entry ({entry.guid[:100]!r})")
    seen |= keys
    return ingest_entry(feed, entry)


def poll_limit_reached(report, started):
    """Say why this poll of a feed stops before its next entry ("": go on).

    The time budget is checked between entries, after at least one, so every
    poll makes progress however slow the feed itself was to fetch.
    """
    cap = settings.BRIEFINGS_FEED_MAX_NEW
    if report.new + report.updated >= cap:
        return f"{cap} new or changed entries stored"
    taken = report.new + report.updated + report.unchanged + report.skipped
    budget = settings.BRIEFINGS_FEED_BUDGET
    if taken and time.monotonic() - started >= budget:
        return f"its {budget} s budget spent"
    return ""


def parse_document(result, feed, policy):
    """Parse a fetched feed, JSON Feed or sitemap (an index's children fetched too)."""
    head = result.content[:2048]
    if feed.kind == Feed.Kind.SITEMAP or b"<urlset" in head or b"<sitemapindex" in head:
        parsed = parse_sitemap(result.content, result.url)
        if parsed.children:
            parsed, errors = expand_index(parsed, policy, fetcher=polite_fetch)
            for url, error in errors:
                log.info("sitemap %s of %s: %s", url, feed.url, error)
        return parsed
    content_type = result.headers.get("content-type", "")
    return parse_feed(result.content, result.url, content_type)


def entry_hash(entry):
    parts = (
        entry.link,
        entry.title,
        entry.summary,
        entry.content_html,
        str(entry.updated),
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def ingest_entry(feed, entry):
    """Store one feed entry as an article; return its Outcome."""
    link = canonical_url(entry.link)
    if not link:
        raise SkippedEntry(f"no http(s) link ({entry.link[:100]!r})")
    limit = max_length("canonical_url")
    if len(link) > limit:
        # A URL cut to fit is another URL: the entry is refused instead.
        raise SkippedEntry(f"link longer than {limit} characters ({link[:100]!r})")
    require_own_host(feed.publication, link, "link")
    source_hash = entry_hash(entry)
    guid = clean_text(entry.guid, max_length("guid"))
    existing = find_existing(feed.publication, link, guid)
    if existing is not None and existing.source_hash == source_hash:
        return Outcome.UNCHANGED
    page = fetch_article_page(link, feed)
    record = build_record(entry, page, link, source_hash, feed)
    if not record.headline:
        raise SkippedEntry(f"no headline for {link}")
    return store(feed, record)


def store(feed, record):
    """Upsert `record` (one transaction of its own) and link its syndicated copies.

    A write the database refuses rolls that transaction back and skips the
    entry with the database's reason; the connection stays usable for the next.
    """
    try:
        article, outcome = upsert(feed.publication, record, feed)
    except DatabaseError as exc:
        reason = f"{type(exc).__name__}: {exc}"[:300]
        raise SkippedEntry(f"not stored ({reason}; {record.url[:100]!r})") from exc
    if outcome != Outcome.UNCHANGED:
        link_syndicated_copies(article)
    return outcome


def require_own_host(publication, url, what):
    """Refuse an entry whose URL is not on the paper's own hosts (network file):
    it may be another member's article, which this paper may neither rewrite nor
    take credit for."""
    if not publication.owns(url):
        raise SkippedEntry(f"{what} not on the paper's own hosts ({url[:200]})")


def fetch_article_page(url, feed):
    """Fetch and extract the article page; None when it cannot be had.

    Raise SkippedEntry when a redirect led off the paper's own hosts.
    """
    try:
        result = polite_fetch(
            url, FetchPolicy(allow_private=feed.allow_private_network)
        )
        require_own_host(
            feed.publication, canonical_url(result.url), "page after redirects"
        )
        return extract_isolated(
            result.content,
            result.url,
            feed.publication.extraction_rules or None,
            timeout=settings.BRIEFINGS_EXTRACT_TIMEOUT,
        )
    except (FetchError, ExtractionError) as exc:
        log.info("page %s: %s; keeping the feed's content", url, exc)
        return None


def build_record(entry, page, link, source_hash, feed):
    """Merge the page's extraction over the feed entry; sanitize the body last.

    The page's canonical URL replaces the link only when it is on the paper's
    own hosts: a canonical naming another paper's article is a syndicated copy
    (kept under its own link, linked by duplicate_of), not that article.
    Images on the paper's private hosts stay only when its feed may use a
    private network (see paper_private_hosts()); all others must be public.
    """
    publication = feed.publication
    private_hosts = paper_private_hosts(feed, link)
    fetched_at = timezone.now()
    feed_body = sanitize_html(entry.content_html or entry.summary, link, private_hosts)
    feed_text = html_to_text(feed_body)
    page_body = sanitize_html(page.body_html, link, private_hosts) if page else ""
    page_text = html_to_text(page_body)
    if page_text and len(page_text) >= TEASER_SHARE * len(feed_text):
        body, text, status = page_body, page_text, Article.Status.FULL
        note = f"page: {page.note}"
    else:
        full = len(entry.content_html) > len(entry.summary) + 200
        body, text = feed_body, feed_text
        status = Article.Status.FULL if full else Article.Status.SUMMARY_ONLY
        note = feed_content_note(page, page_text, feed_text)
    dek = (page.dek if page else "") or cut_at_sentence(clean_text(entry.summary), 300)
    credit_html, license_url = credit_of(entry, page, link)
    # Text hygiene: dek, excerpt and body never repeat each other; the credit
    # line is shown on its own. The body is sanitized again: what the stage
    # rewrote is stored only after the allowlist, too.
    tidied = hygiene.tidy(clean_text(dek), body, html_to_text(credit_html))
    body = sanitize_html(tidied.body_html, link, private_hosts)
    text = html_to_text(body)
    published = normalize_date(
        entry.published or (page.published_at if page else None) or entry.updated,
        fetched_at,
    )
    updated = entry.updated or (page.updated_at if page else None)
    page_url = canonical_url(page.canonical_url) if page else ""
    record = fit_to_columns(
        ArticleRecord(
            url=page_url if page_url and publication.owns(page_url) else link,
            guid=clean_text(entry.guid),
            headline=clean_text(entry.title or (page.headline if page else "")),
            dek=tidied.dek,
            byline=clean_byline(entry.author or (page.byline if page else "")),
            body_html=body,
            body_text=text,
            excerpt=clean_text(tidied.excerpt),
            credit_html=credit_html,
            license_url=license_url,
            image=lead_image(entry, page, private_hosts),
            image_caption=clean_text(page.image_caption if page else ""),
            language=clean_text(page.language if page else ""),
            published_at=published.value,
            updated_at=normalize_date(updated, fetched_at).value if updated else None,
            date_flagged=published.flagged,
            status=status,
            source_hash=source_hash,
            simhash=dedupe.simhash(text) if status == Article.Status.FULL else None,
            extraction_note=note,
        ),
        link,
    )
    return record_without_reserved_markers(record)


def credit_of(entry, page, link):
    """Return (credit line HTML, sanitized; licence URL): the page's, else the
    one in the feed's content."""
    found = (page.credit_html, page.license_url) if page else ("", "")
    if not found[0]:
        feed_credit = find_credit_in_html(entry.content_html or entry.summary, link)
        found = (feed_credit[0], found[1] or feed_credit[1])
    credit_html, license_url = found
    license_url = canonical_url(license_url) if license_url else ""
    return sanitize_inline(credit_html, link), license_url


def feed_content_note(page, page_text, feed_text):
    """Why the feed's content was stored rather than the page's reading."""
    if page is None:
        return "feed's content: no reading of the page (not fetched or no article)"
    return (
        f"feed's content: the page's reading ({len(page_text):,} chars after "
        f"sanitizing; {page.note}) is a teaser beside the feed's "
        f"{len(feed_text):,} chars"
    )


def lead_image(entry, page, private_hosts):
    """Return the first of the feed's and the page's images that a reader's
    browser may be sent to, or ""."""
    candidates = (entry.image, page.image if page else "")
    images = (canonical_url(url) for url in candidates if url)
    return next((url for url in images if is_public_url(url, private_hosts)), "")


def max_length(column):
    """The length limit of Article's `column` (PostgreSQL refuses a longer value)."""
    return Article._meta.get_field(column).max_length


def fit_to_columns(record, link):
    """Return `record` with every value within its column's limit, so that no
    database ever sees an over-long value: text is cut, a URL that does not fit
    is dropped (cut, it would point elsewhere); the article's own URL falls back
    to the entry's `link` (ingest_entry refused a link that does not fit)."""
    for name in vars(record):
        column = "canonical_url" if name == "url" else name
        value = getattr(record, name)
        try:
            limit = max_length(column)
        except FieldDoesNotExist:
            continue
        if limit is None or not isinstance(value, str) or len(value) <= limit:
            continue
        if name == "url":
            record.url = link
        elif isinstance(Article._meta.get_field(column), URLField):
            setattr(record, name, "")
        else:
            setattr(record, name, value[:limit])
    return record


def link_syndicated_copies(article):
    """Link near-copies of `article` from other papers to the earliest publisher."""
    if article.simhash is None:
        return
    window = Article.objects.filter(
        simhash__isnull=False,
        published_at__range=(
            article.published_at - SYNDICATION_WINDOW,
            article.published_at + SYNDICATION_WINDOW,
        ),
    ).exclude(publication=article.publication_id)
    copies = [
        other
        for other in window.only("id", "simhash", "published_at", "duplicate_of")
        if dedupe.is_near_copy(other.simhash, article.simhash)
    ]
    if not copies:
        return
    group = [article, *copies]
    original = min(group, key=lambda a: (a.published_at, a.pk))
    with transaction.atomic():
        ids = [a.pk for a in group if a.pk != original.pk]
        Article.objects.filter(pk__in=ids).update(duplicate_of=original)
        Article.objects.filter(pk=original.pk).update(duplicate_of=None)
