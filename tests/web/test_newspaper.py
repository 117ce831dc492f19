"""The article page reads like a newspaper's, with every credit kept (issue #14)."""

from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from briefings.stories.assign import save_places

from ..factories import make_article

CREDIT = (
    'Source: \u201cPark found dead\u201d, Wikinews, 2020-07-10, <a href="https://'
    'en.wikinews.org/wiki/Park" rel="noopener noreferrer">https://en.wikinews.org/'
    'wiki/Park</a>. Licensed under <a href="https://creativecommons.org/licenses/by/'
    '2.5/" rel="noopener noreferrer">CC BY 2.5</a>. Text modified.'
)


def _page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def _texts(tree, css):
    return [" ".join(node.text_content().split()) for node in tree.cssselect(css)]


@pytest.fixture
def credited(network):
    at = datetime(2019, 11, 22, 3, 5, tzinfo=UTC)
    return make_article(
        "the-korea-herald",
        headline="Bangkok floods close schools",
        body_text="Floods in Bangkok, Thailand closed schools. Thailand's army helped.",
        credit_html=CREDIT,
        license_url="https://creativecommons.org/licenses/by/2.5/",
        published_at=at,
        updated_at=at,
    )


def test_the_article_page_shows_credit_licence_and_original_link_once(client, credited):
    tree = _page(client, credited)
    assert _texts(tree, ".credit-line .credit")[0].startswith(
        "Source: \u201cPark found dead\u201d, Wikinews"
    )
    assert (
        tree.cssselect(".credit a")[0].get("href")
        == "https://en.wikinews.org/wiki/Park"
    )
    licence = tree.cssselect('.credit-line a[rel~="license"]')
    assert [a.get("href") for a in licence] == [
        "https://creativecommons.org/licenses/by/2.5/"
    ]
    originals = [
        a for a in tree.cssselect("a") if "Read the original story" in a.text_content()
    ]
    assert [a.get("href") for a in originals] == [credited.canonical_url]


def test_updated_carries_a_time(client, credited):
    tree = _page(client, credited)
    # 03:05 UTC is 12:05 in Seoul, the paper's time zone.
    assert _texts(tree, ".dates")[0].startswith("Updated: November 22, 2019, 12:05")


def test_the_kicker_shows_the_story_s_main_place_not_the_paper_s_country(
    client, credited
):
    save_places([credited])
    kicker = _page(client, credited).cssselect(".kicker a")
    assert [a.text_content() for a in kicker] == ["The Korea Herald", "Thailand"]
    assert kicker[1].get("href") == "/country/th/"
