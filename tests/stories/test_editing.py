"""An editor's merge, split and lead choice (stories/editing.py): addresses keep
working, and the decision sticks against the re-check, the rebuild and the
live assignment (issue #18 item 4, issue #12's edge case)."""

from datetime import timedelta

import pytest

from django.utils import timezone

from briefings.articles.models import Article
from briefings.stories import editing
from briefings.stories import rebuild as rebuild_module
from briefings.stories.assign import assign_article
from briefings.stories.leading import most_covered
from briefings.stories.models import Story, StoryMembership, StoryRedirect
from briefings.stories.related import also_covered_by
from tests.factories import make_story
from tests.stories.test_assign import BODY, NOW, OTHER, article, story_ids

pytestmark = pytest.mark.django_db

# Two reports of one event the rule keeps apart (nothing in common but the
# event): an editor knows better.
QUAKE = (
    "A strong earthquake shook Mindanao on Tuesday, toppling houses in Davao "
    "and cutting power across the island; rescuers searched the rubble."
)
QUAKE_TOO = (
    "Relief teams reached villages south of Davao where the tremor flattened "
    "schools; the death toll rose to 40, officials said."
)


def _two_stories_of_one_event():
    a = article("the-jakarta-post", "Earthquake hits Mindanao", QUAKE)
    b = article(
        "the-straits-times",
        "Davao toll rises",
        QUAKE_TOO,
        at=NOW + timedelta(hours=2),
    )
    assign_article(a), assign_article(b)
    first, second = story_ids(a, b)
    assert first != second  # the machine keeps them apart
    return a, b


def test_a_merge_joins_the_articles_and_the_old_address_redirects(network, client):
    a, b = _two_stories_of_one_event()
    kept, gone = story_ids(a, b)
    merged = editing.merge(Story.objects.filter(pk__in=[kept, gone]), into=None)
    assert merged.pk == kept  # equal sizes: the older story keeps its address
    assert story_ids(a, b) == [kept, kept]
    assert not Story.objects.filter(pk=gone).exists()
    story = Story.objects.get(pk=kept)
    assert story.article_count == 2 and story.locked_by_editor
    assert set(StoryMembership.objects.values_list("pinned_by_editor", flat=True)) == {
        True
    }
    answer = client.get(f"/story/{gone}/")
    assert (answer.status_code, answer["Location"]) == (301, f"/story/{kept}/")
    page = client.get(f"/story/{kept}/").content.decode()
    assert "The Jakarta Post" in page and "The Straits Times" in page
    # The same-event labels count the editor's merge: it is a judgement.
    assert also_covered_by(a) == [b.pk]


def test_a_merge_keeps_the_chosen_address_and_moves_older_redirects(network, client):
    a, b = _two_stories_of_one_event()
    first, second = story_ids(a, b)
    StoryRedirect.objects.create(old_id=999_001, story_id=first)
    editing.merge(list(Story.objects.all()), into=Story.objects.get(pk=second))
    assert story_ids(a, b) == [second, second]
    for old in (first, 999_001):
        answer = client.get(f"/story/{old}/")
        assert (answer.status_code, answer["Location"]) == (301, f"/story/{second}/")


@pytest.mark.parametrize("locked", [True, False])
def test_the_recheck_does_not_undo_a_merge(network, locked):
    a = article("the-korea-herald", "North Korea conducts nuclear test", BODY)
    c = article("the-nation-thailand", "Thai election results", OTHER, NOW)
    assign_article(a), assign_article(c)
    editing.merge(list(Story.objects.all()))
    if not locked:
        editing.release(Story.objects.get())
    rebuild_module.recheck()
    first, second = story_ids(a, c)
    # Locked, the merge stands; released, the rule splits the two events again
    # (so the lock, not the rule, is what kept them).
    assert (first == second) is locked


def test_the_rebuild_does_not_undo_a_merge(network):
    a, b = _two_stories_of_one_event()
    editing.merge(list(Story.objects.all()))
    rebuild_module.rebuild()
    first, second = story_ids(a, b)
    assert first == second
    assert Story.objects.get(pk=first).locked_by_editor


def _one_story_of_three():
    papers = ["the-korea-herald", "the-japan-news", "china-daily"]
    found = [
        article(p, "North Korea conducts nuclear test", BODY, NOW + timedelta(hours=i))
        for i, p in enumerate(papers)
    ]
    for a in found:
        assign_article(a)
    assert len(set(story_ids(*found))) == 1
    return found


def test_a_split_keeps_the_address_for_what_stays(network, client):
    a, b, c = _one_story_of_three()
    original = Story.objects.get()
    new = editing.split(original, [c.pk])
    assert story_ids(a, b, c) == [original.pk, original.pk, new.pk]
    original.refresh_from_db(), new.refresh_from_db()
    assert (original.article_count, new.article_count) == (2, 1)
    assert original.locked_by_editor and new.locked_by_editor
    assert new.first_report_id == c.pk
    assert client.get(f"/story/{original.pk}/").status_code == 200
    assert client.get(f"/story/{new.pk}/").status_code == 200
    assert also_covered_by(a) == [b.pk]


def test_split_out_articles_stay_out_through_recheck_and_new_versions(network):
    a, b, c = _one_story_of_three()
    original = Story.objects.get()
    new = editing.split(original, [c.pk])
    assert rebuild_module.recheck() == 0
    assert story_ids(a, b, c) == [original.pk, original.pk, new.pk]
    # The paper updates the article: the live assignment would put it back
    # with the others; an editor placed it, so it stays.
    Article.objects.filter(pk=c.pk).update(body_text=BODY + " The UN condemned it.")
    c.refresh_from_db()
    assign_article(c)
    assert story_ids(c) == [new.pk]
    rebuild_module.rebuild()
    assert story_ids(a, b, c) == [original.pk, original.pk, new.pk]


def test_a_locked_story_still_gathers_new_reports_by_the_rule(network):
    a, b, c = _one_story_of_three()
    story = Story.objects.get()
    editing.set_lead(story, b)
    later = article(
        "the-star", "North Korea conducts nuclear test", BODY, NOW + timedelta(hours=5)
    )
    assign_article(later)
    assert story_ids(later) == [story.pk]
    story.refresh_from_db()
    assert story.article_count == 4
    assert story.lead_id == b.pk and story.headline == b.headline


@pytest.mark.parametrize(
    "pick, reason",
    [
        (lambda a, b, c, other: [], "Choose"),
        (lambda a, b, c, other: [a.pk, b.pk, c.pk], "must stay"),
        (lambda a, b, c, other: [other.pk], "Only articles of this story"),
    ],
    ids=["none", "all", "not-a-member"],
)
def test_a_split_that_makes_no_sense_is_refused(network, pick, reason):
    a, b, c = _one_story_of_three()
    other = article("the-nation-thailand", "Thai election results", OTHER)
    assign_article(other)
    story = StoryMembership.objects.get(article=a).story
    with pytest.raises(editing.EditError, match=reason):
        editing.split(story, pick(a, b, c, other))
    assert story_ids(a, b, c) == [story.pk] * 3


def test_the_lead_leads_the_page_the_front_and_survives_an_older_report(network):
    at = timezone.now() - timedelta(hours=6)
    first = article("the-korea-herald", "North Korea conducts nuclear test", BODY, at)
    chosen = article(
        "the-japan-news", "Pyongyang tests a bomb", BODY, at + timedelta(hours=1)
    )
    assign_article(first), assign_article(chosen)
    story = Story.objects.get()
    editing.set_lead(story, chosen)
    assert (story.lead_id, story.headline) == (chosen.pk, "Pyongyang tests a bomb")
    assert most_covered()[0][0] == chosen.pk
    # An older report arrives: it becomes the first report, not the lead.
    before = at - timedelta(hours=1)
    older = article("china-daily", "North Korea conducts nuclear test", BODY, before)
    assign_article(older)
    story.refresh_from_db()
    assert story.first_report_id == older.pk
    assert (story.lead_id, story.headline) == (chosen.pk, "Pyongyang tests a bomb")
    with pytest.raises(editing.EditError):
        other = article("the-nation-thailand", "Thai election results", OTHER)
        editing.set_lead(story, other)


def test_a_split_lead_leads_its_new_story(network):
    a, b, c = _one_story_of_three()
    story = Story.objects.get()
    editing.set_lead(story, c)
    new = editing.split(story, [c.pk])
    story.refresh_from_db(), new.refresh_from_db()
    assert story.lead_id is None and story.headline == a.headline
    assert new.lead_id == c.pk


def test_merging_a_chained_story_is_an_editors_call_the_recheck_respects(network):
    # The recheck would split this chain (test_rebuild); once an editor merged
    # it with another story, it is the editor's and stays whole.
    a = article("the-korea-herald", "North Korea conducts nuclear test", BODY)
    b = article(
        "the-japan-news",
        "North Korea test and Thai vote",
        f"{BODY} {OTHER}",
        at=NOW + timedelta(hours=1),
    )
    c = article("the-nation-thailand", "Thai election results", OTHER, NOW)
    chained = make_story([a, b])
    alone = make_story([c])
    editing.merge([chained, alone], into=chained)
    rebuild_module.recheck()
    assert story_ids(a, b, c) == [chained.pk] * 3


def test_a_pinned_story_merged_by_the_recheck_keeps_its_pin(network, settings):
    from briefings.stories.models import Pin

    a = article("the-korea-herald", "North Korea conducts nuclear test", BODY)
    b = article(
        "the-japan-news",
        "North Korea conducts nuclear test",
        BODY,
        at=NOW + timedelta(hours=1),
    )
    settings.BRIEFINGS_STORY_THRESHOLD = 1.01  # assignment keeps them apart
    assign_article(a), assign_article(b)
    kept, merged = story_ids(a, b)
    editing.pin(story=Story.objects.get(pk=merged))
    settings.BRIEFINGS_STORY_THRESHOLD = 0.832
    assert rebuild_module.recheck() > 0
    assert Pin.objects.get().story_id == kept
