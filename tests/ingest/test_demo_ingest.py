"""Ingest the whole demo network over real loopback HTTP, twice."""

import pytest

from django.conf import settings

from briefings.articles.models import Article
from briefings.demo.network import DemoNetwork
from briefings.demo.register import register_demo_feeds
from briefings.demo.server import DemoServer
from briefings.ingest.hygiene import opens_with, words
from briefings.ingest.poller import refresh_feeds
from briefings.network.models import Feed

from ..conftest import require_demo_corpus


@pytest.fixture
def demo(network):
    corpus = require_demo_corpus()
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    with DemoServer(net, port=0) as server:
        register_demo_feeds(server, net.papers)
        yield net, server


@pytest.mark.django_db(transaction=True)
def test_demo_network_ingest_is_complete_and_idempotent(demo):
    net, server = demo
    feeds = list(Feed.objects.enabled())
    assert len(feeds) >= 20
    assert all(f.origin == Feed.Origin.DEMO for f in feeds)

    first = refresh_feeds(feeds, workers=2)
    assert [r.error for r in first if r.error] == []
    expected = sum(min(len(p.items), 50) for p in net.papers)
    assert Article.objects.count() == expected >= 500
    assert Article.objects.values("publication").distinct().count() >= 20

    # Fields: every article has a headline, a link into the demo, a date, a body.
    for article in Article.objects.select_related("publication"):
        assert article.headline and article.canonical_url.startswith(server.base_url)
        assert article.body_text and article.word_count > 10
        assert article.published_at <= article.fetched_at
        assert "<script" not in article.body_html
    # Feed dates carry the papers' offsets; stored in UTC, in the replayed window.
    newest = Article.objects.order_by("-published_at").first()
    item = next(
        i
        for p in net.papers
        for i in p.items
        if server.article_url(p.slug, i) == newest.canonical_url
    )
    assert newest.headline == item.title

    # Text hygiene and credits (issue #14), on every demo article.
    problems = [p for a in Article.objects.all() for p in repeats(a)]
    assert problems == []

    # The rivers interleave the papers: on the first page of the network's
    # and each region's river, no paper holds more than a third (issue #14).
    from collections import Counter

    from briefings.network.models import Region
    from briefings.web import rivers
    from briefings.web.pagination import PAGE_SIZE, page_after

    queries = [rivers.everything()]
    queries += [rivers.in_region(r) for r in Region.objects.all()]
    for query in queries:
        page, _ = page_after(query, "")
        shares = Counter(a.publication_id for a in page)
        assert len(page) == PAGE_SIZE and max(shares.values()) <= PAGE_SIZE // 3

    # Every stored article was grouped into a story as it arrived.
    from briefings.stories.models import StoryMembership

    assert StoryMembership.objects.count() == expected

    second = refresh_feeds(list(Feed.objects.enabled()), workers=2)
    assert sum(r.new + r.updated for r in second) == 0
    assert Article.objects.count() == expected


@pytest.mark.django_db(transaction=True)
def test_a_paper_read_from_its_sitemap_gets_every_story(network):
    corpus = require_demo_corpus()
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    small = [paper for paper in net.papers if 0 < len(paper.items) <= 5][:2]
    with DemoServer(net, port=0) as server:
        register_demo_feeds(server, small, source="sitemap")
        reports = refresh_feeds(list(Feed.objects.enabled()), workers=2)
    assert [r.error for r in reports] == ["", ""]
    assert Article.objects.count() == sum(len(p.items) for p in small)
    # A plain sitemap has no titles: the headline comes from the page itself.
    titles = {item.title for paper in small for item in paper.items}
    assert set(Article.objects.values_list("headline", flat=True)) == titles
    assert set(Feed.objects.enabled().values_list("kind", flat=True)) == {"sitemap"}


def _stutters(text, size=6):
    """Whether a run of `size` words comes twice in `text`."""
    tokens = words(text).split()
    runs = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    return len(runs) != len(set(runs))


def repeats(article):
    """What repeats itself on the article's card or page, or lacks its credit."""
    found = []
    first = article.body_text.split("\n")[0]
    dek, excerpt = article.dek, article.excerpt
    if dek and (words(first) == words(dek) or opens_with(first, dek)):
        found.append("the body opens with the dek")
    if dek and excerpt and (words(dek) in words(excerpt) or opens_with(dek, excerpt)):
        found.append("the excerpt repeats the dek")
    if _stutters(excerpt):
        found.append("the excerpt stutters")
    if (
        excerpt.count("\u2026") > 1
        or excerpt.rstrip("\u2026").endswith((".", "…"))
        and excerpt.endswith("\u2026")
    ):
        found.append("the excerpt ends twice")
    if not article.credit_html.startswith("Source: \u201c"):
        found.append("no credit line")
    if "Licensed under CC BY 2.5" in article.body_text:
        found.append("the credit line in the body too")
    if article.license_url != "https://creativecommons.org/licenses/by/2.5/":
        found.append("no licence")
    return [f"{article.canonical_url}: {problem}" for problem in found]
