"""Make outside HTML safe to store and show: the last stage before storage.

An nh3 (ammonia) allowlist: structure and text survive, nothing that runs or
styles does. Links and images are made absolute first, then only http(s) (and
mailto for links) URLs are kept.
"""

import lxml.html
import nh3
from lxml import etree

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
    "ol", "p", "pre", "q", "small", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
# Their content is dropped with them, not kept as text.
CLEAN_CONTENT_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "template",
}


def _keep_url(tag, attribute, value):
    if attribute not in {"href", "src", "cite"}:
        return value
    allowed = (
        ("http://", "https://", "mailto:") if tag == "a" else ("http://", "https://")
    )
    return value if value.strip().lower().startswith(allowed) else None


def _absolutize(html, base_url):
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html
    fragment.make_links_absolute(
        base_url, resolve_base_href=False, handle_failures="discard"
    )
    return "".join(
        [fragment.text or ""]
        + [lxml.html.tostring(child, encoding="unicode") for child in fragment]
    )


def sanitize_html(html, base_url=""):
    """Return `html` cut down to the allowlist, with absolute http(s) URLs."""
    if not html or not html.strip():
        return ""
    if base_url:
        html = _absolutize(html, base_url)
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_keep_url,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


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
    for cell in root.iter("td", "th"):
        cell.tail = " " + (cell.tail or "")
    for block in root.iter(*BLOCKS):
        block.tail = "\n" + (block.tail or "")
        if block.tag not in {"br", "hr"}:
            block.text = "\n" + (block.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
