import json

import pytest

from django.test import Client

from briefings.newsletter.deliver import send_edition
from briefings.newsletter.models import Subscriber
from briefings.newsletter.tokens import manage_token
from tests.newsletter.conftest import make_subscribers

pytestmark = pytest.mark.usefixtures("network")


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
