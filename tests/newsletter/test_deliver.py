from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest

from django.utils import timezone

from briefings.newsletter.deliver import send_edition
from briefings.newsletter.models import Delivery, Edition, Subscriber
from tests.newsletter.conftest import make_subscribers


@pytest.mark.parametrize("pipelining", [False, True], ids=["stepped", "pipelined"])
def test_every_confirmed_subscriber_gets_one_copy(
    smtp_settings, smtp_sink, approved_edition, pipelining
):
    smtp_sink.pipelining = pipelining
    readers = make_subscribers(7)
    Subscriber.objects.create(email="pending@example.test")
    Subscriber.objects.create(email="gone@example.test", status="unsubscribed")
    report = send_edition(approved_edition)
    assert report.sent == 7
    assert sorted(smtp_sink.recipients()) == sorted(r.email for r in readers)
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.SENT
    assert Delivery.objects.filter(status="sent", accepted=True).count() == 7
    sent_at = Delivery.objects.values_list("sent_at", flat=True)
    assert all(approved_edition.send_started_at <= t <= timezone.now() for t in sent_at)
    assert send_edition(approved_edition) is None  # sent editions stay sent


def test_message_structure_and_unsubscribe_headers(
    smtp_settings, smtp_sink, approved_edition
):
    make_subscribers(1)
    send_edition(approved_edition)
    raw = smtp_sink.messages[0]["data"]
    message = message_from_bytes(raw, policy=policy.SMTP)
    assert len(raw) < 102 * 1024
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    https, mailto = [u.strip(" <>") for u in message["List-Unsubscribe"].split(",")]
    assert https.startswith("http://testserver/newsletter/unsubscribe/")
    assert mailto.startswith("mailto:unsubscribe@briefings.test?subject=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@briefings.test>")
    html = message.get_body(("html",)).get_content()
    assert 'width="600"' in html and "prefers-color-scheme: dark" in html
    assert "<style" in html and 'style="' in html  # inlined, at-rules kept
    text = message.get_body(("plain",)).get_content()
    assert "Unsubscribe: http://testserver/newsletter/unsubscribe/" in text


def test_every_link_in_the_email_resolves(
    smtp_settings, smtp_sink, approved_edition, client
):
    import re

    make_subscribers(1)
    send_edition(approved_edition)
    message = smtp_sink.parsed()[0]
    html = message.get_body(("html",)).get_content()
    links = set(re.findall(r'href="([^"]+)"', html))
    assert len(links) > 5
    for link in links:
        parts = urlsplit(link.replace("&amp;", "&"))
        assert parts.netloc == "testserver", link
        response = client.get(parts.path)
        assert response.status_code == 200, link


def test_region_choice_gives_a_variant(smtp_settings, smtp_sink, approved_edition):
    make_subscribers(1, prefix="south", regions=["south-asia"])
    send_edition(approved_edition)
    text = smtp_sink.parsed()[0].get_body(("plain",)).get_content()
    assert "South Asia" in text
    assert "Northeast Asia" not in text and "Southeast Asia" not in text


@pytest.mark.parametrize("pipelining", [False, True], ids=["stepped", "pipelined"])
def test_5xx_bounces_and_suppresses(
    smtp_settings, smtp_sink, approved_edition, pipelining
):
    smtp_sink.pipelining = pipelining
    readers = make_subscribers(3)
    smtp_sink.rcpt_replies[readers[1].email] = ["550 5.1.1 no such user"]
    report = send_edition(approved_edition)
    assert (report.sent, report.bounced) == (2, 1)
    bounced = Subscriber.objects.get(pk=readers[1].pk)
    assert bounced.status == "bounced" and "550" in bounced.bounce_reason
    assert readers[1].email not in smtp_sink.recipients()


@pytest.mark.parametrize("pipelining", [False, True], ids=["stepped", "pipelined"])
@pytest.mark.parametrize(
    "stage, failure",
    [("data", "451 4.3.0 try later"), ("rcpt", "421 busy"), ("rcpt", "drop")],
)
def test_4xx_and_dropped_connections_are_retried(
    smtp_settings, smtp_sink, approved_edition, stage, failure, pipelining
):
    smtp_sink.pipelining = pipelining
    readers = make_subscribers(3)
    replies = getattr(smtp_sink, f"{stage}_replies")
    replies[readers[0].email] = [failure, failure]
    report = send_edition(approved_edition)
    assert report.sent == 3 and report.retried == 2
    assert sorted(smtp_sink.recipients()) == sorted(r.email for r in readers)
    assert Delivery.objects.get(subscriber=readers[0]).attempts == 3


def test_link_dropped_after_the_final_dot_is_not_resent(
    smtp_settings, smtp_sink, approved_edition
):
    # The documented at-most-once window: recorded as sent before the dot.
    readers = make_subscribers(2)
    smtp_sink.data_replies[readers[0].email] = ["drop"]
    send_edition(approved_edition)
    delivery = Delivery.objects.get(subscriber=readers[0])
    assert (delivery.status, delivery.accepted) == ("sent", False)
    assert smtp_sink.recipients() == [readers[1].email]


def test_retries_exhausted_mark_failed(smtp_settings, smtp_sink, approved_edition):
    smtp_settings.NEWSLETTER_MAX_ATTEMPTS = 2
    readers = make_subscribers(2)
    smtp_sink.rcpt_replies[readers[0].email] = ["452 mailbox full"] * 5
    report = send_edition(approved_edition)
    assert (report.sent, report.failed) == (1, 1)
    assert Delivery.objects.get(subscriber=readers[0]).status == "failed"


@pytest.mark.parametrize("pipelining", [False, True], ids=["stepped", "pipelined"])
def test_error_threshold_pauses_the_edition(
    smtp_settings, smtp_sink, approved_edition, pipelining
):
    smtp_sink.pipelining = pipelining
    smtp_settings.NEWSLETTER_ERROR_LIMIT = 3
    readers = make_subscribers(6)
    for reader in readers:
        smtp_sink.rcpt_replies[reader.email] = ["554 blocked"]
    report = send_edition(approved_edition)
    assert report.paused and report.bounced == 3
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.PAUSED
    assert Delivery.objects.filter(status="queued").count() == 3


def test_unreachable_server_is_retried_not_lost(settings, approved_edition):
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.NEWSLETTER_MAX_ATTEMPTS = 1
    settings.NEWSLETTER_ERROR_LIMIT = 2
    make_subscribers(4)
    report = send_edition(approved_edition)
    assert report.paused and report.sent == 0


def test_a_draft_is_not_sent(smtp_settings, smtp_sink, approved_edition):
    Edition.objects.filter(pk=approved_edition.pk).update(status="draft")
    make_subscribers(2)
    assert send_edition(approved_edition) is None
    assert smtp_sink.messages == []


def test_templates_and_html_in_content_are_inert(
    smtp_settings, smtp_sink, approved_edition
):
    item = approved_edition.items.first()
    item.article.headline = (
        "{{ settings.SECRET_KEY }} <img src=x onerror=alert(1)>\r\nBcc: x@y"
    )
    item.article.save()
    item.blurb = "{% debug %} <b>bold</b>"
    item.save()
    make_subscribers(1)
    send_edition(approved_edition)
    message = smtp_sink.parsed()[0]
    html = message.get_body(("html",)).get_content()
    assert "{{ settings.SECRET_KEY }}" in html and "&lt;img src=x" in html
    assert "{% debug %} &lt;b&gt;bold&lt;/b&gt;" in html
    assert message["Bcc"] is None
    assert smtp_sink.recipients() == ["reader0@example.test"]


def test_a_non_smtp_backend_gets_the_same_message(settings, approved_edition):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    readers = make_subscribers(2)
    report = send_edition(approved_edition)
    assert report.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)
    message = mail.outbox[0].message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/newsletter/unsubscribe/" in message["List-Unsubscribe"]
    assert [p.get_content_type() for p in message.get_payload()] == [
        "text/plain",
        "text/html",
    ]
    assert Delivery.objects.filter(status="sent").count() == 2
