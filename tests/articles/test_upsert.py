from datetime import UTC, datetime

import pytest

from briefings.articles.models import Article, ArticleRevision
from briefings.articles.upsert import (
    ArticleRecord,
    ForeignArticle,
    Outcome,
    find_existing,
    upsert,
)

WHEN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def record(**changes):
    values = dict(
        url="https://www.dawn.com/news/a",
        guid="g1",
        headline="Port reopens",
        body_text="The port reopened on Saturday.",
        body_html="<p>The port reopened on Saturday.</p>",
        published_at=WHEN,
    )
    values.update(changes)
    return ArticleRecord(**values)


def test_new_then_unchanged(network):
    from briefings.network.models import Publication

    paper = Publication.objects.get(slug="dawn")
    _, first = upsert(paper, record())
    _, again = upsert(paper, record(source_hash="other feed entry"))
    assert (first, again) == (Outcome.NEW, Outcome.UNCHANGED)
    assert Article.objects.count() == 1
    assert ArticleRevision.objects.count() == 0


def test_changed_content_keeps_a_revision_and_moves_updated(network):
    from briefings.network.models import Publication

    paper = Publication.objects.get(slug="dawn")
    article, _ = upsert(paper, record())
    assert article.updated_at == WHEN
    later = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    article, outcome = upsert(
        paper,
        record(body_text="The port reopened on Sunday.", updated_at=later),
    )
    assert outcome == Outcome.UPDATED
    assert article.updated_at == later
    revision = ArticleRevision.objects.get()
    assert revision.body_text == "The port reopened on Saturday."
    assert article.published_at == WHEN


def test_same_guid_other_url_is_the_same_article(network):
    from briefings.network.models import Publication

    paper = Publication.objects.get(slug="dawn")
    upsert(paper, record())
    _, outcome = upsert(paper, record(url="https://www.dawn.com/news/a-moved"))
    assert outcome == Outcome.UNCHANGED
    assert Article.objects.count() == 1


def test_lookups_are_per_paper(network):
    from briefings.network.models import Publication

    dawn = Publication.objects.get(slug="dawn")
    nation = Publication.objects.get(slug="the-nation-thailand")
    article, _ = upsert(dawn, record())
    assert find_existing(dawn, article.canonical_url) == article
    assert find_existing(nation, article.canonical_url) is None
    assert find_existing(nation, "", guid=article.guid) is None


def test_a_url_off_the_papers_own_hosts_is_never_stored(network):
    """The storage refuses it too, whoever the caller: the victim's article
    stays as it was and nothing is stored for the other paper."""
    from briefings.network.models import Publication

    dawn = Publication.objects.get(slug="dawn")
    nation = Publication.objects.get(slug="the-nation-thailand")
    article, _ = upsert(dawn, record())
    with pytest.raises(ForeignArticle, match="not on the paper's own hosts"):
        upsert(nation, record(headline="Invented", guid="n1"))
    article.refresh_from_db()
    assert (article.headline, article.publication) == ("Port reopens", dawn)
    assert Article.objects.count() == 1
