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
    return cut.rstrip(" ,;:.-–—") + ellipsis


def word_count(text):
    return len(_WORD.findall(text or ""))
