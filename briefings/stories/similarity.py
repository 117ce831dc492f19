"""Score how likely two articles report the same event.

An article's signature is its TF-IDF vector (sublinear term frequency, the
headline counted twice, L2-normalized, cut to its strongest terms), the set of
names it mentions, the countries it names (places.py: countries, their cities and
people), a 64-bit SimHash of its terms, and its publication time. Two signatures
score the cosine of their vectors blended with the overlap of their names,
decayed with the time between them, and cut when both name countries but none in
common (an event happens somewhere: the Calicut air crash and an Indonesian one
the same week share their vocabulary, not their country); near-copies (SimHash
within a few bits) score 1. Nothing here touches the database.
"""

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field

from briefings.stories.places import countries as countries_named
from briefings.stories.tokenize import names, terms

TOP_TERMS = 48  # terms kept in a signature
LEAD_CHARS = 400  # the lead: the headline and the body's first characters
LEAD_TERMS = 32  # terms kept in the lead's vector
NAME_LIMIT = 24  # names kept in a signature
NEAR_COPY_BITS = 3  # SimHash distance at or under which two texts are copies
DAY = 86_400


@dataclass(frozen=True)
class Weights:
    """How a score is made; tuned on the development split (bench/stories_eval.py)."""

    names: float = 0.0  # share of the name overlap in the blend, the rest cosine
    half_life_days: float = 2.0  # the score halves with every this many days apart
    window_days: float = 5.0  # beyond this, never the same story
    apart: float = 0.1  # share kept when both name countries, none in common


DEFAULT_WEIGHTS = Weights()


class Idf:
    """Inverse document frequencies from document counts: `df` maps a term to the
    number of documents holding it, `n` is the number of documents."""

    def __init__(self, df=None, n=0):
        self.df = df if df is not None else {}
        self.n = n

    def __call__(self, term):
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 1))

    def add(self, term_set):
        """Count one more document holding `term_set`."""
        self.n += 1
        for term in term_set:
            self.df[term] = self.df.get(term, 0) + 1


@dataclass
class Signature:
    at: int  # publication time, seconds since the epoch
    terms: dict = field(default_factory=dict)  # term -> weight, unit length
    names: frozenset = frozenset()
    simhash: int = 0
    countries: frozenset = frozenset()  # country codes the article names
    lead: dict = field(default_factory=dict)  # the lead's terms, unit length

    @property
    def empty(self):
        return not self.terms

    def top(self, n):
        """Return the `n` strongest terms, strongest first (ties by term)."""
        ranked = sorted(self.terms.items(), key=lambda item: (-item[1], item[0]))
        return [term for term, _ in ranked[:n]]


def text_terms(headline, body):
    """Return the terms of an article: the headline's twice, then the body's."""
    head = terms(headline)
    return head + head + terms(body)


_LANE = 24  # bits per counter when the 64 bits of a hash are added at once
_SPREAD = [
    sum(1 << (bit * _LANE) for bit in range(8) if byte >> bit & 1)
    for byte in range(256)
]
_spread_cache = {}


def _spread(term):
    """Return the 64-bit hash of `term` with each bit moved into its own lane, so
    that adding spread hashes counts, in one integer sum, how many set each bit."""
    value = _spread_cache.get(term)
    if value is None:
        digest = hashlib.blake2b(term.encode(), digest_size=8).digest()
        value = 0
        for i, byte in enumerate(reversed(digest)):
            value |= _SPREAD[byte] << (i * 8 * _LANE)
        if len(_spread_cache) >= 100_000:  # bounded: ~40 MB
            _spread_cache.clear()
        _spread_cache[term] = value
    return value


def simhash(term_list):
    """Return the 64-bit SimHash of `term_list` as a signed integer (fits a
    BigIntegerField), 0 for no terms."""
    if not term_list:
        return 0
    counts = Counter(term_list)
    total = sum(counts.values())
    ones = sum(count * _spread(term) for term, count in counts.items())
    mask = (1 << _LANE) - 1
    value = 0
    for bit in range(64):
        if 2 * (ones >> (bit * _LANE) & mask) > total:
            value |= 1 << bit
    return value - (1 << 64) if value >= 1 << 63 else value


def _vector(term_list, idf, limit):
    """Return the TF-IDF vector of `term_list` (sublinear counts), cut to its
    `limit` strongest terms and of unit length, weights rounded."""
    counts = Counter(term_list)
    vector = {t: (1 + math.log(c)) * idf(t) for t, c in counts.items()}
    ranked = sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:limit]
    norm = math.sqrt(sum(w * w for _, w in ranked)) or 1.0
    return {t: round(w / norm, 5) for t, w in ranked}


def lead_terms(headline, body):
    """Return the terms of an article's lead: its headline and the body's first
    LEAD_CHARS characters. Two reports of one event open on it (who, what,
    where); two occurrences of one thread share the background further down."""
    return terms(f"{headline}\n{(body or '')[:LEAD_CHARS]}")


def signature(headline, body, at, idf, term_list=None, countries=None):
    """Return the Signature of an article published at `at` (epoch seconds);
    `countries` (codes) when the caller has read the places already."""
    if term_list is None:
        term_list = text_terms(headline, body)
    if countries is None:
        countries = countries_named(headline, body)
    found = names(f"{headline}\n{body}")
    kept = sorted(found, key=lambda n: (-idf(n), n))[:NAME_LIMIT]
    return Signature(
        at=int(at),
        terms=_vector(term_list, idf, TOP_TERMS),
        names=frozenset(kept),
        simhash=simhash(term_list),
        countries=frozenset(countries),
        lead=_vector(lead_terms(headline, body), idf, LEAD_TERMS),
    )


def near_copy(a, b):
    """Tell whether two signatures are of (nearly) the same text."""
    if a.empty or b.empty:
        return False
    return bin((a.simhash ^ b.simhash) & (1 << 64) - 1).count("1") <= NEAR_COPY_BITS


def cosine(a, b):
    return dot(a.terms, b.terms)


def lead_cosine(a, b):
    return dot(a.lead, b.lead)


def dot(a, b):
    """Return the dot product of two sparse vectors ({term: weight})."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def name_overlap(a, b):
    """Shared names over the smaller name set (0 when either has fewer than 2)."""
    smaller = min(len(a.names), len(b.names))
    if smaller < 2:
        return 0.0
    return len(a.names & b.names) / smaller


def score(a, b, weights=DEFAULT_WEIGHTS):
    """Return the same-event score of two signatures, from 0 to 1."""
    days = abs(a.at - b.at) / DAY
    if days > weights.window_days or a.empty or b.empty:
        return 0.0
    if near_copy(a, b):
        return 1.0
    blend = (1 - weights.names) * cosine(a, b) + weights.names * name_overlap(a, b)
    if a.countries and b.countries and a.countries.isdisjoint(b.countries):
        blend *= weights.apart
    return blend * 0.5 ** (days / weights.half_life_days)
