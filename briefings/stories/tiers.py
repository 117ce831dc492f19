"""Two relations between articles, each named for what it is (issue #12).

- **Same event**: both report one occurrence (one vote, attack, crash, ruling).
  It is what "Also covered by", "Full coverage: N reports" and the newsletter's
  "covered by N papers" promise, so it is tuned for precision: a missing link
  costs a reader less than a false one.
- **Same thread**: the same event, or the same ongoing story with a distinct
  occurrence (two bombings of one insurgency, a coup and the junta's ban on
  meetings days later). It feeds "Follow the story", never counted as coverage.

Each is a logistic regression over features of two signatures (similarity.py),
fitted on the development split of bench/data/story_pairs.jsonl by
bench/stories_tiers.py, which prints the coefficients below, the k-fold and
held-out figures and the worst cases; its threshold is chosen on the
development split's leave-one-out probabilities (docs/stories-evaluation.md).
The same-event model reads content only, not the days apart (beyond the window,
never the same event): the demo squeezes 16 years into 30 days, and grouping must
stay precise when time says nothing.
Near-copies (one wire story in several papers) are the same event whatever
the model says. Nothing here touches the database.
"""

import math
from dataclasses import dataclass

from briefings.stories.similarity import (
    DAY,
    cosine,
    lead_cosine,
    name_overlap,
    near_copy,
)

APART = 0.1  # share of the same-event probability kept for countries apart
THREAD_DAYS = 14  # two articles further apart are not followed as one thread
FEATURES = ("cosine", "names", "names_jaccard", "countries", "apart", "lead", "days")


def features(a, b):
    """Return {feature: value} of two signatures (see FEATURES)."""
    ca, cb = a.countries, b.countries
    either_names = a.names | b.names
    return {
        "cosine": cosine(a, b),
        "names": name_overlap(a, b),
        "names_jaccard": (
            len(a.names & b.names) / len(either_names) if either_names else 0.0
        ),
        # Neither names a country: no evidence either way.
        "countries": len(ca & cb) / len(ca | cb) if ca | cb else 0.5,
        "apart": 1.0 if ca and cb and ca.isdisjoint(cb) else 0.0,
        "lead": lead_cosine(a, b),
        "days": abs(a.at - b.at) / DAY,
    }


@dataclass(frozen=True)
class Model:
    """A logistic regression: P = 1 / (1 + exp(-(intercept + sum(w * x))))."""

    intercept: float
    weights: tuple  # ((feature, weight), ...)
    threshold: float  # probability at which the relation is asserted

    def probability(self, values):
        total = self.intercept + sum(w * values[name] for name, w in self.weights)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


# Same event: fitted by bench/stories_tiers.py on the development split (233
# pairs: the first batch's 142 and the second batch's 91, issue #12), with the
# feature set its --compare chose there; threshold: the lowest leave-one-out
# probability at which the development split's precision reaches 0.90. The
# same-event model no longer reads the share of the smaller text's names found
# in the other ("names"): with few names, a short report shared most of them
# with an unrelated one of the same country (docs/benchmarks.md, the replay).
SAME_EVENT = Model(
    intercept=-4.6326,
    weights=(
        ("cosine", 8.9299),
        ("names_jaccard", -1.6369),
        ("countries", 1.4861),
        ("apart", -1.3167),
        ("lead", 6.9704),
    ),
    threshold=0.873,
)
# Same thread: the model fitted on the first batch's 142 development pairs,
# kept. The second batch's --compare pick (cosine, countries, apart, lead; 0.74)
# reached held-out precision 0.883 against the second annotator, under the
# 0.90 promise; this one, fixed before the second batch was labelled, holds it
# there (docs/benchmarks.md). bench/stories_tiers.py refits it on the first
# batch's development pairs.
SAME_THREAD = Model(
    intercept=-2.1448,
    weights=(("cosine", 15.3029), ("names", 5.7149), ("lead", 13.3213)),
    threshold=0.915,
)


@dataclass(frozen=True)
class Judgement:
    score: float  # same-event probability, 0 to 1
    same_event: bool
    thread: float  # same-thread probability, 0 to 1
    same_thread: bool


def same_event_probability(a, b, window_days, values=None):
    """Return the probability that two signatures report the same event: 0
    beyond `window_days` apart or for an empty text, 1 for near-copies."""
    if a.empty or b.empty or abs(a.at - b.at) > window_days * DAY:
        return 0.0
    if near_copy(a, b):
        return 1.0
    values = values or features(a, b)
    probability = SAME_EVENT.probability(values)
    if values["apart"]:
        # An event happens somewhere: both name countries, none in common (the
        # Calicut air crash and an Indonesian one the same week). A rule on top
        # of the model, kept from issue #5: no labelled pair crosses it.
        probability *= APART
    return probability


def judge(a, b, window_days, thread_days=THREAD_DAYS):
    """Return the Judgement of two signatures: same event within `window_days`,
    same thread within `thread_days` (a thread runs longer than an event). The
    same event is the same thread too."""
    if a.empty or b.empty:
        return Judgement(0.0, False, 0.0, False)
    values = features(a, b)
    event = same_event_probability(a, b, window_days, values)
    is_event = event >= SAME_EVENT.threshold
    thread = 0.0
    if values["days"] <= thread_days:
        thread = SAME_THREAD.probability(values)
    if is_event:
        thread = max(thread, event)
    return Judgement(event, is_event, thread, thread >= SAME_THREAD.threshold)
