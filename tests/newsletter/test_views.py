import html
import json

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from django.test import Client

from briefings.newsletter.deliver import send_edition
from briefings.newsletter.models import Subscriber
from briefings.newsletter.tokens import manage_token
from tests.newsletter.conftest import make_subscribers

pytestmark = pytest.mark.usefixtures("network")
ATOM = "http://www.w3.org/2005/Atom"


@pytest.fixture
def reader(db):
    return make_subscribers(1)[0]


def test_one_click_post_unsubscribes_without_cookies_or_csrf(reader):
    client = Client(enforce_csrf_checks=True)
    url = f"/newsletter/unsubscribe/{manage_token(reader)}/"
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get(pk=reader.pk).status == "unsubscribed"


def test_get_on_the_unsubscribe_link_changes_nothing(reader, client):
    response = client.get(f"/newsletter/unsubscribe/{manage_token(reader)}/")
    assert response.status_code == 200
    assert b"<form" in response.content
    assert Subscriber.objects.get(pk=reader.pk).status == "confirmed"


def test_forged_token_is_refused(reader, client):
    token = manage_token(reader)
    response = client.post(f"/newsletter/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 400
    other = make_subscribers(1, prefix="other")[0]
    swapped = manage_token(other).replace(f"{other.pk}-", f"{reader.pk}-", 1)
    assert client.post(f"/newsletter/unsubscribe/{swapped}/").status_code == 400
    assert Subscriber.objects.get(pk=reader.pk).status == "confirmed"


def test_preferences_export_and_delete(reader, client):
    token = manage_token(reader)
    client.post(
        f"/newsletter/preferences/{token}/",
        {"regions": ["south-asia"], "frequency": "weekly"},
    )
    reader.refresh_from_db()
    assert (reader.regions, reader.frequency) == (["south-asia"], "weekly")
    data = json.loads(client.post(f"/newsletter/preferences/{token}/export/").content)
    assert data["email"] == reader.email and data["frequency"] == "weekly"
    client.post(f"/newsletter/preferences/{token}/delete/")
    assert not Subscriber.objects.filter(pk=reader.pk).exists()


def test_web_archive_today_and_feed(approved_edition, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert b"No edition" in client.get("/newsletter/today/").content
    assert client.get(approved_edition.get_absolute_url()).status_code == 404
    make_subscribers(1)
    send_edition(approved_edition)
    headline = approved_edition.items.first().article.headline
    for url in ("/newsletter/today/", approved_edition.get_absolute_url()):
        assert headline in client.get(url).content.decode()
    archive = client.get("/newsletter/archive/").content.decode()
    assert approved_edition.get_absolute_url() in archive
    feed = client.get("/newsletter/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert approved_edition.get_absolute_url() in feed.content.decode()


def test_the_edition_feed_keeps_hostile_headlines_as_text(approved_edition, client):
    """A member paper's headline holding the text of a tag is text in the
    edition feed's summary (an HTML summary made of headlines), never markup."""
    hostile = "<img src=x onerror=alert(1)> & more"
    first, second = [i.article for i in approved_edition.items.order_by("position")][:2]
    first.headline = hostile
    first.save()
    approved_edition.status = approved_edition.Status.SENT
    approved_edition.save()
    response = client.get("/newsletter/feed/")
    (entry,) = etree.fromstring(response.content).findall(f"{{{ATOM}}}entry")
    summary = entry.find(f"{{{ATOM}}}summary")
    assert summary.get("type") == "html"
    fragment = lxml_html.fragment_fromstring(summary.text, create_parent="p")
    assert len(fragment) == 0, "a headline became markup"
    assert fragment.text_content().startswith(f"{hostile} · {second.headline}")
    (item,) = feedparser.parse(response.content).entries
    assert "<" not in item.summary
    assert html.unescape(item.summary).startswith(hostile)


def test_every_kind_of_page_leads_to_the_newsletter(network, client):
    """Home, rivers, search, story and paper pages carry the signup line and
    "View Today's Newsletter Here", in the shared header."""
    from tests.factories import make_article, make_story

    article = make_article("dawn")
    story = make_story([article, make_article("the-statesman")])
    pages = [
        "/",
        "/region/south-asia/",
        "/country/PK/",
        "/publication/dawn/",
        "/search/?q=paragraph",
        article.get_absolute_url(),
        f"/story/{story.pk}/",
    ]
    for url in pages:
        response = client.get(url, follow=True)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "View Today's Newsletter Here" in page, url
        assert 'class="newsletter-line-form" method="get" action="/newsletter/"' in (
            page
        ), url
    # The line's address arrives on the signup page, beside the consent text.
    signup = client.get("/newsletter/?email=reader%40example.test").content.decode()
    assert 'value="reader@example.test"' in signup and "you agree to our" in signup


def test_the_web_edition_is_the_emails_sheet_and_the_archive_shows_leads(
    approved_edition, client, settings
):
    from briefings.newsletter.render import render_edition

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_edition(approved_edition)
    page = client.get(approved_edition.get_absolute_url()).content.decode()
    email = render_edition(approved_edition).html
    for mark in ('class="sheet"', 'class="section-title"', 'class="item lead"'):
        assert mark in page and mark in email
    assert "/newsletter/edition.css" in page
    css = client.get("/newsletter/edition.css")
    assert css["Content-Type"].startswith("text/css")
    body = css.content.decode()
    assert body.lstrip().startswith(".edition-web {") and ".headline a" in body
    lead = approved_edition.items.get(is_lead=True).article.headline
    archive = client.get("/newsletter/archive/").content.decode()
    assert lead in archive and approved_edition.get_absolute_url() in archive
