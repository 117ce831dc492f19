from datetime import timedelta

import pytest

from briefings.articles.models import Article
from briefings.stories import rebuild as rebuild_module
from briefings.stories.assign import (
    INDEXED_TERMS,
    assign_article,
    content_key,
    rule,
    to_signature,
)
from briefings.stories.cluster import Clusterer
from briefings.stories.models import (
    ArticlePlace,
    ArticleSignature,
    Story,
    StoryMembership,
    StoryTerm,
)
from tests.stories.test_assign import BODY, NOW, OTHER, article, story_ids


def _state():
    return (
        sorted(StoryMembership.objects.values_list("article_id", "story_id")),
        sorted(ArticleSignature.objects.values_list("article_id", "simhash")),
        sorted(ArticlePlace.objects.values_list("article_id", "country")),
    )


@pytest.mark.django_db(transaction=True)
def test_rebuild_in_worker_processes_matches_rebuild_in_process(network, monkeypatch):
    papers = ["the-korea-herald", "the-japan-news", "china-daily"]
    for i in range(6):
        article(papers[i % 3], f"North Korea conducts nuclear test {i}", BODY)
        article(papers[i % 3], f"Thai election results {i}", OTHER)
    monkeypatch.setattr(rebuild_module, "_CHUNK", 3)
    monkeypatch.setattr(rebuild_module, "PARALLEL_FROM", 10**9)
    rebuild_module.rebuild()
    alone = _state()
    monkeypatch.setattr(rebuild_module, "PARALLEL_FROM", 0)
    monkeypatch.setattr(rebuild_module, "WORKERS", 2)
    assert rebuild_module.rebuild() == 0
    assert _state() == alone
    assert len({story for _, story in alone[0]}) == 2
    assert {country for _, country in alone[2]} >= {"KP", "TH"}


def test_rebuild_of_an_empty_database_changes_nothing(db):
    assert rebuild_module.rebuild() == 0


def test_streamed_rebuild_stores_the_groups_of_one_pass_over_everything(
    network, monkeypatch
):
    # Forty days of two recurring subjects: stories close (no later article can
    # join them) and are stored while later articles are still being read.
    papers = ["the-korea-herald", "the-japan-news", "china-daily"]
    start = NOW - timedelta(days=40)
    for day in range(40):
        for i, (headline, body) in enumerate(
            (("North Korea conducts nuclear test", BODY), ("Thai election", OTHER))
        ):
            at = start + timedelta(days=day, hours=i)
            article(papers[(day + i) % 3], f"{headline} {day}", body, at=at)
    monkeypatch.setattr(rebuild_module, "_CHUNK", 7)
    rebuild_module.rebuild()

    clusterer = Clusterer(rule())  # not streaming: holds every story to the end
    for row in ArticleSignature.objects.order_by("at", "article_id"):
        stored = to_signature(row)
        clusterer.add(row.article_id, stored)
    expected = sorted(sorted(members) for members in clusterer.stories().values())
    stories = {}
    for article_id, story_id in StoryMembership.objects.values_list(
        "article_id", "story_id"
    ):
        stories.setdefault(story_id, []).append(article_id)
    assert sorted(sorted(members) for members in stories.values()) == expected
    assert 12 <= len(stories) <= 18  # grouped, and split by the window
    assert Story.objects.count() == len(stories)
    before = _state()
    assert rebuild_module.rebuild() == 0
    assert _state() == before


def test_recheck_merges_what_assignment_split_and_stores_changed_articles(
    network, settings
):
    a = article("the-korea-herald", "North Korea conducts nuclear test", BODY)
    b = article("the-japan-news", "North Korea nuclear test", BODY + " Japan protests.")
    settings.BRIEFINGS_STORY_THRESHOLD = 1.0  # assignment keeps them apart
    assign_article(a)
    assign_article(b)
    assert story_ids(a, b)[0] != story_ids(a, b)[1]

    settings.BRIEFINGS_STORY_THRESHOLD = 0.07
    Article.objects.filter(pk=b.pk).update(body_text=BODY + " Japan protests loudly.")
    b.refresh_from_db()
    assert rebuild_module.recheck() > 0
    first, second = story_ids(a, b)
    assert first == second
    assert ArticleSignature.objects.get(article=b).content_key == content_key(b)
    assert StoryTerm.objects.filter(article=b).count() == len(
        to_signature(ArticleSignature.objects.get(article=b)).top(INDEXED_TERMS)
    )
    assert ArticlePlace.objects.filter(article=b, country="KP").exists()
    assert rebuild_module.recheck() == 0


def test_recheck_splits_a_story_that_lost_its_coherence(network):
    # A story stored as a chain (as the one-member rule of issue #5 made them):
    # "c" matched "b" only. The re-check regroups it by the live rule.
    from tests.factories import make_story

    a = article("the-korea-herald", "North Korea conducts nuclear test", BODY)
    b = article(
        "the-japan-news",
        "North Korea test and Thai vote",
        f"{BODY} {OTHER}",
        at=NOW + timedelta(hours=1),
    )
    c = article(
        "the-nation-thailand",
        "Thai election results",
        OTHER,
        at=NOW + timedelta(hours=2),
    )
    chained = make_story([a, b, c])
    assert rebuild_module.recheck() > 0
    first, second, third = story_ids(a, b, c)
    assert first == second == chained.pk  # the story keeps its id and address
    assert third != first
    assert Story.objects.get(pk=chained.pk).article_count == 2
    assert Story.objects.get(pk=third).article_count == 1


def test_a_merged_story_keeps_its_address(network, settings, client):
    a = article("the-korea-herald", "North Korea conducts nuclear test", BODY)
    b = article(
        "the-japan-news",
        "North Korea conducts nuclear test",
        BODY,
        at=NOW + timedelta(hours=1),
    )
    settings.BRIEFINGS_STORY_THRESHOLD = 1.01  # assignment keeps them apart
    assign_article(a)
    assign_article(b)
    kept, merged = story_ids(a, b)
    assert kept != merged
    settings.BRIEFINGS_STORY_THRESHOLD = 0.832
    assert rebuild_module.recheck() > 0
    assert story_ids(a, b) == [kept, kept]
    assert not Story.objects.filter(pk=merged).exists()
    response = client.get(f"/story/{merged}/")
    assert response.status_code == 301
    assert response["Location"] == f"/story/{kept}/"
    assert client.get("/story/999999/").status_code == 404
