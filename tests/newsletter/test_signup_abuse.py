"""A hostile reader against the signup form (issue #11): telling known addresses
from new ones by timing, bombing one mailbox with confirmations, and the limits
behind a reverse proxy."""

import os
import re
import subprocess
import sys
import threading
import time
import uuid

import pytest

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings.newsletter.models import Consent, Subscriber
from tests.conftest import REDIS_FOR_TESTS, redis_is_up

pytestmark = pytest.mark.usefixtures("network")


def post(client, email, remote="203.0.113.77", forwarded=None):
    extra = {"REMOTE_ADDR": remote, "HTTP_USER_AGENT": "Test Browser/1.0"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/newsletter/", {"email": email, "frequency": "daily"}, **extra)


def drain():
    """What the sender job does every few seconds under `briefings run`."""
    from briefings.newsletter.outbox import send_queued_signups

    return send_queued_signups(timezone.now())


def shape(sql):
    """The statement without its values: what the database was asked to do."""
    return re.sub(r"'(?:[^']|'')*'|\b\d+\b", "?", sql)


# ─── Item 7: the answer costs the same for known and new addresses ──────────


def test_the_request_sends_no_mail_and_does_the_same_work_for_any_address(
    client, shared_cache
):
    from briefings.newsletter.models import QueuedSignup

    Subscriber.objects.create(email="confirmed@example.com", status="confirmed")
    Subscriber.objects.create(
        email="pending@example.com", confirmation_sent_at=timezone.now()
    )
    work = {}
    for n, email in enumerate(
        ["confirmed@example.com", "pending@example.com", "new@example.com"]
    ):
        with CaptureQueriesContext(connection) as queries:
            response = post(client, email, remote=f"198.51.{n}.1")
        assert (response.status_code, response["Location"]) == (
            302,
            "/newsletter/thanks/",
        )
        assert mail.outbox == []
        work[email] = [shape(q["sql"]) for q in queries]
    assert work["confirmed@example.com"] == work["new@example.com"]
    assert work["pending@example.com"] == work["new@example.com"]
    touched = " ".join(work["new@example.com"])
    assert (
        "newsletter_subscriber" not in touched and "newsletter_consent" not in touched
    )
    assert QueuedSignup.objects.count() == 3


def test_the_sender_confirms_the_queued_signup_with_its_consent(client):
    from briefings.newsletter.models import QueuedSignup

    post(client, "Reader@Example.com")
    queued = QueuedSignup.objects.get()
    assert mail.outbox == [] and not Subscriber.objects.exists()
    assert drain() == 1
    assert [m.to for m in mail.outbox] == [["Reader@example.com"]]
    consent = Consent.objects.get()
    assert consent.given_at == queued.received_at
    assert (consent.ip, consent.user_agent) == ("203.0.113.0/24", "Test Browser/1.0")
    assert not QueuedSignup.objects.exists()
    assert drain() == 0 and len(mail.outbox) == 1


def test_a_known_address_gets_nothing_and_leaves_nothing_queued(client):
    from briefings.newsletter.models import QueuedSignup

    Subscriber.objects.create(email="known@example.com", status="confirmed")
    post(client, "Known@Example.com")
    drain()
    assert mail.outbox == []
    assert not QueuedSignup.objects.exists()
    assert Subscriber.objects.count() == 1 and not Consent.objects.exists()


def test_a_refused_and_a_deferred_confirmation(client, smtp_settings, smtp_sink):
    from briefings.newsletter.models import QueuedSignup

    smtp_sink.rcpt_replies["gone@example.com"] = ["550 no such user"]
    smtp_sink.rcpt_replies["busy@example.com"] = ["451 try later"]
    post(client, "gone@example.com")
    post(client, "busy@example.com")
    drain()
    assert smtp_sink.recipients() == []
    retry = QueuedSignup.objects.get()  # the 5xx one is dropped, the 4xx kept
    assert retry.email == "busy@example.com" and retry.attempts == 1
    assert "451" in retry.last_error
    QueuedSignup.objects.update(next_attempt_at=timezone.now())
    drain()
    assert smtp_sink.recipients() == ["busy@example.com"]
    assert not QueuedSignup.objects.exists()
    assert Consent.objects.filter(subscriber__email="busy@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_under_the_runner_the_confirmation_arrives_within_seconds(
    client, network, smtp_settings, smtp_sink, settings
):
    """The job threads of `briefings run` and `make demo`, with a slow edition
    job beside them: the confirmation does not wait for it."""
    from briefings.ingest.jobs import jobs_forever

    settings.BRIEFINGS_PERIODIC_JOBS = {
        **settings.BRIEFINGS_PERIODIC_JOBS,
        "tests.newsletter.test_signup_abuse.slow_job": 60,
    }
    stop = threading.Event()
    runner = threading.Thread(target=jobs_forever, args=(stop,), daemon=True)
    runner.start()
    try:
        assert SLOW_JOB_STARTED.wait(10)
        post(client, "reader@example.com")
        deadline = time.monotonic() + 10
        while not smtp_sink.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert smtp_sink.recipients() == ["reader@example.com"]
    finally:
        stop.set()
        runner.join(30)
    assert not runner.is_alive()


SLOW_JOB_STARTED = threading.Event()


def slow_job(now):
    SLOW_JOB_STARTED.set()
    time.sleep(3)


# ─── Item 8: one mailbox, many spellings; limits behind a proxy ─────────────

VARIANTS = [
    "victim@example.com",
    "Victim@example.com",
    "VICTIM@EXAMPLE.COM",
    "vIcTiM@Example.Com",
    *(f"victim+{n}@example.com" for n in range(10)),
    *(f"ViCtim+news{n}@EXAMPLE.com" for n in range(10)),
    "VICTIM+x@example.COM",
    "Victim+@example.com",
    "victim++@Example.com",
    "vICTIM+a+b@example.com",
    "victiM@example.com",
]


def test_one_mailbox_gets_few_confirmations_whatever_the_spelling(
    client, shared_cache, settings
):
    assert len(VARIANTS) == 29
    for n, email in enumerate(VARIANTS):
        assert post(client, email, remote=f"192.0.{n}.{n + 1}").status_code == 302
    drain()
    assert len(mail.outbox) == settings.NEWSLETTER_CONFIRMATIONS_PER_MAILBOX == 3


def test_gmail_dots_and_googlemail_are_one_mailbox(client, shared_cache):
    spellings = [
        "victim@gmail.com",
        "v.i.c.t.i.m@gmail.com",
        "Vic.Tim+x@GMail.com",
        "victim@googlemail.com",
        "v.ictim@googlemail.com",
        "vi.ctim+1@gmail.com",
    ]
    for n, email in enumerate(spellings):
        post(client, email, remote=f"192.0.{n}.1")
    drain()
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    "one, other, same",
    [
        ("Reader@Example.com", "reader@example.com", True),
        ("reader+news@example.com", "READER@EXAMPLE.COM", True),
        ("user@bücher.example", "User@xn--bcher-kva.example", True),
        ("r.e.a.d.e.r@gmail.com", "reader@googlemail.com", True),
        ("r.eader@example.com", "reader@example.com", False),
        ("reader@example.com", "reader@example.org", False),
        ("reader-news@example.com", "reader@example.com", False),
    ],
)
def test_mailbox_key(one, other, same):
    from briefings.newsletter.subscribe import mailbox_key, normalize_email

    one, other = normalize_email(one), normalize_email(other)
    assert (mailbox_key(one) == mailbox_key(other)) is same


def test_behind_a_trusted_proxy_each_reader_has_their_own_limit(
    client, shared_cache, settings
):
    settings.BRIEFINGS_TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]
    for n in range(12):
        response = post(
            client, f"reader{n}@example.com", remote="127.0.0.1",
            forwarded=f"6.6.6.6, 198.51.{n}.7",
        )  # fmt: skip
        assert response.status_code == 302
    drain()
    ips = sorted(Consent.objects.values_list("ip", flat=True))
    assert ips == sorted(f"198.51.{n}.0/24" for n in range(12))
    codes = [
        post(client, f"more{n}@example.com", "127.0.0.1", "198.51.0.7").status_code
        for n in range(5)
    ]
    assert codes == [302] * 4 + [429]  # the reader's own limit still holds


def test_a_forged_forwarded_header_from_an_untrusted_peer_changes_nothing(
    client, shared_cache
):
    codes = [
        post(client, f"r{n}@example.com", forwarded=f"198.51.{n}.7").status_code
        for n in range(6)
    ]
    assert codes == [302] * 5 + [429]
    assert set(Consent.objects.values_list("ip", flat=True)) <= {"203.0.113.0/24"}


def test_an_ipv6_reader_rotating_through_their_64_is_one_client(client, shared_cache):
    codes = [
        post(client, f"r{n}@example.com", remote=f"2001:db8:1:2::{n + 1:x}").status_code
        for n in range(6)
    ]
    assert codes == [302] * 5 + [429]


def test_one_network_is_limited_too(client, shared_cache, settings):
    limit = settings.NEWSLETTER_SIGNUPS_PER_NETWORK_HOUR
    codes = [
        post(client, f"r{n}@example.com", remote=f"198.51.100.{n + 1}").status_code
        for n in range(limit + 1)
    ]
    assert codes == [302] * limit + [429]
    assert post(client, "other@example.com", remote="198.51.101.1").status_code == 302


def test_the_limits_hold_across_processes_through_redis(tmp_path):
    """Two processes (two web workers, or a worker and the sender) count together."""
    if not redis_is_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    address = f"100.{uuid.uuid4().int % 64 + 64}.{uuid.uuid4().int % 256}.9"
    mailbox = f"victim-{uuid.uuid4().hex}@example.com"
    script = (
        "import django, sys; django.setup(); "
        "from briefings.newsletter.subscribe import "
        "confirmation_allowed, rate_limited; "
        "print([rate_limited(sys.argv[1]) for _ in range(3)], "
        "[confirmation_allowed(sys.argv[2]) for _ in range(2)])"
    )
    env = dict(
        os.environ,
        CACHE_URL=REDIS_FOR_TESTS,
        BRIEFINGS_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="briefings.config.settings",
        NEWSLETTER_SIGNUPS_PER_HOUR="5",
        NEWSLETTER_CONFIRMATIONS_PER_MAILBOX="3",
    )
    run = [sys.executable, "-c", script, address, mailbox]
    first = subprocess.run(run, env=env, capture_output=True, text=True)
    second = subprocess.run(run, env=env, capture_output=True, text=True)
    assert first.stdout.strip() == "[False, False, False] [True, True]", first.stderr
    assert second.stdout.strip() == "[False, False, True] [True, False]", second.stderr
