"""Article page in, article fields out: headline, dek, byline, dates, image,
language, body. Bytes or text in, an Extraction out; nothing here touches the
network or the database.

Metadata: JSON-LD NewsArticle, then OpenGraph and meta tags, then the page
(ingest/metadata.py), then trafilatura's own reading for what is still missing.
Body: read several ways from the one parsed page (the publication's rule where one
exists, ingest/rules.py; trafilatura in precision mode; the JSON-LD articleBody;
when those leave a doubt, trafilatura's fallbacks and its recall mode too) and
chosen by ingest/candidates.py's guard, which says why; see docs/architecture.md
("What each page costs") and docs/benchmarks.md. The feed's content is the
pipeline's last fallback.
"""

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
import trafilatura
from htmldate import find_date
from lxml import etree
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.metadata import extract_metadata

from briefings.articles.text import squash_whitespace
from briefings.ingest.candidates import (
    GUARD,
    PREFERENCE,
    Candidate,
    choose,
    json_ld_candidate,
)
from briefings.ingest.credits import elements_named, find_credit
from briefings.ingest.metadata import PageMetadata, parse_datetime, read_metadata
from briefings.ingest.rules import rule_for
from briefings.ingest.sanitize import element_to_text, html_to_text

MAX_HTML_BYTES = 5_000_000
# A "banner" holding more than this share of the page's text is the page itself
# (a theme's wrapper), not a banner.
BANNER_SHARE = 0.25
# A first reading shorter than this is checked against every reading.
SURE_LENGTH = 500


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
    named = elements_named(tree, ("banner", "cookie"), roles=("banner", "alert"))
    page_text = len(tree.text_content()) if named else 0
    for element in named:
        if element.getparent() is None or element.tag in {"html", "body"}:
            continue
        if _only_a_banner(element, page_text):
            element.drop_tree()


def _only_a_banner(element, page_text):
    """Tell whether `element` may go: outside the article, holding none of it,
    and at most a small share of the page's text."""
    if any(up.tag in {"article", "main"} for up in element.iterancestors()):
        return False
    if element.find(".//article") is not None or element.find(".//main") is not None:
        return False
    return len(element.text_content()) <= BANNER_SHARE * page_text


def _body_by_trafilatura(tree, **mode):
    """Return trafilatura's body in `mode` (favor_precision or favor_recall), as
    an element, or None. bare_extraction copies the tree: one parse serves all.

    Links stay as the page wrote them (no URL given: trafilatura would resolve
    every link of the page, read or not, against the site's root); _candidate
    makes a reading's links absolute against the page's URL, as a browser does.
    output_format "xml": the body tree only, without the plain text
    bare_extraction would otherwise render and we do not read."""
    document = trafilatura.bare_extraction(
        tree,
        output_format="xml",
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
    # trafilatura's HTML output, kept as a tree (not serialized and parsed back)
    return convert_to_html(document.body).find("body")


def _candidate(name, element, url=""):
    """A Candidate from a body element (its children are the body), its links
    made absolute against the page's `url`."""
    if element is None:
        return Candidate(name, "", "")
    if url:
        _absolute_links(element, url)
    html = _inner_html(element)
    links = sum(
        len(squash_whitespace("".join(a.itertext()))) for a in element.iter("a")
    )
    # The text from the same tree, once its HTML is taken (no second parse).
    return Candidate(name, html, element_to_text(element), link_chars=links)


def _rule_candidate(tree, rule, url):
    html = _body_by_rule(tree, rule)
    if not html:
        return Candidate("rule", "", "")
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return _candidate("rule", root, url)


# Elements trafilatura deletes, subtree and all, before it reads the body
# (settings.MANUALLY_CLEANED), and the largest of a page: without them its
# pruning XPaths visit a fifth less of the page. JSON-LD stays: it tells a
# forum's thread.
DROPPED_ANYWAY = (
    "nav", "footer", "aside", "script", "style", "svg", "noscript", "iframe",
)  # fmt: skip


def _without_what_trafilatura_drops(tree):
    """`tree` without the DROPPED_ANYWAY elements (their tail text kept), for
    trafilatura's precision reading without fallbacks, which reads the same
    body from it (tests/ingest/test_extract.py). Not for the fallbacks:
    readability and the recall mode's undo look at the page as it came."""
    for element in list(tree.iter(*DROPPED_ANYWAY)):
        if element.tag == "script" and element.get("type") == "application/ld+json":
            continue
        if element.getparent() is not None:
            element.drop_tree()
    return tree


def _opened_by_links(element):
    """How many paragraphs of a body open with a link, no text before it (what
    trafilatura's precision mode leaves of a paragraph whose text before its
    first link it dropped)."""
    if element is None:
        return 0
    return sum(
        1
        for p in element.iter("p")
        if not (p.text or "").strip() and len(p) and p[0].tag == "a"
    )


def _doubt(readings, opened_by_links, guard=GUARD):
    """What the cheap readings (the rule's, trafilatura's precision mode
    without its fallbacks, the JSON-LD body) leave in doubt: None when they
    are enough to choose from, "short" when the first article-like reading is
    short or there is none (trafilatura's fallbacks and the recall reading are
    needed), "cut" when it is much shorter than another or its paragraphs open
    with links as cut ones do (the recall reading is needed as a witness).

    On a page with a long first reading, trafilatura's fallbacks and its recall
    reading do not change the guard's choice (docs/benchmarks.md, issue #16)."""
    usable = [c for c in readings if c.text and not c.flaw(guard)]
    usable.sort(key=lambda c: PREFERENCE.index(c.name))
    if not usable or usable[0].length < SURE_LENGTH:
        return "short"
    first, longest = usable[0], max(usable, key=lambda c: c.length)
    if first.length < guard.shorter * longest.length:
        return "cut"
    if first.name == "precision" and guard.broken and opened_by_links >= guard.broken:
        return "cut"
    return None


def body_candidates(tree, url, rule=None, article_body=""):
    """The readings of the page's body the guard needs: the rule's,
    trafilatura's precision reading without its fallbacks and the JSON-LD
    body; when those leave a doubt (_doubt), trafilatura's recall reading
    too, and for a short first reading its precision reading with its
    fallbacks in place of the one without."""
    candidates = [] if rule is None else [_rule_candidate(tree, rule, url)]
    # A site-wide banner outside the article reads as its opening to a generic
    # extractor (issue #14); the rule's reading is taken before it goes.
    _without_site_banners(tree)
    if article_body.strip():
        candidates.append(json_ld_candidate(article_body))
    quick = _body_by_trafilatura(
        _without_what_trafilatura_drops(copy.deepcopy(tree)),
        favor_precision=True,
        fast=True,
    )
    opened_by_links = _opened_by_links(quick)
    precision = _candidate("precision", quick, url)
    doubt = _doubt([*candidates, precision], opened_by_links)
    if doubt == "short":
        full = _body_by_trafilatura(tree, favor_precision=True)
        precision = _candidate("precision", full, url)
    candidates.append(precision)
    if doubt:
        # fast: without the readability/jusText fallbacks; as good a witness
        # (docs/benchmarks.md).
        recall = _body_by_trafilatura(tree, favor_recall=True, fast=True)
        candidates.append(_candidate("recall", recall, url))
    return candidates


def _absolute_links(element, url):
    """Make the links of `element` absolute against the page's `url`; a link
    that cannot be read loses its address (as in the sanitizer)."""
    for link in element.iter("a"):
        href = link.get("href")
        if href is None:
            continue
        try:
            link.set("href", urljoin(url, href.strip()))
        except ValueError:
            del link.attrib["href"]


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
    if found.headline and found.byline and found.dek and found.image:
        # Only the date is missing: htmldate alone, as trafilatura's reader
        # asks it (set_date_params(extensive=False)); it reads a copy.
        date = find_date(
            tree,
            url=found.canonical_url or url,
            original_date=True,
            extensive_search=False,
            max_date=datetime.now().astimezone().strftime("%Y-%m-%d"),
        )
        found.published_at = parse_datetime(date or "")
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
