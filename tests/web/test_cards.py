"""Story cards date each article in its own paper's timezone."""

from datetime import UTC, datetime

from lxml import html as lxml_html

from django.core.cache import cache

from ..factories import make_article


def test_a_card_dates_the_article_in_its_papers_timezone(client, network):
    cache.clear()
    late_evening_utc = datetime(2026, 11, 27, 20, 30, tzinfo=UTC)  # Tokyo: the 28th
    make_article(
        "the-japan-news",
        headline="Diet passes the budget",
        published_at=late_evening_utc,
        updated_at=late_evening_utc,
    )
    page = lxml_html.fromstring(client.get("/").content)
    card = next(
        c
        for c in page.cssselect("article.card")
        if "Diet passes the budget" in c.text_content()
    )
    time = card.cssselect("time")[0]
    assert time.text_content() == "November 28, 2026"
    assert time.get("datetime") == "2026-11-28T05:30:00+09:00"
