"""Rivers interleave papers: no paper holds more than a third of a page while
others have stories from the same day, and paging loses or repeats nothing
(issue #14)."""

import random
from collections import Counter
from datetime import timedelta

import pytest

from django.utils import timezone

from briefings.web import rivers
from briefings.web.pagination import page_after

from ..factories import make_article

# Noon of the last day that has had its noon: every story of a test in one day.
NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
if NOW > timezone.now():
    NOW -= timedelta(days=1)
PAPERS = ("dawn", "the-korea-herald", "the-star", "kuensel", "china-daily")


def _all_pages(size):
    pages, cursor = [], ""
    while True:
        articles, cursor = page_after(rivers.everything(), cursor, size=size)
        pages.append(articles)
        assert len(pages) < 100, "the river does not end"
        if not cursor:
            return pages


def _story(paper, minutes_ago):
    at = NOW - timedelta(minutes=minutes_ago)
    return make_article(paper, published_at=at, updated_at=at)


@pytest.fixture
def flood(network):
    """One paper with 40 stories in a morning, four others with 2 each."""
    stories = [_story("dawn", n) for n in range(40)]
    stories += [_story(p, 5 + 10 * n) for p in PAPERS[1:] for n in range(2)]
    return stories


def test_a_busy_paper_gets_a_third_of_each_page_while_others_have_stories(flood):
    pages = _all_pages(size=9)
    first = Counter(a.publication.slug for a in pages[0])
    assert first["dawn"] == 3 and len(pages[0]) == 9
    shown = [a.pk for page in pages for a in page]
    assert sorted(shown) == sorted(a.pk for a in flood)  # each once, none lost


def test_a_paper_alone_fills_its_pages(network):
    stories = [_story("dawn", n) for n in range(20)]
    pages = _all_pages(size=9)
    assert [len(page) for page in pages] == [9, 9, 2]
    shown = [a.pk for page in pages for a in page]
    assert shown == [a.pk for a in stories]  # newest first, as published


def test_random_rivers_page_through_every_story_once(network):
    picker = random.Random(14)
    stories = [
        _story(picker.choice(PAPERS[:3] * 5 + PAPERS), picker.randrange(6000))
        for _ in range(80)
    ]
    for size in (5, 9, 30):
        pages = _all_pages(size)
        shown = [a.pk for page in pages for a in page]
        assert sorted(shown) == sorted(a.pk for a in stories), size


def test_paging_past_the_end_is_not_found(client, flood):
    first = client.get("/")
    assert first.status_code == 200
    old = (NOW - timedelta(days=400)).timestamp()
    assert client.get(f"/?before={int(old * 1_000_000)}-1").status_code == 404
