"""Several readings of an article's body, and the guard that chooses one.

One extractor's reading can fail badly on a page nobody tuned for: trafilatura's
precision mode keeps only a paywalled page's reprint notice, or drops a
paragraph's text before its first link, or the last paragraphs. So the body is
read more than one way when that is cheap (the site's rule, trafilatura in
precision mode and in recall mode, the page's JSON-LD articleBody) and chosen by
agreement and article-likeness: length beside the others, paragraphs, link
density, boilerplate (reprint, cookie, subscribe and copyright notices), and
paragraphs that start mid-sentence. A body much shorter than another
article-like reading is never chosen silently: every choice comes with its
reason, stored on the article (Article.extraction_note) for editors.

The thresholds (Guard) were chosen by k-fold by site on the extraction
benchmark (bench/extraction_accuracy.py, docs/benchmarks.md); GUARD_GRID lists
the settings the benchmark tries.
"""

import html as html_lib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

# Order of preference: a site's rule, then precision, recall, the JSON-LD body.
PREFERENCE = ("rule", "precision", "recall", "json-ld")

# A short paragraph that reads as page furniture, not article text.
BOILERPLATE = re.compile(
    r"this copy is for your personal|non-commercial use only|order reprints?"
    r"|reprints? (?:and|&) permissions|all rights reserved"
    r"|copyright\s*(?:©|\(c\)|\d{4})"
    r"|©\s*\d{4}|\bcookies?\b|\bsubscribe\b|\bsubscription\b|\bsubscriber agreement"
    r"|sign up for (?:our|the) .{0,30}newsletter|an error has occurred",
    re.IGNORECASE,
)
BOILERPLATE_MAX_CHARS = 300  # a longer paragraph is article text that names them
# Characters that end a sentence (a paragraph starting after one is not cut).
SENTENCE_END = set('.!?:;"”’»。！？')
_WORDS = re.compile(r"\w+")
# A chosen body under this share of another reading's length is flagged in the
# note, whatever the guard's thresholds: never chosen silently.
MUCH_SHORTER = 0.5


@dataclass(frozen=True)
class Guard:
    """How the guard judges: `shorter`, a reading below this share of another
    article-like reading's length is passed over; `max_link_density`, above it a
    reading is a link list; `max_boilerplate`, above this share of its text a
    reading is furniture; `broken`, this many paragraphs starting mid-sentence
    that are the ends of another reading's paragraphs mark a reading as cut
    (0: not used); `agree`, a shorter reading is passed over only when the
    longer one holds at least this share of its text (they agree on the
    article)."""

    shorter: float = 0.3
    max_link_density: float = 0.3
    max_boilerplate: float = 0.5
    broken: int = 3
    agree: float = 0.0


# The settings the k-fold by site chose on every fold (docs/benchmarks.md).
GUARD = Guard()
GUARD_GRID = [
    Guard(shorter=s, max_link_density=d, broken=b, agree=a)
    for s, d, b, a in itertools.product(
        (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), (0.2, 0.3, 0.5, 0.7), (0, 2, 3), (0.0, 0.8)
    )
]


@dataclass
class Candidate:
    """One reading of the body, with what the guard looks at."""

    name: str
    html: str
    text: str
    link_chars: int = 0
    _cuts: dict = field(default_factory=dict, repr=False, compare=False)

    def cut_paragraphs(self, other):
        """How many of this reading's paragraphs start mid-sentence inside
        `other`'s paragraphs (counted once per pair: the benchmark asks for
        every Guard of the grid)."""
        if other.name not in self._cuts:
            wholes = [_squashed(p) for p in other.paragraphs]
            self._cuts[other.name] = sum(
                1 for p in self.paragraphs if _starts_mid_sentence(p, wholes)
            )
        return self._cuts[other.name]

    @cached_property
    def paragraphs(self):
        return [line for line in self.text.splitlines() if line.strip()]

    @cached_property
    def boilerplate_chars(self):
        return sum(
            len(p)
            for p in self.paragraphs
            if len(p) <= BOILERPLATE_MAX_CHARS and BOILERPLATE.search(p)
        )

    @cached_property
    def length(self):
        """Characters of article text: the text less its boilerplate paragraphs."""
        return len(self.text) - self.boilerplate_chars

    @cached_property
    def link_density(self):
        return self.link_chars / len(self.text) if self.text else 1.0

    def flaw(self, guard):
        """Why this reading is no article (empty, links, furniture), or ""."""
        if not self.text:
            return "empty"
        if self.link_density > guard.max_link_density:
            return f"{self.link_density:.0%} links"
        if self.boilerplate_chars > guard.max_boilerplate * len(self.text):
            return "mostly notices (reprint, cookie, subscribe, copyright)"
        return ""


def json_ld_candidate(article_body):
    """The page's JSON-LD articleBody as a candidate: one paragraph a line."""
    lines = [" ".join(line.split()) for line in article_body.splitlines()]
    lines = [line for line in lines if line]
    html = "".join(f"<p>{html_lib.escape(line)}</p>" for line in lines)
    return Candidate("json-ld", html, "\n".join(lines))


def containment(inner, outer):
    """Share of `inner`'s 4-word shingles also in `outer` (agreement)."""

    def shingles(text):
        words = _WORDS.findall(text)
        return Counter(zip(words, words[1:], words[2:], words[3:], strict=False))

    mine = shingles(inner.text)
    if not mine:
        return 0.0
    return sum((mine & shingles(outer.text)).values()) / sum(mine.values())


def _squashed(text):
    return "".join(text.split())


def _starts_mid_sentence(paragraph, others):
    """Whether `paragraph` (whitespace aside) starts inside a paragraph of
    `others`, after a character that does not end a sentence."""
    probe = _squashed(paragraph)[:60]
    if len(probe) < 15:
        return False
    for whole in others:
        at = whole.find(probe)
        if at > 0 and whole[at - 1] not in SENTENCE_END:
            return True
    return False


def _cut(candidate, others, guard):
    """The reading of `others` showing `candidate` cut mid-sentence, or None:
    at least `guard.broken` of `candidate`'s paragraphs start mid-sentence in a
    longer reading's paragraphs (trafilatura's precision mode can drop a
    paragraph's text before its first link)."""
    if not guard.broken:
        return None
    for other in others:
        # The JSON-LD body often runs paragraphs together: no witness of cuts.
        if other.name == "json-ld" or other.length <= candidate.length:
            continue
        if candidate.cut_paragraphs(other) >= guard.broken:
            return other
    return None


def _describe(candidate):
    return f"{candidate.name} {candidate.length:,} chars"


def choose(candidates, guard=GUARD):
    """Return (the chosen candidate, the reason) among `candidates`.

    The first article-like reading in PREFERENCE order wins unless it is much
    shorter than another article-like reading or shows cut paragraphs that
    another reading has whole; then the longest such reading wins. With no
    article-like reading, the first with any text, flagged; None when no
    reading has text. A chosen reading under half another's length says so.
    """
    ranked = sorted(candidates, key=lambda c: PREFERENCE.index(c.name))
    flaws = {c.name: c.flaw(guard) for c in ranked}
    usable = [c for c in ranked if not flaws[c.name]]
    notes = [f"{c.name}: {flaws[c.name]}" for c in ranked if flaws[c.name]]
    if not usable:
        # Nothing reads as an article (a page of links, a notice): the first
        # reading with any text, flagged, beats none; the feed may do better.
        texts = [c for c in ranked if c.text]
        if not texts:
            return None, "; ".join(notes) or "no reading"
        return texts[0], f"no article-like reading, kept {_describe(texts[0])} — " + (
            "; ".join(notes)
        )
    longest = max(usable, key=lambda c: c.length)
    for candidate in usable:
        if candidate.length < guard.shorter * longest.length:
            share = f"{guard.shorter:.0%}"
            agreement = containment(candidate, longest)
            if agreement >= guard.agree:
                notes.append(
                    f"{_describe(candidate)} is under {share} of {_describe(longest)}"
                )
                continue
            notes.append(
                f"kept although under {share} of {_describe(longest)}, which holds "
                f"only {agreement:.0%} of its text"
            )
        whole = _cut(candidate, usable, guard)
        if whole is not None:
            notes.append(
                f"{candidate.name} has paragraphs cut mid-sentence "
                f"that {whole.name} has whole"
            )
            return whole, _reason(whole, notes, usable)
        return candidate, _reason(candidate, notes, usable)
    return longest, _reason(longest, notes, usable)


def _reason(chosen, notes, usable):
    others = ", ".join(_describe(c) for c in usable if c is not chosen)
    parts = [f"{_describe(chosen)}, {len(chosen.paragraphs)} paragraphs"]
    longest = max(usable, key=lambda c: c.length)
    if chosen.length < MUCH_SHORTER * longest.length:
        share = chosen.length / longest.length
        parts.append(f"SHORTER: {share:.0%} of {_describe(longest)}, kept")
    if notes:
        parts.append("passed over: " + "; ".join(notes))
    if others:
        parts.append(f"also read: {others}")
    return " — ".join(parts)
