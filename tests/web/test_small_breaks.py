"""The small breaks of issue #14: Atom entries name the paper, no inline style
for the CSP to block, the privacy page gives an address and says how to export
and delete one's data."""

import pytest
from lxml import etree
from lxml import html as lxml_html

from django.core.cache import cache
from django.test import override_settings

from ..factories import make_article

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def two(network):
    return (
        make_article("dawn", byline="Jane Roe", headline="Karachi port expands"),
        make_article("the-korea-herald", headline="Seoul talks trade"),
    )


def test_atom_entries_name_the_paper(client, two):
    feed = etree.fromstring(client.get("/feed/").content)
    authors = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}author/{ATOM}name")
        for entry in feed.iter(f"{ATOM}entry")
    }
    assert authors["Karachi port expands"] == "Jane Roe (Dawn)"
    assert authors["Seoul talks trade"] == "The Korea Herald"


def test_no_page_carries_an_inline_style_the_csp_blocks(client, two):
    for path in ("/", two[0].get_absolute_url(), "/search/?q=port", "/privacy/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "style-src 'self'" in response["Content-Security-Policy"]
        tree = lxml_html.fromstring(response.content)
        assert tree.xpath("//*[@style]") == [], path
        assert tree.xpath("//style") == [], path


@override_settings(BRIEFINGS_PRIVACY_EMAIL="privacy@briefings.example")
def test_the_privacy_page_gives_an_address_and_export_and_delete(client, network):
    cache.clear()
    tree = lxml_html.fromstring(client.get("/privacy/").content)
    links = [a.get("href") for a in tree.cssselect(".your-data a")]
    assert links == ["mailto:privacy@briefings.example"]
    text = " ".join(tree.cssselect(".your-data")[0].text_content().split())
    assert "export everything we keep about you" in text
    assert "delete it all at once" in text


def test_without_a_privacy_address_the_sender_s_is_given(client, network, settings):
    settings.BRIEFINGS_PRIVACY_EMAIL = ""
    settings.DEFAULT_FROM_EMAIL = "Eastern Briefings <news@briefings.example>"
    cache.clear()
    tree = lxml_html.fromstring(client.get("/privacy/").content)
    hrefs = [a.get("href") for a in tree.cssselect(".your-data a")]
    assert hrefs == ["mailto:news@briefings.example"]
