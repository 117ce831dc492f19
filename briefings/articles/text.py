"""Plain-text shaping shared by storage and display: excerpts, word counts."""

import re

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def squash_whitespace(text):
    """Return `text` with runs of white space folded to one space, trimmed."""
    return _SPACE.sub(" ", text or "").strip()


def cut_at_word(text, limit, ellipsis="…"):
    """Return `text` cut to at most `limit` characters at a word boundary.

    An ellipsis marks a cut; text that fits is returned whole.
    """
    text = squash_whitespace(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis) + 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    else:
        cut = cut[: limit - len(ellipsis)]
    return cut.rstrip(" ,;:.-–—…") + ellipsis  # one ellipsis, never two


def word_count(text):
    return len(_WORD.findall(text or ""))


# A sentence ends with . ! ? (or their CJK forms), maybe a closing quote or
# bracket, then white space: "Dr. Smith" cuts wrongly now and then, which costs
# a shorter excerpt, never a broken word.
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’)\]]*(?=\s|$)")
_ELLIPSES = ("…", "...")


def without_ellipsis(text):
    """Return `text` without the ellipsis a cut left at its end."""
    text = text.rstrip()
    for mark in _ELLIPSES:
        if text.endswith(mark):
            return text[: -len(mark)].rstrip(" ,;:-–—")
    return text


def cut_at_sentence(text, limit, ellipsis="…"):
    """Return `text` cut to at most `limit` characters, whole sentences when at
    least half the limit of them fits, else at a word boundary with one ellipsis.

    An ellipsis already at the cut is not doubled."""
    text = squash_whitespace(text)
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit + 1)]
    ends = [end for end in ends if end <= limit]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]]
    return cut_at_word(without_ellipsis(text), limit, ellipsis)


def sentences(text):
    """Split `text` into sentences (see _SENTENCE_END), white space folded."""
    text = squash_whitespace(text)
    found, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        found.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        found.append(text[start:].strip())
    return found
