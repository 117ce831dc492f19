"""Article page in, article fields out: headline, dek, byline, dates, image,
language, body. Bytes or text in, an Extraction out; nothing here touches the
network or the database.

Metadata: JSON-LD NewsArticle, then OpenGraph and meta tags, then the page
(ingest/metadata.py), then trafilatura's own reading for what is still missing.
Body: a per-publication rule where one exists (ingest/rules.py), else trafilatura
tuned on the extraction benchmark (favor precision, no comments; see
docs/benchmarks.md). The feed's content is the pipeline's last fallback.
"""

import copy
import re
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.htmlprocessing import build_html_output
from trafilatura.metadata import extract_metadata

from briefings.articles.text import squash_whitespace
from briefings.ingest.credits import find_credit
from briefings.ingest.metadata import PageMetadata, parse_datetime, read_metadata
from briefings.ingest.rules import rule_for
from briefings.ingest.sanitize import html_to_text

MAX_HTML_BYTES = 5_000_000


class ExtractionError(Exception):
    """No article could be extracted from the page."""


@dataclass
class Extraction(PageMetadata):
    """The page's metadata and its article body."""

    body_html: str = ""
    body_text: str = ""
    credit_html: str = ""  # the paper's credit/licence line (credits.py)
    license_url: str = ""
    method: str = ""  # "rule", "trafilatura" (which extractor found the body)

    def as_json(self):
        """Return the fields `briefings extract` prints."""
        return {
            "headline": self.headline,
            "dek": self.dek,
            "byline": self.byline,
            "published_at": self.published_at.isoformat()
            if self.published_at
            else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "image": self.image,
            "language": self.language,
            "body_html": self.body_html,
            "body_text": self.body_text,
            "credit_html": self.credit_html,
            "license_url": self.license_url,
        }


def _parse(html):
    if isinstance(html, str):
        html = html.encode("utf-8", "surrogatepass")
    if len(html) > MAX_HTML_BYTES:
        raise ExtractionError(f"page larger than {MAX_HTML_BYTES} bytes")
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError("not an HTML page")
    return tree


def _inner_html(element):
    return (element.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in element
    )


def _body_by_rule(tree, rule):
    """Return the body HTML the rule selects, or "" when its selector finds nothing."""
    try:
        nodes = tree.cssselect(rule.body) if rule.body else []
        for selector in rule.strip:
            for node in nodes:
                for unwanted in node.cssselect(selector):
                    unwanted.drop_tree()
    except (etree.XPathError, SyntaxError, ValueError):
        return ""
    html = "".join(_inner_html(node) for node in nodes)
    return html if html_to_text(html) else ""


def _byline_by_rule(tree, rule):
    if not rule.byline:
        return ""
    try:
        nodes = tree.cssselect(rule.byline)
    except (etree.XPathError, SyntaxError, ValueError):
        return ""
    text = squash_whitespace(nodes[0].text_content()) if nodes else ""
    return re.sub(rule.byline_strip, "", text).strip() if rule.byline_strip else text


def _without_site_banners(tree):
    """Drop the site's banners and notices (class or id naming a banner or a
    cookie notice, or ARIA role banner/alert) that stand outside the article:
    a generic extractor reads a long one as the story's opening (issue #14)."""
    for element in list(tree.iter(etree.Element)):
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        site_wide = element.get("role") in {"banner", "alert"} or any(
            word in names for word in ("banner", "cookie")
        )
        if (
            site_wide
            and element.getparent() is not None
            and not any(up.tag in {"article", "main"} for up in element.iterancestors())
        ):
            element.drop_tree()


def _body_by_trafilatura(tree, url):
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_formatting=True,
        # In-body images cost precision (alt texts and credits read as body);
        # the lead image and its caption come from the metadata.
        include_images=False,
        include_links=True,
        include_tables=True,
        with_metadata=False,
        deduplicate=False,
    )
    if document is None or document.body is None:
        return ""
    root = lxml.html.fromstring(build_html_output(document))
    body = root.find(".//body")
    return _inner_html(body) if body is not None else ""


def _fill_from_trafilatura(tree, url, found):
    """Ask trafilatura's metadata reader (htmldate & co.) for what is missing."""
    if found.headline and found.published_at:
        return
    document = extract_metadata(copy.deepcopy(tree), default_url=url, extensive=False)
    found.headline = found.headline or (document.title or "")
    found.byline = found.byline or (document.author or "")
    found.dek = found.dek or (document.description or "")
    found.published_at = found.published_at or parse_datetime(document.date or "")
    found.image = found.image or (document.image or "")


def extract_page(html, url, publication_rules=None):
    """Extract the article of page `html` (bytes or str) found at `url`.

    `publication_rules` (a dict, see rules.Rule) overrides the rules table.
    Raise ExtractionError when the page holds no article text.
    """
    tree = _parse(html)
    # Read before a rule's strip list or trafilatura can drop it.
    credit_html, license = find_credit(tree, url)
    found = read_metadata(tree, url)
    _fill_from_trafilatura(tree, url, found)
    rule = rule_for(url, publication_rules)
    body_html, method = "", ""
    if rule is not None:
        found.byline = _byline_by_rule(tree, rule) or found.byline
        body_html, method = _body_by_rule(tree, rule), "rule"
    if not body_html:
        _without_site_banners(tree)
        body_html, method = _body_by_trafilatura(tree, url), "trafilatura"
    body_text = html_to_text(body_html)
    if not body_text:
        raise ExtractionError("no article text found")
    for name in ("headline", "dek", "byline"):
        setattr(found, name, squash_whitespace(getattr(found, name)))
    fields = {**vars(found), "article_body": ""}
    return Extraction(
        **fields,
        body_html=body_html,
        body_text=body_text,
        credit_html=credit_html,
        license_url=license,
        method=method,
    )
