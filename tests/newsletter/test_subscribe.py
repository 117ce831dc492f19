import re
from datetime import timedelta

import pytest

from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from briefings.newsletter.models import Consent, Subscriber
from briefings.newsletter.subscribe import send_reminders

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()


def post_signup(client, email, **extra):
    """Post the form, then run the sender as `briefings run` does seconds later."""
    from django.utils import timezone

    from briefings.newsletter.outbox import send_queued_signups

    data = {"email": email, "frequency": "daily", **extra}
    response = client.post(
        "/newsletter/",
        data,
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Test Browser/1.0",
    )
    send_queued_signups(timezone.now())
    return response


def confirm_link(message):
    return re.search(r"http://\S+/newsletter/confirm/\S+/", message.body).group(0)


def test_signup_records_consent_and_sends_one_confirmation(client):
    response = post_signup(client, "Reader@Example.com")
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader@example.com"
    assert subscriber.status == "pending"
    consent = Consent.objects.get()
    assert "Privacy Policy and Terms of Service" in consent.text
    assert consent.privacy_version and consent.terms_version
    assert consent.ip == "203.0.113.0/24"
    assert consent.user_agent == "Test Browser/1.0"
    assert len(mail.outbox) == 1
    assert confirm_link(mail.outbox[0])


def test_known_and_new_addresses_get_the_same_answer(client):
    Subscriber.objects.create(email="known@example.com", status="confirmed")
    known = post_signup(client, "known@example.com")
    new = post_signup(client, "new@example.com")
    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_honeypot_creates_nothing_but_looks_the_same(client):
    response = post_signup(client, "bot@example.com", website="http://spam")
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_rate_limit_per_ip(client, settings):
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 2
    codes = [post_signup(client, f"r{n}@example.com").status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert Subscriber.objects.count() == 2


@pytest.mark.parametrize(
    "email",
    [
        "victim@example.com\r\nBcc: everyone@example.com",
        "victim@example.com\nSubject: spam",
        "a" * 10_000 + "@example.com",
        "not-an-address",
        "{{ settings.SECRET_KEY }}@example.com",
        "<script>alert(1)</script>@example.com",
    ],
)
def test_hostile_addresses_are_refused(client, email):
    response = post_signup(client, email)
    assert response.status_code == 400
    assert b"valid email address" in response.content
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_confirm_by_post_not_by_get(client):
    post_signup(client, "reader@example.com")
    link = confirm_link(mail.outbox[0]).removeprefix("http://testserver")
    assert client.get(link).status_code == 200
    assert Subscriber.objects.get().status == "pending"
    response = client.post(link)
    assert b"You are subscribed" in response.content
    assert Subscriber.objects.get().status == "confirmed"
    assert Consent.objects.filter(action="confirm").count() == 1
    again = client.post(link)
    assert again.status_code == 400
    assert b"Already confirmed" in again.content


def test_expired_and_forged_tokens_get_a_clear_page(client, settings):
    post_signup(client, "reader@example.com")
    link = confirm_link(mail.outbox[0]).removeprefix("http://testserver")
    forged = client.post(link.rstrip("/") + "x/")
    assert b"not valid" in forged.content
    settings.NEWSLETTER_CONFIRM_DAYS = -1
    expired = client.post(link)
    assert expired.status_code == 400
    assert b"expired" in expired.content
    assert Subscriber.objects.get().status == "pending"


def test_at_most_one_reminder(client):
    from datetime import timedelta

    from django.utils import timezone

    post_signup(client, "reader@example.com")
    later = timezone.now() + timedelta(days=4)
    assert send_reminders(later) == 1
    assert send_reminders(later + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Reminder")


def test_article_page_block_posts_to_signup(client, network):
    from tests.factories import make_article

    article = make_article()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'action="/newsletter/"' in page
    assert "By providing us with your email address, you agree to our" in page
    assert 'href="/newsletter/today/"' in page


@pytest.mark.django_db(transaction=True)
def test_mail_to_the_list_unsubscribe_address_unsubscribes(
    smtp_settings, smtp_sink, approved_edition
):
    import os
    import subprocess
    import sys
    from email.message import EmailMessage
    from urllib.parse import unquote, urlsplit

    from briefings.newsletter.deliver import send_edition
    from tests.conftest import subprocess_database_url
    from tests.newsletter.conftest import make_subscribers

    reader, other = make_subscribers(2)
    send_edition(approved_edition)
    received = next(m for m in smtp_sink.parsed() if m["To"] == reader.email)
    mailto = received["List-Unsubscribe"].split(",")[1].strip(" <>")
    parts = urlsplit(mailto)
    assert parts.scheme == "mailto" and parts.path == "unsubscribe@briefings.test"

    def pipe(subject):
        mail = EmailMessage()  # what a mail client sends for the mailto link
        mail["From"], mail["To"], mail["Subject"] = reader.email, parts.path, subject
        env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "briefings", "newsletter", "unsubscribe-mail"]
        done = subprocess.run(
            command, input=mail.as_bytes(), env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    subject = unquote(parts.query.removeprefix("subject="))
    forged = subject[:-4] + "AAAA"
    assert "no valid" in pipe(forged)
    assert "no valid" in pipe("unsubscribe {{ x }} <b>" + "9" * 10_000)
    assert Subscriber.objects.get(pk=reader.pk).status == "confirmed"
    assert pipe(subject).strip() == "unsubscribed"
    assert Subscriber.objects.get(pk=reader.pk).status == "unsubscribed"
    assert Subscriber.objects.get(pk=other.pk).status == "confirmed"


def test_confirming_sends_a_welcome_with_the_readers_links(client):
    post_signup(client, "reader@example.com")
    link = confirm_link(mail.outbox[0]).removeprefix("http://testserver")
    client.post(link)
    welcome = mail.outbox[-1]
    assert len(mail.outbox) == 2 and welcome.subject == "Welcome to Eastern Briefings"
    assert welcome.to == ["reader@example.com"]
    assert "06:00 (Asia/Singapore time)" in welcome.body
    assert "/newsletter/today/" in welcome.body
    assert "/newsletter/preferences/" in welcome.body
    assert "/newsletter/unsubscribe/" in welcome.body


def test_a_welcome_the_mail_server_refuses_leaves_the_subscription(client, settings):
    post_signup(client, "reader@example.com")
    link = confirm_link(mail.outbox[0]).removeprefix("http://testserver")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    assert b"You are subscribed" in client.post(link).content
    assert Subscriber.objects.get().status == "confirmed"


@pytest.mark.parametrize("token", ["garbage", "1-abc.xyz.123", "x" * 300])
def test_a_garbage_confirmation_link_fails_at_once(client, token):
    response = client.get(f"/newsletter/confirm/{token}/")
    assert response.status_code == 400
    assert b"This link is not valid" in response.content
    assert b"<button" not in response.content.split(b"<main", 1)[1]


def test_a_used_confirmation_link_says_so_on_opening(client):
    post_signup(client, "reader@example.com")
    link = confirm_link(mail.outbox[0]).removeprefix("http://testserver")
    client.post(link)
    opened = client.get(link)
    assert opened.status_code == 400 and b"Already confirmed" in opened.content


def test_signing_up_again_while_unconfirmed_resends_the_link(client, settings):
    from briefings.newsletter.subscribe import RESEND_AFTER

    post_signup(client, "reader@example.com")
    post_signup(client, "reader@example.com")  # at once: not again yet
    assert len(mail.outbox) == 1
    Subscriber.objects.update(
        confirmation_sent_at=timezone.now() - RESEND_AFTER - timedelta(seconds=1)
    )
    post_signup(client, "Reader@Example.com")
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["reader@example.com"]
    assert Subscriber.objects.count() == 1
    # ... and the mailbox's daily cap still bounds it.
    for _ in range(5):
        Subscriber.objects.update(confirmation_sent_at=timezone.now() - RESEND_AFTER)
        post_signup(client, "reader@example.com")
    assert len(mail.outbox) == settings.NEWSLETTER_CONFIRMATIONS_PER_MAILBOX
