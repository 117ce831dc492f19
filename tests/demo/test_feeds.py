"""RSS and Atom feeds, sitemaps and robots.txt, rendered without a server."""

from __future__ import annotations

import calendar
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from briefings.demo import feeds, sitemaps
from briefings.demo.layouts import PageContext
from briefings.demo.network import DemoNetwork

from .factories import EVIL_TITLE, NOW, make_record, write_corpus

BASE = "http://demo.test:8000"
OFFSETS = {
    "alpha-daily": "+08:00",
    "beta-times": "+09:00",
    "gamma-post": "+08:00",
    "delta-star": "+08:00",
    "epsilon-post": "+05:45",
    "zeta-island": "+05:30",
}


def _parse(network: DemoNetwork, slug: str) -> tuple[PageContext, dict]:
    ctx = PageContext(network, network.paper(slug), BASE)
    parsed = feedparser.parse(feeds.render_feed(ctx).encode("utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return ctx, parsed


@pytest.mark.parametrize("slug", sorted(OFFSETS))
def test_feed_entries_match_stories(network: DemoNetwork, slug: str) -> None:
    ctx, parsed = _parse(network, slug)
    paper = ctx.paper
    assert parsed.version == ("atom10" if paper.feed_kind == "atom" else "rss20")
    assert parsed.feed.title == paper.name
    assert len(parsed.entries) == len(paper.items) > 0
    offset = OFFSETS[slug]
    for entry, item in zip(parsed.entries, paper.items, strict=True):
        assert entry.title == item.title
        assert entry.link == ctx.article_url(item)
        assert entry.id == feeds.entry_id(ctx, item)
        raw_offset = offset if paper.feed_kind == "atom" else offset.replace(":", "")
        assert entry.published.endswith(raw_offset)
        assert calendar.timegm(entry.published_parsed) == item.published.timestamp()
        assert entry.author == item.author
        assert entry.summary == item.dek
        if paper.full_text_feed:
            assert item.paragraphs[-1] in entry.content[0].value
            assert "Licensed under" in entry.content[0].value
        else:
            assert "content" not in entry


def test_both_formats_and_full_text_split_by_layout(network: DemoNetwork) -> None:
    kinds = {p.layout: (p.feed_kind, p.full_text_feed) for p in network.papers}
    assert kinds == {
        "wordpress": ("rss", True),
        "arc": ("atom", False),
        "table": ("rss", False),
        "modern": ("atom", True),
    }


def test_feed_escapes_hostile_title(network: DemoNetwork) -> None:
    ctx, parsed = _parse(network, "alpha-daily")
    assert EVIL_TITLE in [e.title for e in parsed.entries]
    assert "<script>" not in feeds.render_feed(ctx)


def test_feed_carries_latest_fifty(tmp_path: Path, network_file: Path) -> None:
    raw = [
        make_record(n, asia_countries=["China"], asia_regions=["Northeast Asia"])
        for n in range(120)
    ]
    corpus = write_corpus(tmp_path / "big.jsonl", raw)
    network = DemoNetwork.load(corpus, network_file, days=30, now=NOW)
    ctx, parsed = _parse(network, "alpha-daily")
    assert len(ctx.paper.items) == 120
    assert [e.title for e in parsed.entries] == [i.title for i in ctx.paper.items[:50]]
    assert feeds.last_modified(ctx) == max(i.modified for i in ctx.paper.items[:50])


def test_news_sitemap_has_last_two_days_only(network: DemoNetwork) -> None:
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "n": "http://www.google.com/schemas/sitemap-news/0.9",
    }
    listed = 0
    for paper in network.papers:
        ctx = PageContext(network, paper, BASE)
        tree = etree.fromstring(sitemaps.render_news_sitemap(ctx).encode("utf-8"))
        locs = tree.xpath("//s:url/s:loc/text()", namespaces=ns)
        recent = [i for i in paper.items if i.published >= NOW - timedelta(days=2)]
        assert locs == [ctx.article_url(i) for i in recent]
        titles = tree.xpath("//n:news/n:title/text()", namespaces=ns)
        assert titles == [i.title for i in recent]
        listed += len(locs)
    total = sum(len(p.items) for p in network.papers)
    assert 0 < listed < total


def test_sitemap_lists_every_story(network: DemoNetwork) -> None:
    ctx = PageContext(network, network.paper("beta-times"), BASE)
    tree = etree.fromstring(sitemaps.render_sitemap(ctx).encode("utf-8"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = tree.xpath("//s:loc/text()", namespaces=ns)
    stories = {ctx.article_url(i) for i in ctx.paper.items}
    assert set(locs) == {ctx.homepage_url} | stories


def test_robots_allows_all_and_names_sitemaps(network: DemoNetwork) -> None:
    robots = sitemaps.render_robots(network, BASE)
    assert "User-agent: *\nAllow: /" in robots
    for paper in network.papers:
        assert f"Sitemap: {BASE}/{paper.slug}/sitemap-news.xml" in robots
        assert f"Sitemap: {BASE}/{paper.slug}/sitemap.xml" in robots
