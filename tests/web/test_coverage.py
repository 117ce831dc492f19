"""The article page shows the same event as told by the other papers."""

from datetime import UTC, datetime, timedelta

import pytest
from lxml import html as lxml_html

from django.core.cache import cache

from ..factories import make_article, make_story

WHEN = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def story(network):
    cache.clear()
    told = [
        make_article("the-korea-herald", headline="Seoul protests export curbs",
                     published_at=WHEN),
        make_article("the-japan-news", headline="Tokyo defends chip rules",
                     published_at=WHEN + timedelta(hours=1)),
        make_article("china-daily", headline="Beijing urges calm in spat",
                     published_at=WHEN + timedelta(hours=2)),
    ]  # fmt: skip
    story = make_story(told, score=0.4)
    return story, told


def test_article_lists_the_other_papers_and_links_full_coverage(client, story):
    story, told = story
    page = lxml_html.fromstring(client.get(told[1].get_absolute_url()).content)
    block = page.cssselect(".also-covered")[0]
    assert block.cssselect("h2")[0].text_content() == "Also covered by"
    lines = [" ".join(li.text_content().split()) for li in block.cssselect("li")]
    assert lines == [
        "The Korea Herald (South Korea): Seoul protests export curbs",
        "China Daily (China): Beijing urges calm in spat",
    ]
    link = block.cssselect("a.full-coverage")[0]
    assert link.get("href") == story.get_absolute_url()
    assert link.text_content() == "Full coverage: all 3 reports"
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_big_story_lists_each_other_paper_once_and_links_the_rest(client, network):
    cache.clear()
    papers = ["the-korea-herald", "the-japan-news", "china-daily", "dawn",
              "the-straits-times", "the-star", "the-jakarta-post",
              "the-daily-star", "the-statesman", "the-kathmandu-post"]  # fmt: skip
    told = [
        make_article(papers[i % len(papers)], headline=f"Summit report {i}",
                     published_at=WHEN + timedelta(minutes=10 * i))
        for i in range(60)
    ]  # fmt: skip
    story = make_story(told)
    reader = told[-1]  # the Kathmandu Post's last report
    page = lxml_html.fromstring(client.get(reader.get_absolute_url()).content)
    block = page.cssselect(".also-covered")[0]
    lines = [" ".join(li.text_content().split()) for li in block.cssselect("li")]
    assert len(lines) == 8  # at most eight papers, each by its first report
    assert lines[0].endswith("Summit report 0")
    assert lines[1].endswith("Summit report 1")
    assert not any("Kathmandu" in line for line in lines)  # not the reader's paper
    assert len({line.split(" (")[0] for line in lines}) == 8
    link = block.cssselect("a.full-coverage")[0].text_content()
    assert link == f"Full coverage: all {story.article_count} reports"


def test_an_article_alone_in_no_story_has_no_block(client, network):
    cache.clear()
    alone = make_article("dawn", headline="Karachi port expands")
    page = lxml_html.fromstring(client.get(alone.get_absolute_url()).content)
    assert page.cssselect(".also-covered") == []


def test_story_pages_are_in_the_sitemap(client, story):
    story, _ = story
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-stories.xml" in index
    section = client.get("/sitemap-stories.xml").content.decode()
    assert story.get_absolute_url() in section
