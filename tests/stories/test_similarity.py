from briefings.stories.similarity import Idf, near_copy, score, signature

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
