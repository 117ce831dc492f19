"""Text hygiene: dek, excerpt and body never repeat each other (issue #14).

Papers print their standfirst twice (under the headline and again as the first
paragraph), open with a teaser cut with "…" followed by the whole paragraph,
or append their credit line to the body. Shown as they come, a card prints the
same sentence as dek and excerpt and an article page prints it twice. This
stage, run by the pipeline on every record before the last sanitizing, makes:

- the body: without a first block that repeats the dek, without an opening
  teaser that the next block (or the dek) repeats in full, without the credit
  line (stored and shown on its own);
- the dek: dropped when the body opens with it and it cannot be cut from the
  body as a whole block (the body is the paper's text: show less, not twice);
- the excerpt: the body's opening sentences that the dek does not hold, cut
  once on a sentence, or else a word, boundary.

Pure: strings in, strings out.
"""

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from briefings.articles.text import cut_at_sentence, sentences, without_ellipsis
from briefings.ingest.sanitize import html_to_text

EXCERPT_LENGTH = 240
# A repeat is judged on words alone (case, punctuation and spacing aside); a
# prefix under this many characters is too short to call a repeat.
MIN_REPEAT = 20
_WORDS = re.compile(r"\w+")
_WHOLE_SENTENCES = re.compile(r"[.!?。！？][\"'”’)\]]*$")


@dataclass
class Tidied:
    dek: str
    body_html: str
    excerpt: str


def words(text):
    """`text` as a comparable string: its words, case-folded, one space apart."""
    return " ".join(_WORDS.findall((text or "").casefold()))


def is_cut(text):
    """Whether `text` ends with the ellipsis of a cut."""
    return without_ellipsis(text) != (text or "").rstrip()


def opens_with(text, start):
    """Whether `text` opens with `start` (words compared, `start` long enough)."""
    start = words(without_ellipsis(start))
    return len(start) >= MIN_REPEAT and words(text).startswith(start)


def _fragment(html):
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def _serialize(root):
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def _drop_leading_breaks(element):
    """Remove the <br>s a dropped opening leaves at the start of `element`."""
    while not (element.text or "").strip() and len(element) and element[0].tag == "br":
        element.text = (element.text or "") + (element[0].tail or "")
        element.remove(element[0])


def drop_opening(html, line):
    """Return `html` without its opening block when that block reads `line`
    (an element, or the text before the first <br>); None when the opening is
    not such a block (it cannot be cut cleanly)."""
    root = _fragment(html)
    if root is None:
        return None
    target, container = words(line), root
    while True:
        lead = words(container.text)
        if lead:  # text before any child: a run of inline text up to a <br>
            if lead != target or not len(container) or container[0].tag != "br":
                return None
            container.text = ""
            _drop_leading_breaks(container)
            return _serialize(root)
        child = next((c for c in container if words(c.text_content())), None)
        if child is None:
            return None
        found = words(child.text_content())
        if found == target:
            child.drop_tree()
            _drop_leading_breaks(container)
            return _serialize(root)
        if not found.startswith(target):
            return None
        container = child  # a wrapper: its own opening may be the line


def _leading_text_holder(root):
    """The element whose leading text (.text) opens the body, or None."""
    element = root
    while not words(element.text):
        child = next((c for c in element if words(c.text_content())), None)
        if child is None:
            return None
        element = child
    return element


def drop_opening_sentences(html, dek):
    """Return `html` without the sentences of `dek` that open its first
    paragraph's plain text; None when they are not there as plain text."""
    root = _fragment(html)
    holder = _leading_text_holder(root) if root is not None else None
    tokens = (dek or "").split()
    if holder is None or not tokens or not _WHOLE_SENTENCES.search(dek):
        return None
    pattern = r"\s*" + r"\s+".join(re.escape(token) for token in tokens) + r"\s*"
    match = re.match(pattern, holder.text)
    if match is None:
        return None
    holder.text = holder.text[match.end() :]
    return _serialize(root)


def drop_credit(html, credit_text):
    """Return `html` without the block that reads `credit_text` (the credit
    line, stored on its own); unchanged when no element reads it."""
    target = words(credit_text)
    if len(target) < MIN_REPEAT or target not in words(html_to_text(html)):
        return html
    root = _fragment(html)
    if root is None:
        return html
    # The smallest element that reads the credit: its innermost match.
    matches = [e for e in root.iterdescendants() if words(e.text_content()) == target]
    if not matches:
        return html
    matches[-1].drop_tree()
    return _serialize(root)


def _repeats_opening(lines, dek):
    """Whether the body's first line repeats the dek, or is a teaser (cut with
    an ellipsis) that the next line or the dek tells in full."""
    first = lines[0]
    if words(first) and words(first) == words(dek):
        return True
    if not is_cut(first):
        return False
    following = lines[1] if len(lines) > 1 else ""
    return opens_with(following, first) or opens_with(dek, first)


def tidy_body(dek, body_html, credit_text=""):
    """Return (dek, body_html) without repeats (see the module's docstring)."""
    if credit_text:
        body_html = drop_credit(body_html, credit_text)
    for _ in range(3):  # a dek, then a teaser of it, then the paragraph
        lines = html_to_text(body_html).split("\n")
        if not lines[0] or not _repeats_opening(lines, dek):
            break
        shorter = drop_opening(body_html, lines[0])
        if shorter is None:
            break
        body_html = shorter
    first = html_to_text(body_html).split("\n")[0]
    if dek and (opens_with(first, dek) or words(first) == words(dek)):
        # The dek is the paragraph's opening sentences: told once, as the dek.
        # A dek cut short ("…"), or not plain text in the body, is dropped:
        # the body tells it, once is enough.
        shorter = None if is_cut(dek) else drop_opening_sentences(body_html, dek)
        if shorter is None or not words(html_to_text(shorter)):
            dek = ""
        else:
            body_html = shorter
    return dek, body_html


def excerpt_of(body_text, dek, limit=EXCERPT_LENGTH):
    """The body's opening for a card, without what the dek says and without a
    teaser line that the next line tells in full; cut once."""
    lines = [line for line in (body_text or "").split("\n") if line.strip()]
    kept = [
        line
        for line, following in zip(lines, [*lines[1:], ""], strict=True)
        if not (is_cut(line) and opens_with(following, line))
    ]
    told = words(dek)
    opening = []
    for sentence in sentences(" ".join(kept)):
        if not opening and told and words(sentence) and words(sentence) in told:
            continue  # the dek says it already
        opening.append(sentence)
        if sum(len(s) + 1 for s in opening) > limit:
            break
    excerpt = cut_at_sentence(" ".join(opening), limit)
    return "" if words(excerpt) == told else excerpt


def tidy(dek, body_html, credit_text=""):
    """Return Tidied(dek, body_html, excerpt) for a record's text."""
    dek, body_html = tidy_body(dek, body_html, credit_text)
    return Tidied(dek, body_html, excerpt_of(html_to_text(body_html), dek))
