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


def card_texts(response):
    page = lxml_html.fromstring(response.content)
    return [c.text_content() for c in page.cssselect("article.card")]


def test_a_kept_card_follows_its_article_and_paper(client, network):
    """Cards are rendered once and kept (issue #16), keyed by what they show:
    an edited headline or a renamed paper is never shown from an old card."""
    from briefings.network.models import Publication

    cache.clear()
    article = make_article("dawn", headline="Floods in Sindh")
    make_article("dawn", headline="Another story")
    assert any("Floods in Sindh" in text for text in card_texts(client.get("/")))
    article.headline = "Floods recede in Sindh"
    article.save()
    texts = card_texts(client.get("/"))
    assert any("Floods recede in Sindh" in text for text in texts)
    assert not any("Floods in Sindh" in text for text in texts)
    paper = Publication.objects.get(slug="dawn")
    paper.name = "Dawn (Karachi)"
    paper.save()
    texts = card_texts(client.get("/"))
    assert texts and all("By Dawn (Karachi)" in text for text in texts)
