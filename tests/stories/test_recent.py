"""The in-memory postings give the same candidates as the database, and see what
other processes write."""

from datetime import timedelta

import pytest

from briefings.stories import assign, recent
from briefings.stories.models import StoryMembership
from tests.stories.test_assign import BODY, NOW, OTHER, article

pytestmark = pytest.mark.django_db(transaction=True)
PAPERS = ["the-korea-herald", "the-japan-news", "china-daily", "the-nation-thailand"]


@pytest.fixture(autouse=True)
def fresh_postings():
    recent.forget()
    yield
    recent.forget()


def _story(a):
    return StoryMembership.objects.get(article=a).story_id


def test_live_assignments_use_memory_and_group_like_the_database(network, monkeypatch):
    looked_up = []
    real = recent.recent_candidates

    def spy(*args):
        found = real(*args)
        looked_up.append(found)
        return found

    monkeypatch.setattr(assign, "recent_candidates", spy)
    assign.assign_article(article(PAPERS[2], "Typhoon in Luzon", "Rain. " * 20))
    a = article(PAPERS[0], "North Korea conducts nuclear test", BODY)
    b = article(PAPERS[3], "Thai election results", OTHER, NOW + timedelta(hours=1))
    c = article(PAPERS[1], "North Korea nuclear test", BODY + " Japan protests.", NOW)
    for x in (a, b, c):
        assign.assign_article(x)
    assert looked_up[1:] and None not in looked_up[1:]  # served from memory
    assert _story(a) == _story(c) != _story(b)


def test_postings_written_elsewhere_are_picked_up(network, monkeypatch):
    a = article(PAPERS[3], "Thai election results", OTHER)
    assign.assign_article(a)
    assign.assign_article(article(PAPERS[2], "Thai vote", OTHER + " Recount."))
    assert recent._recent.low is not None  # the range is in memory now
    b = article(PAPERS[0], "North Korea conducts nuclear test", BODY)
    with monkeypatch.context() as patched:  # as if another process assigned b
        patched.setattr(assign, "recent_candidates", lambda *args: None)
        assign.assign_article(b)
    c = article(PAPERS[1], "North Korea nuclear test", BODY + " Seoul reacts.")
    assign.assign_article(c)  # finds b only through the refresh
    assert _story(b) == _story(c) != _story(a)


def test_candidates_rank_like_the_sql_lookup(network):
    articles = [
        article(PAPERS[i % 4], f"North Korea nuclear test report {i}", BODY + " x" * i)
        for i in range(6)
    ]
    for x in articles:
        assign.assign_article(x)
    new = article(PAPERS[0], "North Korea conducts nuclear test", BODY)
    sig = assign.signature(
        *assign.article_text(new),
        int(new.published_at.timestamp()),
        assign.stored_idf(set(assign.text_terms(*assign.article_text(new)))),
    )
    window = assign.rule().window
    from_sql = [pk for pk, *_ in assign._candidates(new, sig, window)]
    from_memory = [pk for pk, *_ in assign._candidates(new, sig, window, True)]
    assert from_memory == from_sql
    assert len(from_sql) == 6


def test_old_postings_are_dropped_as_time_moves_on():
    postings = recent.RecentPostings()
    postings.low = 0
    postings.by_term["korea"] = [(10, 1, 0.5), (500, 2, 0.4)]
    postings.by_term["thai"] = [(20, 3, 0.3)]
    postings.size = 3
    postings.evict(100)
    assert dict(postings.by_term) == {"korea": [(500, 2, 0.4)]}
    assert (postings.low, postings.size) == (100, 1)
    assert postings.candidates(["korea", "thai"], 0, 1000, None, 5) == [2]
