"""Find your way (issue #14): the papers' and regions' directories, region
pages listing their countries, country pages with the stories about the
country apart from its own papers' stories."""

from datetime import timedelta

import pytest
from lxml import html as lxml_html

from django.utils import timezone

from briefings.network.models import Publication
from briefings.stories.assign import save_places

from ..factories import make_article

NOW = timezone.now()


def _tree(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return lxml_html.fromstring(response.content)


def _texts(tree, css):
    return [" ".join(node.text_content().split()) for node in tree.cssselect(css)]


def _article(paper, headline, body, hours):
    at = NOW - timedelta(hours=hours)
    article = make_article(
        paper, headline=headline, body_text=body, published_at=at, updated_at=at
    )
    save_places([article])
    return article


def test_papers_lists_every_member_by_region_with_country_language_latest(
    client, network
):
    latest = make_article("dawn", headline="Karachi port expands")
    tree = _tree(client, "/papers/")
    assert _texts(tree, ".directory h2") == [
        "Northeast Asia",
        "Southeast Asia",
        "South Asia",
    ]
    names = _texts(tree, ".paper-name")
    assert sorted(names) == sorted(Publication.objects.values_list("name", flat=True))
    dawn = next(p for p in tree.cssselect(".paper") if "Dawn" in p.text_content())
    assert "Pakistan · English" in _texts(dawn, ".paper-facts")[0]
    assert _texts(dawn, ".paper-latest a") == [latest.headline]


def test_regions_list_their_countries_and_papers(client, network):
    tree = _tree(client, "/regions/")
    south = next(
        s for s in tree.cssselect(".directory") if "South Asia" in s.text_content()
    )
    countries = _texts(south, ".directory-countries a")
    assert {"Pakistan", "India", "Nepal", "Bangladesh"} <= set(countries)
    region = _tree(client, "/region/south-asia/")
    assert _texts(region, ".region-countries a") == countries


@pytest.mark.parametrize(
    "path, target", [("/publication/", "/papers/"), ("/region/", "/regions/")]
)
def test_bare_prefixes_lead_to_the_directories(client, network, path, target):
    response = client.get(path)
    assert response.status_code in (301, 302)
    assert response["Location"] == target


def test_a_country_page_shows_stories_about_it_apart_from_its_papers(client, network):
    about = _article(
        "dawn", "Thai floods", "Floods in Bangkok, Thailand. Thailand's army.", 1
    )
    own = _article("the-nation-thailand", "John Conyers dies", "Detroit news.", 2)
    tree = _tree(client, "/country/th/")
    assert _texts(tree, ".about-country h2") == ["Stories about Thailand"]
    assert _texts(tree, ".about-country .card-headline") == [about.headline]
    assert _texts(tree, "#stories-title") == ["From Thailand's papers"]
    assert _texts(tree, ".river-section .card-headline") == [own.headline]


def test_the_site_navigation_leads_to_the_directories(client, network):
    tree = _tree(client, "/")
    hrefs = {a.get("href") for a in tree.cssselect("header a, footer a")}
    assert {"/papers/", "/regions/"} <= hrefs
