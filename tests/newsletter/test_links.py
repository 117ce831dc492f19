"""Subscribers' management links (issue #11): a member paper cannot collect them
through its content, and a link that leaked stops working (expiry, rotation on
unsubscribe and delete); exporting a subscriber's data takes a POST."""

import json
import re
import time
from email import message_from_bytes, policy

import pytest

from django.core import mail
from django.test import Client

from briefings.newsletter.deliver import send_edition
from briefings.newsletter.models import Subscriber
from briefings.newsletter.subscribe import (
    Signup,
    consent_fields,
    record_consent,
    unsubscribe_by_mail,
)
from briefings.newsletter.tokens import manage_token
from tests.newsletter.conftest import make_subscribers

PLACEHOLDER = "BRIEFINGS-SUBSCRIBER-TOKEN"
LOOK_ALIKES = [
    PLACEHOLDER,
    PLACEHOLDER.lower(),
    "BRIEFINGS_SUBSCRIBER_TOKEN",
    "Briefings Subscriber Token",
    "BRIEFINGS-\u200bSUBSCRIBER-\u200dTOKEN",
    "\uff22\uff32\uff29\uff25\uff26\uff29\uff2e\uff27\uff33-SUBSCRIBER-TOKEN",
    "BRIEFINGS%2DSUBSCRIBER%2DTOKEN",
]
EVIL = "http://evil.test"


def hostile_item(edition):
    """Give the edition's first item a paper-controlled article carrying the
    placeholder and its look-alikes in every field the email may show."""
    item = edition.items.select_related("article").first()
    article = item.article
    marks = " ".join(LOOK_ALIKES)
    article.headline = f"Headline {marks}"
    article.dek = f"Dek {marks}"
    article.image = (
        f"{EVIL}/img/{PLACEHOLDER}/{PLACEHOLDER.lower()}.png?t={PLACEHOLDER}"
    )
    article.image_caption = f"Caption {marks}"
    article.body_html = f"<p>Body {marks}</p>"
    article.body_text = article.excerpt = f"Body {marks}"
    article.save()
    item.blurb = f"Blurb {marks}"
    item.save()
    edition.intro = f"Intro {PLACEHOLDER}"
    edition.save()


OWN_LINK = re.compile(
    r"http://testserver/newsletter/(preferences|unsubscribe)/([A-Za-z0-9._:-]+)/"
)


def own_links(text):
    """Return the template's management links in `text` as (kind, token) pairs."""
    return OWN_LINK.findall(text)


def received(sink_or_outbox):
    """Return (recipient, headers text, html, text) of each message sent."""
    out = []
    for raw in sink_or_outbox:
        message = message_from_bytes(raw, policy=policy.SMTP)
        headers = "\n".join(f"{k}: {v}" for k, v in message.items())
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        out.append((message["To"], headers, html, text))
    return out


@pytest.mark.parametrize("backend", ["smtp", "locmem"])
def test_paper_content_never_carries_a_subscribers_token(
    smtp_settings, smtp_sink, approved_edition, backend
):
    if backend == "locmem":
        smtp_settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    hostile_item(approved_edition)
    readers = make_subscribers(3)
    assert send_edition(approved_edition).sent == 3
    raws = (
        [m["data"] for m in smtp_sink.messages]
        if backend == "smtp"
        else [m.message().as_bytes() for m in mail.outbox]
    )
    by_email = {r.email: r for r in readers}
    for to, headers, html, text in received(raws):
        reader = by_email[to]
        token = manage_token(reader).rsplit(".", 2)[0]  # "pk-key": in every form
        assert "Headline" in html and "Blurb" in html and "Intro" in html
        # The reader's own links: once each in HTML and text, nowhere else.
        for body in (html, text):
            links = own_links(body)
            assert sorted(kind for kind, _ in links) == ["preferences", "unsubscribe"]
            assert all(found.startswith(token + ".") for _, found in links)
            assert token not in OWN_LINK.sub("", body), "a token outside its slot"
        assert token in headers  # List-Unsubscribe
        for other in readers:
            if other.pk != reader.pk:
                theirs = manage_token(other).rsplit(".", 2)[0]
                assert theirs not in html + text + headers
        # The paper's server sees nothing of the email: no remote image.
        assert "<img" not in html and "evil.test" not in html + text


def test_placeholder_in_content_stays_what_it_was(smtp_settings, smtp_sink, edition):
    """The email shows paper content as written, placeholder and all; no string
    in content is a slot."""
    hostile_item(edition)
    make_subscribers(1)
    send_edition(edition)
    (_, _, html, text) = received([smtp_sink.messages[0]["data"]])[0]
    assert f"Headline {PLACEHOLDER}" in html and f"Blurb {PLACEHOLDER}" in text


@pytest.fixture
def edition(approved_edition):
    return approved_edition


# ── the links themselves ──
@pytest.fixture
def reader(network):
    reader = make_subscribers(1)[0]
    client = Signup("", ip="203.0.113.9", user_agent="Secret UA/1")
    record_consent(reader, "signup", consent_fields(client))
    return reader


def alive(reader):
    return Subscriber.objects.filter(pk=reader.pk).first()


def test_an_expired_link_is_refused(reader, settings, client):
    settings.NEWSLETTER_MANAGE_DAYS = 60
    old = manage_token(reader, now=time.time() - 61 * 86400)
    fresh = manage_token(reader, now=time.time() - 59 * 86400)
    assert client.get(f"/newsletter/preferences/{fresh}/").status_code == 200
    for method, path in [
        ("get", "preferences/{}/"),
        ("post", "preferences/{}/"),
        ("post", "preferences/{}/export/"),
        ("post", "preferences/{}/delete/"),
        ("post", "unsubscribe/{}/"),
    ]:
        response = getattr(client, method)("/newsletter/" + path.format(old))
        assert response.status_code == 400, path
        assert b"expired" in response.content
    assert alive(reader).status == "confirmed"


def test_one_click_unsubscribe_from_the_header_then_the_link_is_dead(
    smtp_settings, smtp_sink, approved_edition
):
    reader = make_subscribers(1)[0]
    send_edition(approved_edition)
    message = smtp_sink.parsed()[0]
    https = message["List-Unsubscribe"].split(",")[0].strip(" <>")
    path = https.removeprefix("http://testserver")
    client = Client(enforce_csrf_checks=True)  # a mail client: no cookies, no CSRF
    body = "List-Unsubscribe=One-Click"
    response = client.post(path, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert alive(reader).status == "unsubscribed"
    token = path.split("/")[-2]
    assert token.encode() not in response.content  # no link to reuse on the page
    # The link was used: it, and every other management link sent, is revoked.
    html = message.get_body(("html",)).get_content()
    preferences = [f"/newsletter/{k}/{t}/" for k, t in own_links(html)]
    assert len(preferences) == 2 and "/preferences/" in preferences[0]
    assert client.get(preferences[0]).status_code == 400
    again = client.post(path, body, content_type="application/x-www-form-urlencoded")
    assert again.status_code == 400
    assert Client().post(f"/newsletter/preferences/{token}/delete/").status_code == 400
    assert alive(reader) is not None


def test_delete_revokes_and_a_second_use_fails(reader, client):
    token = manage_token(reader)
    assert client.post(f"/newsletter/preferences/{token}/delete/").status_code == 200
    assert alive(reader) is None
    assert client.post(f"/newsletter/preferences/{token}/delete/").status_code == 400


def test_unsubscribe_by_mail_rotates_the_token(reader):
    token = manage_token(reader)
    mail_bytes = f"From: {reader.email}\r\nSubject: unsubscribe {token}\r\n\r\n"
    assert unsubscribe_by_mail(mail_bytes.encode())
    assert alive(reader).token_key != reader.token_key
    assert Client().get(f"/newsletter/preferences/{token}/").status_code == 400


def test_export_by_get_shows_a_form_and_leaks_nothing(reader, client):
    token = manage_token(reader)
    page = client.get(f"/newsletter/preferences/{token}/export/")
    assert page.status_code == 200
    body = page.content.decode()
    assert page["Content-Type"].startswith("text/html")
    assert '<form method="post"' in body
    for secret in (reader.email, "Secret UA/1", "203.0.113"):
        assert secret not in body, secret
    preferences = client.get(f"/newsletter/preferences/{token}/").content.decode()
    assert reader.email not in preferences  # shown masked, never in full by GET
    data = json.loads(client.post(f"/newsletter/preferences/{token}/export/").content)
    assert data["email"] == reader.email
    assert data["consents"][0]["user_agent"] == "Secret UA/1"


def test_export_post_needs_the_csrf_token(reader):
    client = Client(enforce_csrf_checks=True)
    token = manage_token(reader)
    assert client.post(f"/newsletter/preferences/{token}/export/").status_code == 403


def test_a_link_from_before_links_expired_is_refused_cleanly(reader, client):
    from django.core import signing

    from briefings.newsletter.tokens import MANAGE_SALT

    # The format of management tokens sent before they had a timestamp.
    undated = signing.Signer(salt=MANAGE_SALT, sep=".").sign(
        f"{reader.pk}-{reader.token_key}"
    )
    response = client.post(f"/newsletter/unsubscribe/{undated}/")
    assert response.status_code == 400 and b"expired" in response.content
    assert alive(reader).status == "confirmed"
