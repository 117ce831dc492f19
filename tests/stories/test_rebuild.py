import pytest

from briefings.stories import rebuild as rebuild_module
from briefings.stories.models import ArticlePlace, ArticleSignature, StoryMembership
from tests.stories.test_assign import BODY, OTHER, article


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
