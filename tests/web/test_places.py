"""The article page names the places and people an article mentions and lists
"More from <country>": the newest other articles about its main country."""

from datetime import timedelta

import pytest
from lxml import html as lxml_html

from django.core.cache import cache
from django.utils import timezone

from briefings.articles.models import Article
from briefings.stories.assign import save_places

from ..factories import make_article

NOW = timezone.now()


def _article(publication, headline, body, hours_ago):
    at = NOW - timedelta(hours=hours_ago)
    article = make_article(
        publication, headline=headline, body_text=body, published_at=at, updated_at=at
    )
    save_places([article])  # what the stories app stores on assignment
    return article


def _page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def _texts(tree, css):
    return [" ".join(node.text_content().split()) for node in tree.cssselect(css)]


@pytest.fixture
def thai_news(network):
    lead = _article(
        "the-korea-herald",
        "Seoul watches Bangkok vote",
        "Thailand votes today. In Bangkok, Anutin Charnvirakul campaigned; "
        "observers from Seoul and Chiang Mai watched.",
        hours_ago=1,
    )
    about_thailand = [
        _article("the-nation-thailand", f"Thai story {n}", "Flooding in Bangkok.", n)
        for n in range(2, 9)  # seven, newest first
    ]
    hidden = _article("the-star", "Withdrawn", "Thailand story withdrawn.", 1.5)
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.HIDDEN)
    elsewhere = _article("dawn", "Karachi port expands", "Lahore and Karachi.", 1.2)
    return lead, about_thailand, elsewhere


def test_the_page_lists_places_and_people_by_country(client, thai_news):
    lead, _, _ = thai_news
    tree = _page(client, lead)
    assert _texts(tree, ".places") == [
        "Places and people: Thailand (Bangkok, Anutin Charnvirakul, Chiang Mai)"
        " · South Korea (Seoul)"
    ]


def test_more_from_the_main_country_lists_its_five_newest_articles(client, thai_news):
    lead, about_thailand, elsewhere = thai_news
    tree = _page(client, lead)
    assert _texts(tree, ".more-from-country h2") == ["More from Thailand"]
    headlines = _texts(tree, ".more-from-country .card-headline")
    # Newest first, the article itself, a hidden one and other countries left out.
    assert headlines == [a.headline for a in about_thailand[:5]]


def test_a_city_alone_is_enough_to_be_about_a_country(client, thai_news):
    _, about_thailand, _ = thai_news  # "Flooding in Bangkok." names no country
    tree = _page(client, about_thailand[0])
    assert _texts(tree, ".more-from-country h2") == ["More from Thailand"]
    assert about_thailand[0].headline not in _texts(tree, ".card-headline")


def test_a_region_is_named_like_a_city_and_is_enough_for_its_country(client, network):
    lead = _article(
        "the-jakarta-post",
        "Island reopens to tourists",
        "Flights to Bali resumed; Bali's hotels and Denpasar's shops filled.",
        hours_ago=1,
    )
    surf = _article("the-star", "Surf season opens", "Waves on Bali.", hours_ago=2)
    tree = _page(client, lead)
    assert _texts(tree, ".places") == ["Places and people: Indonesia (Bali, Denpasar)"]
    tree = _page(client, surf)  # names Bali only: no country, no city
    assert _texts(tree, ".places") == ["Places and people: Indonesia (Bali)"]
    assert _texts(tree, ".more-from-country h2") == ["More from Indonesia"]
    assert _texts(tree, ".more-from-country .card-headline") == [lead.headline]


def test_a_country_outside_the_network_gets_no_list(client, network):
    north = _article("the-korea-herald", "Missile test", "Pyongyang fired.", 1)
    _article("the-japan-news", "Another test", "North Korea fired again.", 2)
    tree = _page(client, north)
    assert _texts(tree, ".places") == ["Places and people: North Korea (Pyongyang)"]
    assert tree.cssselect(".more-from-country") == []


def test_an_article_naming_no_place_has_neither(client, network):
    plain = _article("dawn", "Markets calm", "Shares were flat.", 1)
    tree = _page(client, plain)
    assert tree.cssselect(".places") == []
    assert tree.cssselect(".more-from-country") == []


def test_a_new_article_about_the_country_shows_on_the_cached_page(client, thai_news):
    lead, _, _ = thai_news
    _page(client, lead)
    fresh = _article("the-star", "Fresh from Phuket", "Tourists in Phuket.", 0.5)
    tree = _page(client, lead)
    assert _texts(tree, ".more-from-country .card-headline")[0] == fresh.headline


def test_article_page_query_count_with_every_list_is_bounded(
    client, thai_news, django_assert_max_num_queries
):
    lead, _, _ = thai_news
    for n in range(20):  # more articles must not mean more queries
        _article("the-nation-thailand", f"More Thai news {n}", "Bangkok.", 10 + n)
    cache.clear()
    with django_assert_max_num_queries(12):
        _page(client, lead)
