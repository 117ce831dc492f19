"""The edition follows an editor's story decisions (issue #18 item 4): a merge
makes one item whose "covered by N papers" counts both papers (an editor's
merge is an editorial judgement of the same event); a chosen lead leads."""

from datetime import date, timedelta

import pytest

from briefings.newsletter.curate import curate, draft, send_moment
from briefings.stories import editing
from briefings.stories.assign import save_places
from tests.factories import make_article, make_story
from tests.newsletter.conftest import make_day_of_articles

pytestmark = pytest.mark.usefixtures("network")

DAY = date(2024, 3, 14)


def _two_stories_of_one_event():
    at = send_moment(DAY) - timedelta(hours=3)
    quake = make_article(
        "the-jakarta-post", headline="Quake hits Sumatra", published_at=at
    )
    toll = make_article(
        "the-straits-times",
        headline="Aceh counts its dead",
        published_at=at + timedelta(hours=1),
    )
    save_places([quake, toll])
    return make_story([quake]), make_story([toll]), quake, toll


def _items(edition, *articles):
    return [i for i in edition.items.all() if i.article in articles]


def test_an_editors_merge_makes_one_item_covered_by_both_papers():
    one, two, quake, toll = _two_stories_of_one_event()
    make_day_of_articles(DAY)
    apart = _items(curate(DAY), quake, toll)
    assert [i.papers for i in apart] == [1] * len(apart)

    editing.merge([one, two], into=one)
    (item,) = _items(draft(DAY, redo=True), quake, toll)
    assert item.papers == 2


def test_the_lead_an_editor_chose_leads_the_item():
    one, two, quake, toll = _two_stories_of_one_event()
    merged = editing.merge([one, two], into=one)
    editing.set_lead(merged, toll)
    make_day_of_articles(DAY)
    (item,) = _items(curate(DAY), quake, toll)
    assert item.article == toll
