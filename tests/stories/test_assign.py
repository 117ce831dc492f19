from datetime import timedelta

import pytest

from django.utils import timezone

from briefings.stories.assign import assign_article
from briefings.stories.models import Story, StoryMembership
from briefings.stories.rebuild import rebuild
from tests.factories import make_article

BODY = (
    "North Korea said on Monday it had carried out its first underground nuclear "
    "test at a site in North Hamgyong province, defying warnings from China, "
    "Japan, South Korea and the United States. Seismic monitors in Seoul "
    "recorded a tremor of magnitude 4.2. The UN Security Council will meet."
)
OTHER = (
    "Thailand's Election Commission announced the results of the snap election "
    "in Bangkok, where the Thai Rak Thai party of Thaksin Shinawatra won most "
    "seats amid an opposition boycott and a record number of abstentions."
)
NOW = timezone.now() - timedelta(days=1)


def article(publication, headline, body, at=NOW):
    return make_article(
        publication,
        headline=headline,
        dek="",
        body_text=body,
        published_at=at,
        updated_at=at,
    )


@pytest.fixture
def papers(network):
    return ["the-korea-herald", "the-japan-news", "china-daily", "the-nation-thailand"]


def story_ids(*articles):
    return [StoryMembership.objects.get(article=a).story_id for a in articles]


def test_byte_identical_articles_from_two_papers_share_a_story(papers):
    a = article(papers[0], "North Korea conducts nuclear test", BODY)
    b = article(papers[1], "North Korea conducts nuclear test", BODY)
    assign_article(a), assign_article(b)
    assert story_ids(a)[0] == story_ids(b)[0]
    assert Story.objects.get().article_count == 2


def test_a_reworded_report_joins_and_a_different_event_does_not(papers):
    a = article(papers[0], "North Korea conducts nuclear test", BODY)
    b = article(
        papers[1],
        "Pyongyang explodes nuclear device underground",
        "North Korea's nuclear test in North Hamgyong defied China, Japan and the "
        "United States; the Security Council meets after Seoul felt the tremor.",
        NOW + timedelta(hours=3),
    )
    c = article(papers[3], "Thai election results", OTHER, NOW + timedelta(hours=1))
    for x in (a, b, c):
        assign_article(x)
    first, second, third = story_ids(a, b, c)
    assert first == second != third


@pytest.mark.parametrize(
    "headline, body",
    [("", ""), ("Word", ""), ("Nuclear", "x" * 1_000_000)],
    ids=["empty", "one-word", "1MB"],
)
def test_empty_one_word_and_huge_articles_get_a_story(papers, headline, body):
    a = article(papers[0], headline, body)
    membership = assign_article(a)
    assert membership.story.article_count == 1


def test_assigning_again_changes_nothing(papers):
    a = article(papers[0], "North Korea conducts nuclear test", BODY)
    first = assign_article(a)
    again = assign_article(a)
    assert (again.pk, again.story_id) == (first.pk, first.story_id)
    assert Story.objects.count() == 1


def test_an_updated_article_is_reassigned_without_orphans(papers):
    a = article(papers[0], "North Korea conducts nuclear test", BODY)
    b = article(papers[1], "Thai election results", OTHER)
    assign_article(a), assign_article(b)
    a.headline, a.body_text = "Thai election results", OTHER + " Updated."
    a.save()
    assign_article(a)
    assert story_ids(a) == story_ids(b)
    assert Story.objects.count() == 1
    assert not Story.objects.filter(members__isnull=True).exists()


def test_stories_never_span_more_than_the_window(papers, settings):
    settings.BRIEFINGS_STORY_WINDOW_DAYS = 2
    chain = [
        article(
            papers[i % 3],
            "North Korea conducts nuclear test",
            BODY,
            NOW + timedelta(days=d),
        )
        for i, d in enumerate((-6, -5, -4, -3, -2, -1, 0))
    ]
    for a in chain:
        assign_article(a)
    for story in Story.objects.all():
        span = story.last_published_at - story.first_published_at
        assert span <= timedelta(days=2)
    assert Story.objects.count() >= 3


def test_rebuild_is_deterministic_and_rerunning_changes_nothing(papers):
    articles = [
        article(papers[0], "North Korea conducts nuclear test", BODY),
        article(papers[1], "North Korea nuclear test", BODY + " Japan protests."),
        article(papers[3], "Thai election results", OTHER),
    ]
    for a in articles:
        assign_article(a)
    rebuild()
    before = sorted(StoryMembership.objects.values_list("article_id", "story_id"))
    assert rebuild() == 0
    after = sorted(StoryMembership.objects.values_list("article_id", "story_id"))
    assert before == after
    assert len({s for _, s in after}) == 2


def test_joining_keeps_the_story_count_bounds_and_first_report(papers):
    later = article(papers[0], "North Korea conducts nuclear test", BODY)
    earlier = article(
        papers[1],
        "North Korea conducts nuclear test",
        BODY + " Japan protests.",
        NOW - timedelta(hours=5),
    )
    latest = article(
        papers[2],
        "North Korea nuclear test",
        BODY + " China objects.",
        NOW + timedelta(hours=2),
    )
    for a in (later, earlier, latest):
        assign_article(a)
    story = Story.objects.get()
    assert story.article_count == 3
    assert story.first_report_id == earlier.pk
    assert story.first_published_at == earlier.published_at
    assert story.last_published_at == latest.published_at
    assert story.headline == earlier.headline


def test_an_article_matching_one_member_only_does_not_chain_the_story(papers):
    # "b" tells both events; "c" is the same event as "b" by itself, not as the
    # story ("a" and "b"): joining on one member would chain "a" to "c".
    a = article(papers[0], "North Korea conducts nuclear test", BODY)
    b = article(
        papers[1],
        "North Korea test and Thai vote",
        f"{BODY} {OTHER}",
        at=NOW + timedelta(hours=1),
    )
    c = article(papers[2], "Thai election results", OTHER, at=NOW + timedelta(hours=2))
    for one in (a, b, c):
        assign_article(one)
    first, second, third = story_ids(a, b, c)
    assert first == second
    assert third != first
