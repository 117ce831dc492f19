"""Article page in, article fields out: headline, dek, byline, dates, body.

trafilatura finds the body and reads the metadata (JSON-LD, OpenGraph, meta
tags); the feed's own values are the fallback the pipeline applies.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.htmlprocessing import build_html_output

log = logging.getLogger(__name__)


class ExtractionError(Exception):
    """No article could be extracted from the page."""


@dataclass
class Extraction:
    headline: str = ""
    dek: str = ""
    byline: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    image: str = ""
    language: str = ""
    canonical_url: str = ""
    body_html: str = ""
    body_text: str = ""


def _date(value):
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (
        parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    )


def _body_html(document):
    """Return the inner HTML of trafilatura's body, as simplified HTML."""
    root = lxml.html.fromstring(build_html_output(document))
    body = root.find(".//body")
    if body is None:
        return ""
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in body)


def extract_page(html, url):
    """Extract the article of page `html` (str or bytes) found at `url`."""
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_images=True,
            include_formatting=True,
            include_links=True,
            include_tables=True,
            deduplicate=False,
        )
    except (etree.LxmlError, ValueError) as exc:
        raise ExtractionError(f"unreadable page: {exc}") from None
    if document is None or not (document.text or "").strip():
        raise ExtractionError("no article text found")
    text = document.text or ""
    return Extraction(
        headline=document.title or "",
        dek=document.description or "",
        byline=document.author or "",
        published_at=_date(document.date),
        image=document.image or "",
        language=document.language or "",
        canonical_url=document.url or "",
        body_text=text,
        body_html=_body_html(document),
    )
