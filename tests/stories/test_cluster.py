import json
from datetime import UTC, datetime

from briefings.stories.cluster import Clusterer
from briefings.stories.similarity import Idf, signature, text_terms
from tests.conftest import require_demo_corpus

DAY = 86_400


def corpus_signatures(limit=1500):
    """Signatures of the demo corpus' first `limit` articles, in publication order,
    with the corpus' own document frequencies."""
    with require_demo_corpus().open(encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(limit), lines, strict=False)]
    idf = Idf()
    term_lists = [text_terms(r["title"], r["body"]) for r in rows]
    for term_list in term_lists:
        idf.add(set(term_list))
    signed = []
    for i, (row, term_list) in enumerate(zip(rows, term_lists, strict=True)):
        day = datetime.strptime(row["date"][:10], "%Y-%m-%d").replace(tzinfo=UTC)
        at = int(day.timestamp()) + i % 24 * 3600
        signed.append(
            (row["id"], signature(row["title"], row["body"], at, idf, term_list))
        )
    return sorted(signed, key=lambda item: (item[1].at, item[0]))


def as_partition(groups):
    return sorted(sorted(members) for members in groups.values())


def test_streaming_gives_the_same_stories_and_lets_closed_ones_go():
    signed = corpus_signatures()
    whole = Clusterer()
    streaming = Clusterer(streaming=True)
    taken, most_open = {}, 0
    for key, sig in signed:
        whole.add(key, sig)
        streaming.add(key, sig)
        taken.update(streaming.take_closed())
        most_open = max(most_open, len(streaming.story_of))
    taken.update(streaming.take_closed(everything=True))

    assert as_partition(taken) == as_partition(whole.stories())
    assert sum(len(members) for members in taken.values()) == len(signed)
    # Only the stories still open are held: far fewer than all the articles.
    assert most_open < len(signed) / 4
    assert not streaming.story_of and not streaming.spans


def test_a_closed_story_is_one_no_later_article_could_join():
    clusterer = Clusterer(streaming=True)
    idf = Idf()
    text = "Typhoon floods Manila, thousands evacuated from the capital"
    first = signature(text, text, 0, idf)
    clusterer.add("a", first)
    window = clusterer.rule.window
    clusterer.add("b", signature(text, text, window, idf))
    assert clusterer.take_closed() == {}  # "b" joined "a": exactly a window apart
    clusterer.add("c", signature(text, text, window + 1, idf))
    assert clusterer.take_closed() == {"a": ["a", "b"]}
    assert clusterer.story_of == {"c": "c"}  # too late for "a": a story of its own


def test_a_story_is_joined_by_matching_most_of_it_not_one_member():
    from briefings.stories.cluster import Rule, choose_story
    from tests.stories.test_assign import BODY, OTHER

    idf = Idf()
    a = signature("North Korea conducts nuclear test", BODY, 0, idf)
    b = signature("North Korea test and Thai vote", f"{BODY} {OTHER}", 3600, idf)
    c = signature("Thai election results", OTHER, 7200, idf)
    clusterer = Clusterer()
    for key, sig in (("a", a), ("b", b), ("c", c)):
        clusterer.add(key, sig)
    assert clusterer.stories() == {"a": ["a", "b"], "c": ["c"]}
    # One member alone ("b") would have let "c" in: what the rule prevents.
    rule = Rule()
    scored = [(rule.score(c, b), "a")]
    assert choose_story(c.at, scored, {"a": (0, 3600)}, rule)[0] == "a"
    refused = choose_story(c.at, scored, {"a": (0, 3600)}, rule, lambda s: [a, b], c)
    assert refused[0] is None
