"""One edition sent by several senders at once (issue #17): real `briefings
newsletter send` processes joining the same edition, each claiming its own
batches (FOR UPDATE SKIP LOCKED on PostgreSQL), against an aiosmtpd server on
loopback; one killed, one stopped past its claims' lease."""

import collections
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from briefings.newsletter.models import Delivery, Edition
from tests.conftest import subprocess_database_url
from tests.newsletter.conftest import make_subscribers

pytestmark = pytest.mark.django_db(transaction=True)

BATCH = 10
CONNECTIONS = 2
READERS = 300
DELAY = 0.05  # seconds the sink takes to accept each message


def sender(sink, day, lease=120):
    env = {
        **os.environ,
        "NEWSLETTER_LEASE_SECONDS": str(lease),
        "DATABASE_URL": subprocess_database_url(),
        "EMAIL_URL": f"smtp://{sink.host}:{sink.port}",
        "NEWSLETTER_BATCH_SIZE": str(BATCH),
        "NEWSLETTER_CONNECTIONS": str(CONNECTIONS),
        "NEWSLETTER_RETRY_SECONDS": "0",
        "BRIEFINGS_SITE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "briefings", "newsletter", "send"]
    return subprocess.Popen(
        [*command, "--date", day.isoformat()],
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


def sent_by_sender():
    """Deliveries marked sent, per sender process (the pid in claimed_by)."""
    rows = Delivery.objects.filter(status="sent").values_list("claimed_by", flat=True)
    return collections.Counter(worker.split(":")[1] for worker in rows)


def finish(process):
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


def test_two_senders_share_one_edition_and_close_it_once(smtp_sink, approved_edition):
    readers = make_subscribers(READERS)
    smtp_sink.delay = DELAY
    first = sender(smtp_sink, approved_edition.date)
    second = sender(smtp_sink, approved_edition.date)
    outputs = [finish(first), finish(second)]
    assert copies(smtp_sink) == {r.email: 1 for r in readers}
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.SENT
    assert Delivery.objects.filter(status="sent").count() == READERS
    work = sent_by_sender()
    assert set(work) == {str(first.pid), str(second.pid)}, (work, outputs)
    assert min(work.values()) >= BATCH, (work, outputs)  # each sent a batch or more
    assert sum("closed the edition" in out for out in outputs) == 1, outputs
    reported = [int(re.search(r"sent (\d+)", out).group(1)) for out in outputs]
    assert sum(reported) == READERS


def test_a_sender_killed_mid_send_loses_at_most_a_round(smtp_sink, approved_edition):
    """SIGKILL one of two senders: the other goes on, and takes over the dead
    one's claimed deliveries only once their claim is older than the lease (by
    age: nothing else proves a claimant dead). Zero doubled; at most the round
    the dead one had marked sent and not finished is missing."""
    readers = make_subscribers(READERS)
    smtp_sink.delay = DELAY
    lease = 3
    first = sender(smtp_sink, approved_edition.date, lease=lease)
    second = sender(smtp_sink, approved_edition.date, lease=lease)
    pid = str(first.pid)
    # mid-batch: a batch is BATCH rows, marked sent CONNECTIONS at a time
    wait_for(lambda: sent_by_sender().get(pid, 0) >= 2 * BATCH + CONNECTIONS)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    orphans = dict(
        Delivery.objects.filter(
            status="sending", claimed_by__contains=f":{pid}:"
        ).values_list("pk", "claimed_at")
    )
    assert orphans, "the killed sender held no claim"
    finish(second)
    received = copies(smtp_sink)
    assert max(received.values()) == 1  # zero doubled
    missing = {r.email for r in readers} - set(received)
    assert len(missing) <= CONNECTIONS, missing
    assert Delivery.objects.filter(status="sent").count() == READERS
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.SENT
    for pk, claimed_at in orphans.items():
        row = Delivery.objects.get(pk=pk)
        assert f":{second.pid}:" in row.claimed_by
        # released by age only: not before the dead sender's claim was stale
        assert row.sent_at >= claimed_at + timedelta(seconds=lease)


def test_a_sender_stopped_past_its_lease_sends_nothing_the_other_sent(
    smtp_sink, approved_edition
):
    """Of two senders at work, the one whose round holds readers[60] is
    stopped (SIGSTOP) with that envelope on the wire, past its lease: the
    other releases its claims by age and sends them. Resumed (SIGCONT), the
    stopped one finds its "sent" mark fenced out and writes no final dot."""
    readers = make_subscribers(READERS)
    smtp_sink.delay = DELAY
    smtp_sink.stall_rcpt[readers[60].email] = 6.0
    lease = 2
    first = sender(smtp_sink, approved_edition.date, lease=lease)
    second = sender(smtp_sink, approved_edition.date, lease=lease)
    by_pid = {str(p.pid): p for p in (first, second)}
    wait_for(smtp_sink.stalled.is_set)
    holder = Delivery.objects.get(subscriber=readers[60]).claimed_by.split(":")[1]
    stopped = by_pid[holder]
    other = next(p for p in by_pid.values() if p is not stopped)
    stopped.send_signal(signal.SIGSTOP)
    try:
        finish(other)
        assert copies(smtp_sink) == {r.email: 1 for r in readers}
    finally:
        stopped.send_signal(signal.SIGCONT)
    finish(stopped)
    time.sleep(0.5)  # any final dot the stopped sender wrote has been read
    assert copies(smtp_sink) == {r.email: 1 for r in readers}
    assert Delivery.objects.filter(status="sent").count() == READERS
    assert set(sent_by_sender()) == set(by_pid)  # both did work
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.SENT


def test_a_batch_slower_than_the_lease_stays_with_its_live_sender(
    smtp_sink, approved_edition
):
    """A batch takes twice the lease here (a slow relay): its sender renews
    the claims as it goes, so the other sender never releases them; no
    delivery is claimed twice."""
    readers = make_subscribers(4 * BATCH)
    smtp_sink.delay = 0.8  # a round of CONNECTIONS: 0.8 s; a batch: 4 s
    first = sender(smtp_sink, approved_edition.date, lease=2)
    second = sender(smtp_sink, approved_edition.date, lease=2)
    outputs = [finish(first), finish(second)]
    assert copies(smtp_sink) == {r.email: 1 for r in readers}
    attempts = set(Delivery.objects.values_list("attempts", flat=True))
    assert attempts == {1}, (attempts, outputs)
    assert len(sent_by_sender()) == 2


class Expired(Exception):
    """What a Celery task's soft time limit raises: a signal handler's
    exception, at whatever line the sender is on."""


def test_a_sender_interrupted_mid_round_gives_its_claims_back_at_once(
    smtp_settings, smtp_sink, approved_edition
):
    """Interrupted with a round on the wire (here by SIGALRM, as billiard's
    soft time limit does), a sender closes its links without a final dot and
    puts its claimed rows back in the queue at once, for the next sender
    (no wait for the lease); every reader still gets one copy."""
    from briefings.newsletter.deliver import send_edition

    smtp_settings.NEWSLETTER_BATCH_SIZE = BATCH
    readers = make_subscribers(3 * BATCH)
    smtp_sink.stall_rcpt[readers[BATCH + 3].email] = 3.0

    def expire(signum, frame):
        raise Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(Expired):
            send_edition(approved_edition)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert smtp_sink.stalled.is_set()
    assert not Delivery.objects.filter(status="sending").exists()
    assert Delivery.objects.filter(status="queued").count() == 2 * BATCH
    report = send_edition(approved_edition)
    assert report.closed and report.sent == 2 * BATCH
    time.sleep(3)  # the stalled session's reply has come and gone
    assert copies(smtp_sink) == {r.email: 1 for r in readers}
