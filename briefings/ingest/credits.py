"""The paper's own credit, licence or copyright line of an article page.

Republishing a story without its credit breaks its licence and the network's
promise to its members, so the line is read on its own, wherever the layout
puts it (after the body, in a footer, beside the byline), and stored beside
the body: the article page shows it whether or not the body extractor kept it.

Preference, first found wins: an element named for the attribution
("attribution", "credit" but not a photo's), the block holding a
rel="license" link, then the copyright notice. The licence is the first
rel="license" link, in the credit line first, then anywhere on the page.
Pure: a parsed tree in, (HTML of the line, licence URL) out.
"""

import functools
import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from briefings.articles.text import squash_whitespace

# A credit line is one sentence or a few; a longer block is something else
# (a whole footer, an article).
MIN_CREDIT, MAX_CREDIT = 8, 600
_NAMED = (
    "attribution",
    "credit",
    "copyright",
    "licence",
    "license",
    "source-line",
)
_NOT_CREDITS = re.compile(r"photo|image|img|caption|video|media|pic", re.I)
# A site's banner, menu or cookie notice is not the article's credit.
_NOT_AROUND_CREDITS = re.compile(
    r"photo|image|img|caption|video|media|pic|banner|cookie|nav|menu", re.I
)
_BLOCKS = {"p", "div", "span", "footer", "small", "section", "aside", "font", "td"}


def _names(element):
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


_CLASS_ID_ROLE = etree.XPath(
    "descendant-or-self::*/@class | descendant-or-self::*/@id"
    " | descendant-or-self::*/@role"
)


def elements_named(tree, words, roles=()):
    """The elements of `tree` (itself included), in document order, whose
    class or id, in lower case, holds one of `words`, or whose role is one of
    `roles`. Only the attributes are visited (one XPath), not every element of
    the page through Python."""
    pattern = _any_of(tuple(words))
    found = {}
    for value in _CLASS_ID_ROLE(tree):
        if value in roles if value.attrname == "role" else pattern(value.lower()):
            found.setdefault(value.getparent(), None)
    return list(found)


@functools.cache
def _any_of(words):
    return re.compile("|".join(map(re.escape, words))).search


def _text(element):
    return squash_whitespace(element.text_content())


def _fits(element):
    return MIN_CREDIT <= len(_text(element)) <= MAX_CREDIT


def _named(tree):
    """Elements whose class or id holds one of the _NAMED words, in document
    order, not a photo's credit."""
    for element in elements_named(tree, _NAMED):
        if _NOT_CREDITS.search(_names(element)):
            continue
        if any(
            _NOT_AROUND_CREDITS.search(_names(up)) for up in element.iterancestors()
        ):
            continue  # inside a figure's caption, a gallery, the site's banner
        if _fits(element):
            yield element


_LICENSE_LINKS = CSSSelector('a[rel~="license"]', translator="html")


def _license_links(tree):
    return _LICENSE_LINKS(tree)


def _holding_block(link):
    """The smallest block around a rel="license" link that reads as a line."""
    for element in link.iterancestors():
        if element.tag in _BLOCKS and _fits(element):
            return element
    return None


def credit_element(tree):
    """Return the page's credit line element, or None."""
    named = list(_named(tree))
    for words in (("attribution",), ("credit", "source-line")):
        found = next((e for e in named if _any_of(words)(_names(e))), None)
        if found is not None:
            return found
    for link in _license_links(tree):
        block = _holding_block(link)
        if block is not None:
            return block
    return named[0] if named else None


def license_url(tree, credit, base_url):
    """The licence's address: the credit line's rel="license" link first."""
    links = _license_links(credit) if credit is not None else []
    for link in [*links, *_license_links(tree)]:
        href = urljoin(base_url, (link.get("href") or "").strip())
        if href.startswith(("http://", "https://")):
            return href
    return ""


def find_credit(tree, base_url):
    """Return (credit_html, license_url) of a parsed page; "" for what is absent.

    The HTML is the line's inner HTML, unsanitized: the pipeline sanitizes it
    like the body."""
    credit = credit_element(tree)
    html = ""
    if credit is not None:
        html = (credit.text or "") + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in credit
        )
    return html, license_url(tree, credit, base_url)


def find_credit_in_html(html, base_url):
    """find_credit for a fragment (a feed entry's content)."""
    if not html:
        return "", ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return "", ""
    return find_credit(root, base_url)
