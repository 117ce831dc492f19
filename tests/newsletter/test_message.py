"""The pre-encoded message (message.Prepared), management tokens and DKIM."""

import base64
import re
import subprocess
import time
from datetime import date
from email import message_from_bytes, policy

import pytest

from django.core import signing

from briefings.newsletter.deliver import send_edition
from briefings.newsletter.message import Prepared, build_message
from briefings.newsletter.models import Delivery
from briefings.newsletter.render import TOKEN_SLOT as TOKEN
from briefings.newsletter.render import Rendered
from briefings.newsletter.tokens import MANAGE_SALT, manage_token, read_manage_token
from tests.newsletter.conftest import make_subscribers


class Day:
    date = date(2026, 1, 2)


class Reader:
    pk = 4321
    email = "reader@example.test"
    token_key = "k3y_-k3y_-k3y_-k"


def awkward_edition():
    """A variant whose encoding is easy to get wrong: non-ASCII, lines starting
    with dots, trailing spaces, lines far over 76 characters, tokens side by
    side and at the very start and end (TOKEN marks where the pieces are cut)."""
    html = (
        f"{TOKEN}<p>Héllo, 東京 and Dhaka  \n.a line that starts with a dot\n"
        + "x" * 300
        + f' <a href="https://site.test/newsletter/preferences/{TOKEN}/">prefs</a>'
        + f"{TOKEN}{TOKEN} \n..two dots\n= equals =3D\n"
        + "é" * 120
        + f"\n{TOKEN}"
    )
    text = f".starts with a dot \nUnsubscribe: https://site.test/u/{TOKEN}/\n"
    return Rendered(
        "Eastern Briefings: Über 東京",
        tuple(html.split(TOKEN)),
        tuple(text.split(TOKEN)),
        items=3,
    )


def parsed(raw):
    return message_from_bytes(raw, policy=policy.SMTP)


def content(message, kind):
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def test_prepared_copy_decodes_to_the_rendered_edition_with_the_token(settings):
    settings.DEFAULT_FROM_EMAIL = "Eastern Briefings <news@briefings.test>"
    rendered = awkward_edition()
    raw = Prepared(rendered, Day).copy(Reader)
    token = manage_token(Reader)
    html, text = rendered.for_token(token)
    message = parsed(raw)
    assert content(message, "html") == html
    assert content(message, "plain") == text
    django_built = build_message(rendered, Day, Reader).message()
    for name in ("From", "To", "Subject", "Message-ID", "List-Id"):
        assert message[name] == parsed(django_built.as_bytes())[name], name
    assert message["List-Unsubscribe"] == django_built["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"] == "Eastern Briefings: Über 東京"
    assert raw.isascii() and b"\n" not in raw.replace(b"\r\n", b"")
    head, body = raw.split(b"\r\n\r\n", 1)
    assert max(len(line) for line in head.split(b"\r\n")) <= 998  # URLs: unfoldable
    assert max(len(line) for line in body.split(b"\r\n")) <= 76  # quoted-printable


def test_wire_form_doubles_leading_dots_and_nothing_else(settings):
    prepared = Prepared(awkward_edition(), Day)
    plain = prepared.copy(Reader)
    wire = prepared.copy(Reader, wire=True)
    assert re.search(rb"(?m)^\.", plain)
    assert not re.search(rb"(?m)^\.(?!\.)", wire)
    assert re.sub(rb"(?m)^\.\.", b".", wire) == plain


@pytest.mark.parametrize("email", ["a@b.test\r\nBcc: x@y.test", "a b@c.test", "<a@b>"])
def test_an_unsafe_address_is_never_spliced(email):
    class Hostile(Reader):
        pass

    Hostile.email = email
    with pytest.raises(ValueError):
        Prepared(awkward_edition(), Day).copy(Hostile)


def test_a_stored_unsafe_address_fails_without_sending(
    smtp_settings, smtp_sink, approved_edition
):
    from briefings.newsletter.models import Subscriber

    make_subscribers(1)
    Subscriber.objects.create(email="x@y.test\r\nBcc: z@y.test", status="confirmed")
    report = send_edition(approved_edition)
    assert (report.sent, report.failed) == (1, 1)
    assert smtp_sink.recipients() == ["reader0@example.test"]
    assert Delivery.objects.get(subscriber__email__startswith="x@").status == "failed"


def test_manage_token_is_the_one_djangos_signer_makes_and_reads():
    now = int(time.time())
    token = manage_token(Reader, now=now)
    # TimestampSigner.sign(value) is Signer.sign(value + "." + b62(now)).
    expected = signing.Signer(salt=MANAGE_SALT, sep=".").sign(
        f"{Reader.pk}-{Reader.token_key}.{signing.b62_encode(now)}"
    )
    assert token == expected
    assert read_manage_token(token) == (Reader.pk, Reader.token_key)


@pytest.fixture
def dkim_key(tmp_path):
    """Generate an RSA key; return (private key path, DNS TXT record)."""
    key = tmp_path / "dkim.pem"
    subprocess.run(
        ["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True
    )
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return key, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_dkim_signature_verifies_and_covers_the_unsubscribe_headers(
    smtp_settings, smtp_sink, approved_edition, dkim_key
):
    import dkim

    key, record = dkim_key
    smtp_settings.NEWSLETTER_DKIM_KEY_FILE = str(key)
    smtp_settings.NEWSLETTER_DKIM_SELECTOR = "sel"
    make_subscribers(2)
    send_edition(approved_edition)
    asked = []

    def dns(name, timeout=5):
        asked.append(name)
        return record if name == b"sel._domainkey.briefings.test." else None

    assert len(smtp_sink.messages) == 2
    for received in smtp_sink.messages:
        raw = received["data"]
        assert dkim.verify(raw, dnsfunc=dns)
        signature = parsed(raw)["DKIM-Signature"]
        tags = dict(
            part.strip().split("=", 1) for part in signature.split(";") if "=" in part
        )
        signed = {h.strip().lower() for h in re.sub(r"\s", "", tags["h"]).split(":")}
        assert {"list-unsubscribe", "list-unsubscribe-post", "from"} <= signed
        assert tags["d"] == "briefings.test" and tags["s"] == "sel"
        tampered = raw.replace(
            b"List-Unsubscribe-Post: List", b"List-Unsubscribe-Post: Lost"
        )
        assert not dkim.verify(tampered, dnsfunc=dns)
    assert asked and set(asked) == {b"sel._domainkey.briefings.test."}


def test_subject_carries_the_lead_and_the_preheader_what_else(approved_edition):
    from briefings.newsletter.render import render_edition

    rendered = render_edition(approved_edition)
    lead = approved_edition.items.get(is_lead=True).article.headline
    assert rendered.subject.startswith("Eastern Briefings, ")
    assert rendered.subject.endswith(lead)
    assert 'class="preheader"' in rendered.html
    preheader = rendered.html.split('class="preheader"', 1)[1].split("</div>", 1)[0]
    assert "stories from" in preheader and "papers in" in preheader


def test_a_hostile_lead_headline_cannot_break_the_subject(approved_edition):
    from briefings.newsletter.render import render_edition

    item = approved_edition.items.get(is_lead=True)
    item.article.headline = "Floods\r\nBcc: victim@example.test\x07 " + "long " * 40
    item.article.save()
    subject = render_edition(approved_edition).subject
    assert "\r" not in subject and "\n" not in subject and "\x07" not in subject
    assert len(subject) < 130 and subject.endswith("…")
