"""Crash and concurrency: real `briefings newsletter send` processes, killed or
started together, against an aiosmtpd server on loopback."""

import collections
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from django.conf import settings
from django.db import connection

from briefings.newsletter.models import Delivery, Edition
from tests.conftest import subprocess_database_url
from tests.newsletter.conftest import make_subscribers

pytestmark = pytest.mark.django_db(transaction=True)


def sender(sink, day, *extra, lease=120):
    env = {
        "NEWSLETTER_LEASE_SECONDS": str(lease),
        **os.environ,
        "DATABASE_URL": subprocess_database_url(),
        "EMAIL_URL": f"smtp://{sink.host}:{sink.port}",
        "NEWSLETTER_BATCH_SIZE": "10",
        "BRIEFINGS_SITE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "briefings", "newsletter", "send"]
    return subprocess.Popen(
        [*command, "--date", day.isoformat(), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def copies(sink):
    return collections.Counter(sink.recipients())


def test_sigkill_mid_send_then_restart_sends_each_exactly_once(
    smtp_sink, approved_edition
):
    """A killed sender's claims go back to the queue once older than the lease
    (by age only), and the restart sends them."""
    readers = make_subscribers(150)
    smtp_sink.delay = 0.003
    for kill_after in (30, 90):
        process = sender(smtp_sink, approved_edition.date, lease=3)
        wait_for(lambda n=kill_after: len(smtp_sink.recipients()) >= n)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        assert Delivery.objects.filter(status="queued").exists()
    process = sender(smtp_sink, approved_edition.date, lease=3)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert copies(smtp_sink) == {r.email: 1 for r in readers}
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.SENT
    assert Delivery.objects.filter(status="sent").count() == 150


def test_sigkill_after_the_bodies_before_the_mark_resends_that_round(
    smtp_sink, approved_edition
):
    """A round's bodies are on the wire and its "sent" mark waits behind a
    database lock: killed there, no server has a final dot, so each discards its
    copy, the rows are still unsent, and the restart sends each exactly once."""
    if connection.vendor != "sqlite":
        pytest.skip("holds SQLite's write lock to stop the sender at its mark")
    readers = make_subscribers(60)
    smtp_sink.pipelining = True
    process = sender(smtp_sink, approved_edition.date, lease=3)
    wait_for(lambda: len(smtp_sink.recipients()) >= 10)
    lock = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
    lock.isolation_level = None
    in_flight = []
    for _ in range(100):  # until the lock catches the sender at its mark
        lock.execute("BEGIN IMMEDIATE")
        time.sleep(0.2)
        in_flight = smtp_sink.in_flight()
        if in_flight:
            break
        lock.execute("ROLLBACK")
        time.sleep(0.005)
    assert in_flight, "the sender was never caught between bodies and mark"
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    lock.execute("ROLLBACK")
    lock.close()
    assert len(in_flight) > 1  # a whole round, several connections
    assert not set(in_flight) & set(smtp_sink.recipients())
    unsent = Delivery.objects.filter(subscriber__email__in=in_flight)
    assert set(unsent.values_list("status", flat=True)) == {"sending"}
    process = sender(smtp_sink, approved_edition.date, lease=3)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert copies(smtp_sink) == {r.email: 1 for r in readers}


def test_two_senders_started_at_once_send_the_edition_once(smtp_sink, approved_edition):
    """Each joins the edition (test_senders.py has them share the work), or,
    started after the other sent it all, says so and sends nothing."""
    readers = make_subscribers(60)
    first = sender(smtp_sink, approved_edition.date)
    second = sender(smtp_sink, approved_edition.date)
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0 or b"is sent; nothing sent" in err, err
    assert copies(smtp_sink) == {r.email: 1 for r in readers}


def test_a_sender_paused_past_its_lease_sends_nothing_another_sent(
    smtp_sink, approved_edition
):
    """A sender stopped (SIGSTOP: a long GC, a stalled network) with a round
    claimed and its envelopes on the wire, past its lease: a second sender
    takes the edition and those deliveries over and sends everything. Resumed,
    the first finds its "sent" mark fenced out and sends no final dot."""
    readers = make_subscribers(40)
    smtp_sink.stall_rcpt[readers[3].email] = 4.0
    first = sender(smtp_sink, approved_edition.date, lease=2)
    try:
        wait_for(smtp_sink.stalled.is_set)
        first.send_signal(signal.SIGSTOP)
        time.sleep(2.5)  # past the first sender's lease
        second = sender(smtp_sink, approved_edition.date, lease=2)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err.decode()
        assert copies(smtp_sink) == {r.email: 1 for r in readers}
    finally:
        first.send_signal(signal.SIGCONT)
    first.communicate(timeout=60)
    time.sleep(0.5)  # any final dot the first sender wrote has been read
    assert copies(smtp_sink) == {r.email: 1 for r in readers}
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.SENT
    assert Delivery.objects.filter(status="sent").count() == 40


def test_send_refuses_a_draft_without_approve(smtp_sink, approved_edition):
    Edition.objects.filter(pk=approved_edition.pk).update(status="draft")
    make_subscribers(2)
    refused = sender(smtp_sink, approved_edition.date)
    _, err = refused.communicate(timeout=60)
    assert refused.returncode == 1 and b"--approve" in err
    approved = sender(smtp_sink, approved_edition.date, "--approve")
    assert approved.wait(60) == 0
    assert len(smtp_sink.recipients()) == 2
