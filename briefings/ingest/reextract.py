"""Apply the current extraction rules to an article already stored."""

from dataclasses import dataclass, field

from django.conf import settings

from briefings.articles.sanitize import (
    paper_private_hosts,
    sanitize_html,
    sanitize_inline,
)
from briefings.ingest.extract import ExtractionError
from briefings.ingest.fetch import FetchError, FetchPolicy
from briefings.ingest.hygiene import tidy
from briefings.ingest.normalize import canonical_url, clean_byline
from briefings.ingest.pipeline import polite_fetch
from briefings.ingest.politeness import HostDeferred
from briefings.ingest.sandbox import extract_isolated
from briefings.ingest.sanitize import html_to_text


@dataclass
class ReextractResult:
    outcome: str  # "changed", "unchanged" or "failed"
    details: list[str] = field(default_factory=list)


def reextract_article(article, save=True):
    """Fetch `article`'s page again, extract it with today's rules, compare.

    The page is fetched and extracted as ingest does: robots.txt and the host's
    limits on every hop, the extractor in its time-limited worker process.
    """
    publication = article.publication
    allow_private = article.feed.allow_private_network if article.feed else False
    try:
        policy = FetchPolicy(allow_private=allow_private)
        page = polite_fetch(article.canonical_url, policy)
        if not publication.owns(canonical_url(page.url)):
            # A page that now redirects to another paper's article is not this
            # article's new version (issue #11).
            raise FetchError(
                f"page after redirects not on the paper's own hosts ({page.url[:200]})"
            )
        extraction = extract_isolated(
            page.content,
            page.url,
            publication.extraction_rules or None,
            timeout=settings.BRIEFINGS_EXTRACT_TIMEOUT,
        )
    except (FetchError, ExtractionError, HostDeferred) as exc:
        return ReextractResult("failed", [str(exc)])
    private_hosts = paper_private_hosts(article.feed, article.canonical_url)
    url = article.canonical_url
    body_html = sanitize_html(extraction.body_html, url, private_hosts)
    # The same text hygiene and credit as at ingest (issue #14): rows stored
    # before them are tidied by `briefings reextract`.
    credit_html = sanitize_inline(extraction.credit_html, url)
    tidied = tidy(article.dek, body_html, html_to_text(credit_html))
    new = {
        "dek": tidied.dek,
        "body_html": sanitize_html(tidied.body_html, url, private_hosts),
        "excerpt": tidied.excerpt[:400],
        "credit_html": credit_html,
        "license_url": canonical_url(extraction.license_url)[:1000]
        if extraction.license_url
        else "",
        "byline": clean_byline(extraction.byline) or article.byline,
    }
    new["body_text"] = html_to_text(new["body_html"])
    details = _changes(article, new)
    if not details:
        return ReextractResult("unchanged")
    if save:
        # Which reading was kept, and why: for editors (issue #15).
        new["extraction_note"] = f"re-extracted page: {extraction.note}"[:1000]
        for name, value in new.items():
            setattr(article, name, value)
        article.save(update_fields=list(new))
    return ReextractResult("changed", details)


def _changes(article, new):
    details = []
    for name, value in new.items():
        old = getattr(article, name)
        if value == old:
            continue
        if name in {"body_html", "body_text"}:
            if name == "body_text":
                details.append(f"body: {len(old)} -> {len(value)} characters")
        else:
            details.append(f"{name}: {old[:60]!r} -> {value[:60]!r}")
    return details
