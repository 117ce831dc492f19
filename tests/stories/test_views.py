from datetime import timedelta

from django.utils import timezone

from briefings.stories.assign import assign_article
from briefings.stories.related import (
    also_covered_by,
    follow_the_story,
    more_from_country,
    related_stories,
)
from briefings.stories.sitemaps import StorySitemap
from tests.factories import make_article
from tests.stories.test_assign import BODY


def test_story_page_groups_papers_and_marks_the_first_report(network, client):
    at = timezone.now() - timedelta(hours=5)
    first = make_article(
        "the-korea-herald",
        headline="North Korea conducts <nuclear> test",
        body_text=BODY,
        published_at=at,
        updated_at=at,
    )
    later = make_article(
        "the-japan-news",
        headline="North Korea conducts nuclear test",
        body_text=BODY,
        published_at=at + timedelta(hours=2),
        updated_at=at + timedelta(hours=2),
    )
    story = assign_article(first).story
    assign_article(later)
    page = client.get(f"/story/{story.pk}/").content.decode()
    assert "South Korea" in page and "Japan" in page
    assert "First report" in page
    assert "&lt;nuclear&gt;" in page
    assert also_covered_by(first) == [later.pk]
    assert related_stories(first) == []
    assert list(more_from_country("KP")) != []
    assert story.get_absolute_url() in [
        StorySitemap().location(s) for s in StorySitemap().items()
    ]


def test_unknown_story_is_not_found(db, client):
    assert client.get("/story/999/").status_code == 404


def test_follow_the_story_lists_the_thread_of_other_stories_only(
    network, client, settings
):
    from tests.stories.test_assign import OTHER

    settings.BRIEFINGS_STORY_THRESHOLD = 1.01  # every article a story of its own
    at = timezone.now() - timedelta(days=3)
    first = make_article(
        "the-korea-herald",
        headline="North Korea conducts nuclear test",
        body_text=BODY,
        published_at=at,
        updated_at=at,
    )
    later = make_article(
        "the-japan-news",
        headline="North Korea's nuclear test, two days on",
        body_text=BODY[:400],
        published_at=at + timedelta(days=2),
        updated_at=at + timedelta(days=2),
    )
    unrelated = make_article(
        "the-nation-thailand",
        headline="Thai election results",
        body_text=OTHER,
        published_at=at + timedelta(days=1),
        updated_at=at + timedelta(days=1),
    )
    for one in (first, later, unrelated):
        assign_article(one)
    assert follow_the_story(first) == [later.pk]
    assert follow_the_story(unrelated) == []
    assert also_covered_by(first) == []  # the thread is never counted as coverage
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Follow the story" in page and "Also covered by" not in page
    assert "two days on" in page
