"""Apply the current extraction rules to an article already stored."""

from dataclasses import dataclass, field

from briefings.articles.sanitize import paper_private_hosts, sanitize_html
from briefings.ingest.extract import ExtractionError, extract_page
from briefings.ingest.fetch import FetchError, FetchPolicy, fetch
from briefings.ingest.normalize import canonical_url, clean_byline
from briefings.ingest.sanitize import html_to_text


@dataclass
class ReextractResult:
    outcome: str  # "changed", "unchanged" or "failed"
    details: list[str] = field(default_factory=list)


def reextract_article(article, save=True):
    """Fetch `article`'s page again, extract it with today's rules, compare."""
    publication = article.publication
    allow_private = article.feed.allow_private_network if article.feed else False
    try:
        page = fetch(article.canonical_url, FetchPolicy(allow_private=allow_private))
        if not publication.owns(canonical_url(page.url)):
            # A page that now redirects to another paper's article is not this
            # article's new version (issue #11).
            raise FetchError(
                f"page after redirects not on the paper's own hosts ({page.url[:200]})"
            )
        extraction = extract_page(
            page.content, page.url, publication.extraction_rules or None
        )
    except (FetchError, ExtractionError) as exc:
        return ReextractResult("failed", [str(exc)])
    private_hosts = paper_private_hosts(article.feed, article.canonical_url)
    body_html = sanitize_html(
        extraction.body_html, article.canonical_url, private_hosts
    )
    body_text = html_to_text(body_html)
    byline = clean_byline(extraction.byline) or article.byline
    details = []
    if body_text != article.body_text:
        details.append(f"body: {len(article.body_text)} -> {len(body_text)} characters")
    if byline != article.byline:
        details.append(f"byline: {article.byline!r} -> {byline!r}")
    if not details:
        return ReextractResult("unchanged")
    if save:
        article.body_html, article.body_text, article.byline = (
            body_html,
            body_text,
            byline,
        )
        article.extraction_note = f"re-extracted page: {extraction.note}"[:1000]
        article.save(
            update_fields=["body_html", "body_text", "byline", "extraction_note"]
        )
    return ReextractResult("changed", details)
