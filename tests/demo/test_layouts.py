"""The four page layouts: required markup, metadata, credits and escaping."""

from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from briefings.demo import layouts
from briefings.demo.layouts import PageContext
from briefings.demo.layouts.chrome import DEMO_NOTICE
from briefings.demo.network import DemoItem, DemoNetwork, DemoPaper

from .factories import EVIL_TITLE

BASE = "http://demo.test:8000"


def _evil_item(network: DemoNetwork) -> DemoItem:
    return next(i for p in network.papers for i in p.items if i.title == EVIL_TITLE)


def _paper(network: DemoNetwork, layout: str) -> DemoPaper:
    return next(p for p in network.papers if p.layout == layout)


def _render(network: DemoNetwork, layout: str) -> tuple[str, lxml_html.HtmlElement]:
    ctx = PageContext(network, _paper(network, layout), BASE)
    page = layouts.render_article(ctx, _evil_item(network))
    return page, lxml_html.fromstring(page)


def _one(tree: lxml_html.HtmlElement, xpath: str) -> lxml_html.HtmlElement:
    found = tree.xpath(xpath)
    assert len(found) == 1, xpath
    return found[0]


@pytest.mark.parametrize("layout", ["wordpress", "arc", "table", "modern"])
def test_article_escapes_content_and_carries_credits(
    network: DemoNetwork, layout: str
) -> None:
    page, tree = _render(network, layout)
    item = _evil_item(network)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert tree.xpath("//script[contains(., 'alert(1)') and not(@type)]") == []
    assert EVIL_TITLE in _one(tree, "//title").text_content()
    canonical = _one(tree, "//link[@rel='canonical']").get("href")
    assert canonical.startswith(f"{BASE}/{_paper(network, layout).slug}/")
    assert canonical.endswith(f"-{item.short_id}/")
    text = tree.text_content()
    assert EVIL_TITLE in text
    assert DEMO_NOTICE in text
    assert "Licensed under CC BY 2.5" in text
    assert item.source_url in text
    assert tree.xpath("//a[@href='https://creativecommons.org/licenses/by/2.5/']")
    for paragraph in item.paragraphs:
        assert paragraph in text
    # Noise that extraction has to skip.
    assert tree.xpath("//a[contains(@href, '#business')]")
    assert tree.xpath("//*[contains(@class, 'ad-slot')]")
    assert tree.xpath("//*[contains(@class, 'cookie-notice')]")
    assert tree.xpath("//*[contains(@class, 'share-buttons')]")
    assert len(tree.xpath("//a[contains(@href, '/20')]")) >= 3


def test_wordpress_markup(network: DemoNetwork) -> None:
    _, tree = _render(network, "wordpress")
    item = _evil_item(network)
    content = _one(tree, "//div[@class='entry-content']")
    assert item.paragraphs[0] in content.text_content()
    assert _one(tree, "//span[@class='author vcard']").text_content() == item.author
    stamp = _one(tree, "//time[contains(@class, 'entry-date')]").get("datetime")
    assert stamp.endswith("+08:00")
    assert _one(tree, "//p[@class='excerpt']").text_content() == item.dek
    assert _one(tree, "//meta[@property='og:title']").get("content") == EVIL_TITLE


def test_arc_markup_and_json_ld(network: DemoNetwork) -> None:
    page, tree = _render(network, "arc")
    item = _evil_item(network)
    script = _one(tree, "//script[@type='application/ld+json']").text
    assert "</script" not in script
    data = json.loads(script)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == EVIL_TITLE
    assert data["description"] == item.dek
    assert data["author"][0]["name"] == item.author
    assert data["datePublished"].endswith("+09:00")
    assert data["dateModified"] >= data["datePublished"]
    assert data["publisher"]["name"] == "Beta Times"
    body = _one(tree, "//div[@class='article-body']")
    assert [p.text for p in body.xpath("p[@class='paragraph']")] == list(
        item.paragraphs
    )
    for prop in ("og:title", "og:description", "og:url", "article:published_time"):
        assert _one(tree, f"//meta[@property='{prop}']").get("content")
    assert _one(tree, "//meta[@property='og:type']").get("content") == "article"
    # The byline follows the body on this layout.
    assert page.index("ts-byline__names") > page.index("article-body")


def test_table_markup(network: DemoNetwork) -> None:
    page, tree = _render(network, "table")
    item = _evil_item(network)
    assert tree.xpath("//table//table")
    assert tree.xpath("//font")
    assert tree.xpath("//article") == []
    local = _paper(network, "table").local(item.published)
    posted = f"Posted: {local:%d/%m/%Y %H:%M}"
    assert re.search(r"Posted: \d\d/\d\d/\d{4} \d\d:\d\d", tree.text_content())
    assert posted in tree.text_content()
    assert page.index(f"By {item.author}") > page.index(item.paragraphs[-1])


def test_modern_markup(network: DemoNetwork) -> None:
    _, tree = _render(network, "modern")
    item = _evil_item(network)
    article = _one(tree, "//article")
    assert _one(article, ".//header/h1").text_content() == EVIL_TITLE
    assert _one(article, ".//p[@class='dek']").text_content() == item.dek
    assert item.author in _one(article, ".//address[@class='byline']").text_content()
    published = article.xpath(".//time[@class='published']")[0].get("datetime")
    assert published.endswith("+08:00")
    assert _one(tree, "//meta[@property='og:url']").get("content").startswith(BASE)
    assert (
        _one(tree, "//meta[@property='article:published_time']").get("content")
        == published
    )


@pytest.mark.parametrize("layout", ["wordpress", "arc", "table", "modern"])
def test_homepage_lists_latest_stories_and_advertises_feed(
    network: DemoNetwork, layout: str
) -> None:
    paper = _paper(network, layout)
    ctx = PageContext(network, paper, BASE)
    tree = lxml_html.fromstring(layouts.render_homepage(ctx))
    feed = _one(tree, "//link[@rel='alternate']")
    expected = "atom" if paper.feed_kind == "atom" else "rss"
    assert feed.get("type") == f"application/{expected}+xml"
    assert feed.get("href") == ctx.feed_url
    story_links = {ctx.article_url(item) for item in paper.items}
    listed = [a.get("href") for a in tree.xpath("//a") if a.get("href") in story_links]
    newest = ctx.article_url(paper.items[0])
    assert newest in listed
    assert len(set(listed)) == min(30, len(paper.items))
    assert paper.items[0].dek in tree.text_content()


def test_index_lists_every_paper(network: DemoNetwork) -> None:
    tree = lxml_html.fromstring(layouts.render_index(network, BASE))
    hrefs = {a.get("href") for a in tree.xpath("//a")}
    for paper in network.papers:
        assert f"{BASE}/{paper.slug}/" in hrefs
