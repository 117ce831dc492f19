"""Share links are plain URLs that carry the page's address and title."""

from urllib.parse import parse_qs, urlsplit

from briefings.web.share import share_links

URL = "https://briefings.example/articles/1/seoul-and-tokyo/"
TITLE = 'Seoul & Tokyo "talk" trade'


def test_every_network_gets_the_page_url():
    links = {link.name: link.url for link in share_links(URL, TITLE)}
    assert set(links) == {"facebook", "x", "linkedin", "whatsapp", "email"}
    assert parse_qs(urlsplit(links["facebook"]).query) == {"u": [URL]}
    assert parse_qs(urlsplit(links["x"]).query) == {"url": [URL], "text": [TITLE]}
    assert parse_qs(urlsplit(links["linkedin"]).query) == {"url": [URL]}
    assert parse_qs(urlsplit(links["whatsapp"]).query) == {"text": [f"{TITLE} {URL}"]}


def test_email_link_uses_percent_escapes_not_plus():
    email = next(link for link in share_links(URL, TITLE) if link.name == "email")
    assert email.url.startswith("mailto:?subject=Seoul%20%26%20Tokyo")
    assert "+" not in email.url
