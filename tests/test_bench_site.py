"""The site bench measures what ships (issue #16): the server `briefings run`
starts, over many distinct pages of every kind drawn from the data, seeded."""

import random
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from django.utils import timezone

from bench.site_pages import draw_urls, search_queries, server_command
from briefings.ingest.system import web_server_command
from tests.factories import make_article, make_story

PAPERS = ["the-korea-herald", "the-star", "the-daily-star", "the-jakarta-post"]
WORDS = (
    "monsoon flooding harbour election tariff vaccine railway earthquake summit "
    "parliament festival drought typhoon currency satellite"
).split()


@pytest.fixture
def site(network):
    """70 articles over four papers of different regions (more than two river
    pages), grouped into stories of 2-6 reports."""
    now = timezone.now()
    articles = [
        make_article(
            PAPERS[n % len(PAPERS)],
            headline=f"{WORDS[n % len(WORDS)].title()} and "
            f"{WORDS[(n * 7 + 3) % len(WORDS)]} news number {n}",
            published_at=now - timedelta(minutes=10 * n + 1),
        )
        for n in range(70)
    ]
    stories = []
    start = 0
    for size in (2, 3, 6, 2, 4):
        stories.append(make_story(articles[start : start + size]))
        start += size
    return articles, stories


def test_the_bench_draws_distinct_pages_of_every_kind_seeded(site, client):
    articles, stories = site
    largest = max(stories, key=lambda s: s.article_count)
    urls = draw_urls(seed=3, articles=12, stories=3, queries=6, pages=3)

    assert set(urls) == {
        "article", "home", "river", "story", "largest-story", "search", "sitemap",
    }  # fmt: skip
    for kind, paths in urls.items():
        assert paths, kind
        assert len(paths) == len(set(paths)), kind  # distinct, never one repeated URL
    assert len(urls["article"]) == 12 and len(urls["search"]) == 6
    assert len(urls["story"]) == 3
    assert urls["largest-story"] == [largest.get_absolute_url()]
    assert largest.get_absolute_url() in urls["story"]
    rivers = {urlsplit(path).path.split("/")[1] for path in urls["river"]}
    assert {"region", "country", "publication"} <= rivers
    later = [p for p in urls["river"] if "before=" in p]
    assert any(p.startswith("/?before=") for p in later)  # home's page 2 and on
    assert any(p.startswith("/region/") for p in later)
    for query in urls["search"]:
        assert len(query.split("q=")[1].split("+")) == 2

    assert draw_urls(seed=3, articles=12, stories=3, queries=6, pages=3) == urls
    other = draw_urls(seed=4, articles=12, stories=3, queries=6, pages=3)
    assert other["article"] != urls["article"]
    assert other["search"] != urls["search"]

    # Every drawn page is a real page of the site, with results where it lists any.
    for kind, paths in urls.items():
        for path in paths:
            response = client.get(path, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, (kind, path)
            if kind == "search":
                assert b"/articles/" in response.content, path


def test_search_queries_are_two_words_of_one_headline():
    headlines = ["Update: Monsoon floods the harbour", "A B C", "Live: tariff vote"]
    queries = search_queries(headlines, 3, random.Random(1))
    assert len(set(queries)) == len(queries) >= 1
    for query in queries:
        words = query.split()
        assert len(words) == 2
        assert any(set(words) <= set(h.lower().split()) for h in headlines)
        assert not {"update", "live"} & set(words)


def test_the_bench_starts_the_server_briefings_run_starts(settings):
    assert server_command(8123) == web_server_command("127.0.0.1:8123")
    command = server_command(8123)
    assert command[command.index("--workers") + 1] == str(
        settings.BRIEFINGS_WEB_WORKERS
    )
    assert "--access-log" not in command  # as shipped
    settings.BRIEFINGS_WEB_WORKERS = 3
    settings.BRIEFINGS_ACCESS_LOG = True
    command = server_command(8123)
    assert command[command.index("--workers") + 1] == "3"
    assert "--access-log" in command
    assert command == web_server_command("127.0.0.1:8123")
