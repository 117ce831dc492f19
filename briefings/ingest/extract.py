"""Article page in, article fields out: headline, dek, byline, dates, image,
language, body. Bytes or text in, an Extraction out; nothing here touches the
network or the database.

Metadata: JSON-LD NewsArticle, then OpenGraph and meta tags, then the page
(ingest/metadata.py), then trafilatura's own reading for what is still missing.
Body: read several ways from the one parsed page (the publication's rule where one
exists, ingest/rules.py; trafilatura in precision and in recall mode; the JSON-LD
articleBody) and chosen by ingest/candidates.py's guard, which says why; see
docs/benchmarks.md. The feed's content is the pipeline's last fallback.
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
from briefings.ingest.candidates import GUARD, Candidate, choose, json_ld_candidate
from briefings.ingest.credits import find_credit
from briefings.ingest.metadata import PageMetadata, parse_datetime, read_metadata
from briefings.ingest.rules import rule_for
from briefings.ingest.sanitize import html_to_text

MAX_HTML_BYTES = 5_000_000
# A "banner" holding more than this share of the page's text is the page itself
# (a theme's wrapper), not a banner.
BANNER_SHARE = 0.25


class ExtractionError(Exception):
    """No article could be extracted from the page."""


@dataclass
class Extraction(PageMetadata):
    """The page's metadata and its article body."""

    body_html: str = ""
    body_text: str = ""
    credit_html: str = ""  # the paper's credit/licence line (credits.py)
    license_url: str = ""
    method: str = ""  # the chosen reading: "rule", "precision", "recall", "json-ld"
    note: str = ""  # why that reading (candidates.choose), for editors

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
    a generic extractor reads a long one as the story's opening (issue #14).

    Only what a banner is: never <body> or <html> (WordPress names the body
    after its cookie notice), never an element holding the article or most of
    the page's text (themes name their page wrappers after the banner)."""
    page_text = len(tree.text_content())
    for element in list(tree.iter(etree.Element)):
        if element.getparent() is None or element.tag in {"html", "body"}:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        site_wide = element.get("role") in {"banner", "alert"} or any(
            word in names for word in ("banner", "cookie")
        )
        if site_wide and _only_a_banner(element, page_text):
            element.drop_tree()


def _only_a_banner(element, page_text):
    """Tell whether `element` may go: outside the article, holding none of it,
    and at most a small share of the page's text."""
    if any(up.tag in {"article", "main"} for up in element.iterancestors()):
        return False
    if element.find(".//article") is not None or element.find(".//main") is not None:
        return False
    return len(element.text_content()) <= BANNER_SHARE * page_text


def _body_by_trafilatura(tree, url, **mode):
    """Return trafilatura's body in `mode` (favor_precision or favor_recall), as
    an element, or None. bare_extraction copies the tree: one parse serves all."""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_formatting=True,
        # In-body images cost precision (alt texts and credits read as body);
        # the lead image and its caption come from the metadata.
        include_images=False,
        include_links=True,
        include_tables=True,
        with_metadata=False,
        deduplicate=False,
        **mode,
    )
    if document is None or document.body is None:
        return None
    return lxml.html.fromstring(build_html_output(document)).find(".//body")


def _candidate(name, element):
    """A Candidate from a body element (its children are the body)."""
    if element is None:
        return Candidate(name, "", "")
    html = _inner_html(element)
    links = sum(len(squash_whitespace(a.text_content())) for a in element.iter("a"))
    return Candidate(name, html, html_to_text(html), link_chars=links)


def _rule_candidate(tree, rule):
    html = _body_by_rule(tree, rule)
    if not html:
        return Candidate("rule", "", "")
    return _candidate("rule", lxml.html.fragment_fromstring(html, create_parent="div"))


def body_candidates(tree, url, rule=None, article_body=""):
    """Every reading of the page's body: the rule's, trafilatura's two, JSON-LD's."""
    candidates = [] if rule is None else [_rule_candidate(tree, rule)]
    # A site-wide banner outside the article reads as its opening to a generic
    # extractor (issue #14); the rule's reading is taken before it goes.
    _without_site_banners(tree)
    candidates.append(
        _candidate("precision", _body_by_trafilatura(tree, url, favor_precision=True))
    )
    # fast: without the readability/jusText fallbacks the precision pass runs
    # already; a third cheaper than a full pass, and as good a witness
    # (docs/benchmarks.md).
    recall = _body_by_trafilatura(tree, url, favor_recall=True, fast=True)
    candidates.append(_candidate("recall", recall))
    if article_body.strip():
        candidates.append(json_ld_candidate(article_body))
    return candidates


def page_candidates(html, url, publication_rules=None):
    """The body candidates of page `html` (the benchmark chooses among them
    with each Guard of GUARD_GRID)."""
    tree = _parse(html)
    found = read_metadata(tree, url)
    return body_candidates(
        tree, url, rule_for(url, publication_rules), found.article_body
    )


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


def extract_page(html, url, publication_rules=None, guard=GUARD):
    """Extract the article of page `html` (bytes or str) found at `url`.

    `publication_rules` (a dict, see rules.Rule) overrides the rules table;
    `guard` (candidates.Guard) sets how the body is chosen.
    Raise ExtractionError when the page holds no article text.
    """
    tree = _parse(html)
    # Read before a rule's strip list or trafilatura can drop it.
    credit_html, license = find_credit(tree, url)
    found = read_metadata(tree, url)
    _fill_from_trafilatura(tree, url, found)
    rule = rule_for(url, publication_rules)
    if rule is not None:
        found.byline = _byline_by_rule(tree, rule) or found.byline
    candidates = body_candidates(tree, url, rule, found.article_body)
    chosen, note = choose(candidates, guard)
    if chosen is None:
        raise ExtractionError(f"no article text found ({note})")
    for name in ("headline", "dek", "byline"):
        setattr(found, name, squash_whitespace(getattr(found, name)))
    fields = {**vars(found), "article_body": ""}
    return Extraction(
        **fields,
        body_html=chosen.html,
        body_text=chosen.text,
        credit_html=credit_html,
        license_url=license,
        method=chosen.name,
        note=note,
    )
