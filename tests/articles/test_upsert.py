from datetime import UTC, datetime

from briefings.articles.models import Article, ArticleRevision
from briefings.articles.upsert import ArticleRecord, Outcome, upsert

WHEN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def record(**changes):
    values = dict(
        url="https://paper.example/a",
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
    _, outcome = upsert(paper, record(url="https://paper.example/a-moved"))
    assert outcome == Outcome.UNCHANGED
    assert Article.objects.count() == 1
