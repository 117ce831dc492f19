"""Read the text of sanitized HTML, for search, excerpts and comparisons.

The sanitizer itself (the allowlist every stored body goes through, ingest's and
editors' alike) is briefings/articles/sanitize.py, below both ingest and the
admin in the layering.
"""

import lxml.html
from lxml import etree

BLOCKS = (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "tr", "br", "div",
    "section", "article", "table", "figure", "figcaption", "dd", "dt", "pre", "hr",
)  # fmt: skip


def html_to_text(html):
    """Return the text of `html`, one block (paragraph, heading, row) per line."""
    if not html:
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    return element_to_text(root)


def element_to_text(root):
    """html_to_text of a parsed fragment's root (an lxml element, HTML or
    not), without serializing and parsing it again. Rewrites the whitespace of
    the elements: pass a tree whose HTML was already taken."""
    for cell in root.iter("td", "th"):
        cell.tail = " " + (cell.tail or "")
    for block in root.iter(*BLOCKS):
        block.tail = "\n" + (block.tail or "")
        if block.tag not in {"br", "hr"}:
            block.text = "\n" + (block.text or "")
    text = "".join(root.itertext())
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
