import pytest

from briefings.stories.cluster import DEFAULT_THRESHOLD
from briefings.stories.similarity import (
    DEFAULT_WEIGHTS,
    Idf,
    near_copy,
    score,
    signature,
)
from briefings.stories.tiers import APART, SAME_EVENT, features, same_event_probability

DAY = 86_400
BODY = (
    "North Korea said it had carried out its first underground nuclear test, "
    "defying warnings from China, Japan and the United States."
)


def sig(title, body, day=0, idf=None):
    return signature(title, body, day * DAY, idf or Idf())


def test_identical_texts_are_near_copies_and_score_one():
    a, b = sig("Nuclear test", BODY), sig("Nuclear test", BODY)
    assert near_copy(a, b)
    assert score(a, b) == 1.0


def test_same_event_scores_above_a_different_event():
    a = sig("North Korea conducts nuclear test", BODY)
    b = sig(
        "Pyongyang explodes atomic device", "North Korea nuclear test defied China."
    )
    c = sig("Thai election results", "Thaksin's party won the vote in Bangkok.")
    assert score(a, b) > score(a, c)


def test_score_decays_with_time_and_stops_at_the_window():
    a = sig("North Korea conducts nuclear test", BODY)
    near = sig("North Korea nuclear test reaction", BODY + " More.", day=1)
    far = sig("North Korea nuclear test reaction", BODY + " More.", day=30)
    assert score(a, near) > 0
    assert score(a, far) == 0.0


def test_empty_articles_never_match():
    assert score(sig("", ""), sig("", "")) == 0.0


def test_simhash_counts_every_bit_like_the_bitwise_definition():
    import hashlib
    from collections import Counter

    from briefings.stories.similarity import simhash, text_terms

    def bitwise(term_list):
        totals = [0] * 64
        for term, count in Counter(term_list).items():
            digest = int.from_bytes(
                hashlib.blake2b(term.encode(), digest_size=8).digest()
            )
            for bit in range(64):
                totals[bit] += count if digest >> bit & 1 else -count
        value = sum(1 << bit for bit in range(64) if totals[bit] > 0)
        return value - (1 << 64) if value >= 1 << 63 else value

    for text in (BODY, "a b", "北朝鮮が核実験 North Korea " * 50, "x"):
        term_list = text_terms(text, text)
        assert simhash(term_list) == bitwise(term_list)


CRASH = (
    "A passenger plane overshot the runway while landing in heavy rain on Friday, "
    "broke in two and caught fire; rescuers pulled survivors from the wreckage and "
    "the aviation authority opened an investigation into the crash. {where}"
)
OTHER_CRASH = (
    "A passenger plane crashed on landing on Friday and caught fire; rescuers "
    "searched the wreckage for survivors and investigators recovered the flight "
    "recorders. {where}"
)


def test_the_same_kind_of_event_in_two_countries_is_two_events():
    idf = Idf()
    india = sig(
        "Plane crashes on landing", CRASH.format(where="Calicut, India."), 0, idf
    )
    again = sig("Jet skids off runway", CRASH.format(where="Mumbai airport."), 0, idf)
    elsewhere = sig(
        "Passenger jet crashes", OTHER_CRASH.format(where="Medan, Indonesia."), 0, idf
    )
    unplaced = sig("Passenger jet crashes", OTHER_CRASH.format(where=""), 0, idf)
    assert india.countries == again.countries == {"IN"}  # Mumbai is in India
    assert elsewhere.countries == {"ID"}
    window = DEFAULT_WEIGHTS.window_days
    assert same_event_probability(india, again, window) >= DEFAULT_THRESHOLD
    # No country named on one side: no cut.
    assert same_event_probability(india, unplaced, window) >= DEFAULT_THRESHOLD
    assert same_event_probability(india, elsewhere, window) < DEFAULT_THRESHOLD
    assert same_event_probability(india, elsewhere, window) == pytest.approx(
        APART * SAME_EVENT.probability(features(india, elsewhere))
    )
