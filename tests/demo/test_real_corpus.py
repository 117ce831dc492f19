"""The demo network built from the real shared corpus and network file."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest
from lxml import html as lxml_html

from briefings.demo import layouts
from briefings.demo.layouts import PageContext
from briefings.demo.network import DemoNetwork
from briefings.demo.server import DemoServer

from ..conftest import require_demo_corpus

NETWORK = (
    Path(__file__).resolve().parents[2]
    / "briefings/network/networks/asia-news-network.yaml"
)
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def real_network() -> DemoNetwork:
    return DemoNetwork.load(require_demo_corpus(), NETWORK, days=30, now=NOW)


def test_every_paper_gets_stories(real_network: DemoNetwork) -> None:
    counts = {p.slug: len(p.items) for p in real_network.papers}
    assert len(counts) == 22
    assert sum(1 for n in counts.values() if n > 0) >= 20
    assert sum(counts.values()) >= 1000
    # Region fallback lifts the small papers: no South Asia paper is tiny.
    south = [p for p in real_network.papers if p.region == "south-asia"]
    assert min(len(p.items) for p in south) >= 20


def test_replay_window_is_even_and_reaches_today(real_network: DemoNetwork) -> None:
    items = [i for p in real_network.papers for i in p.items]
    assert all(NOW - timedelta(days=30) < i.published <= NOW for i in items)
    per_day = Counter(i.published.date() for i in items)
    assert len(per_day) == 30
    assert per_day[NOW.date()] > 0
    assert max(per_day.values()) - min(per_day.values()) <= 1
    ordered = sorted(items, key=lambda i: (i.original_date, i.id))
    assert [i.published for i in ordered] == sorted(i.published for i in ordered)
    assert all(i.dek and i.paragraphs for i in items)


def test_load_is_deterministic(real_network: DemoNetwork) -> None:
    again = DemoNetwork.load(require_demo_corpus(), NETWORK, days=30, now=NOW)
    for first, second in zip(real_network.papers, again.papers, strict=True):
        assert first.items == second.items


def test_pages_render_and_feeds_parse_over_http(real_network: DemoNetwork) -> None:
    for paper in real_network.papers[:4]:
        ctx = PageContext(real_network, paper, "http://x.test")
        for item in paper.items[:20]:
            page = lxml_html.fromstring(layouts.render_article(ctx, item))
            assert item.title in page.text_content()
    with DemoServer(real_network) as server, httpx.Client() as client:
        for paper in real_network.papers:
            parsed = feedparser.parse(client.get(server.feed_url(paper.slug)).content)
            assert not parsed.bozo, paper.slug
            assert len(parsed.entries) == min(50, len(paper.items))
