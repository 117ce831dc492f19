"""The home page is a front page (issue #14): the most covered recent story
leads, each region has its section led by its own top story, then the river;
cards carry the paper's image when there is one."""

from datetime import timedelta

import pytest
from lxml import html as lxml_html

from django.utils import timezone

from ..factories import make_article, make_story

NOW = timezone.now()
IMAGE = "https://images.example.org/flood.jpg"


def _home(client):
    response = client.get("/")
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def _headlines(tree, css):
    return [" ".join(n.text_content().split()) for n in tree.cssselect(css)]


def _at(hours):
    return {"published_at": NOW - timedelta(hours=hours), "updated_at": NOW}


@pytest.fixture
def front(network):
    flood = [
        make_article("dawn", headline="Floods in Sindh", image=IMAGE, **_at(5)),
        make_article("the-statesman", headline="Sindh floods spread", **_at(4)),
        make_article("the-kathmandu-post", headline="Nepal sends aid", **_at(3)),
    ]
    make_story(flood)
    summit = [
        make_article("the-star", headline="ASEAN summit opens", **_at(6)),
        make_article("the-jakarta-post", headline="Summit in Kuala Lumpur", **_at(2)),
    ]
    make_story(summit)
    lonely = make_article("china-daily", headline="Beijing opens a park", **_at(1))
    make_story([lonely])
    for n in range(12):
        make_story([make_article("the-korea-herald", **_at(10 + n))])
    return flood, summit, lonely


def test_the_most_covered_recent_story_leads_with_its_image(client, front):
    tree = _home(client)
    assert _headlines(tree, ".lead-story .card-headline") == ["Floods in Sindh"]
    image = tree.cssselect(".lead-story img")[0]
    assert image.get("src") == IMAGE
    assert image.get("loading") == "lazy"
    assert (image.get("width"), image.get("height")) == ("640", "360")
    assert image.get("alt") == "Floods in Sindh"


def test_each_region_s_section_is_led_by_its_top_story(client, front):
    tree = _home(client)
    sections = {
        " ".join(s.cssselect(".section-title")[0].text_content().split()): _headlines(
            s, ".card-headline"
        )
        for s in tree.cssselect(".region-section")
    }
    assert sections["Southeast Asia"][0] == "ASEAN summit opens"
    assert sections["Northeast Asia"][0] == "Beijing opens a park"
    # The lead is not told again in its region's section.
    assert "Floods in Sindh" not in sections["South Asia"]
    assert sections["South Asia"][0] == "Nepal sends aid"  # the newest left


def test_the_river_leaves_out_what_the_front_shows(client, front):
    tree = _home(client)
    above = _headlines(
        tree, ".lead-story .card-headline, .region-section .card-headline"
    )
    river = _headlines(tree, ".river-section .card-headline")
    assert river and not set(river) & set(above)
    # A card without an image is a plain card.
    assert tree.cssselect(".river-section .card img") == []
