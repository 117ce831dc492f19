"""Editable pages (privacy, terms) and error pages."""

import pytest
from lxml import html as lxml_html

from django.contrib.flatpages.models import FlatPage
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.parametrize(
    "path, title", [("/privacy/", "Privacy Policy"), ("/terms/", "Terms of Service")]
)
def test_privacy_and_terms_exist_after_migrate(client, network, path, title):
    response = client.get(path)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    assert tree.cssselect("h1")[0].text_content() == title
    assert tree.cssselect("main p")


def test_editors_change_the_terms(client, network):
    FlatPage.objects.filter(url="/terms/").update(content="<p>New terms.</p>")
    assert "New terms." in client.get("/terms/").content.decode()


def test_footer_links_to_privacy_and_terms(client, network):
    tree = lxml_html.fromstring(client.get("/").content)
    links = {a.text_content(): a.get("href") for a in tree.cssselect("footer a")}
    assert links["Privacy Policy"] == "/privacy/"
    assert links["Terms of Service"] == "/terms/"


def test_not_found_is_a_friendly_page(client, network):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    tree = lxml_html.fromstring(response.content)
    assert tree.cssselect("h1")[0].text_content() == "We couldn't find that page"
    assert tree.cssselect("nav[aria-label=Regions]")


def test_server_error_page_needs_no_database(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:8000@evil", "a" * 300])
def test_spoofed_host_is_a_bad_request(client, network, host):
    assert client.get("/", HTTP_HOST=host).status_code == 400
