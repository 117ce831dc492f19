"""Crash and concurrency: real `briefings newsletter send` processes, killed or
started together, against an aiosmtpd server on loopback."""

import collections
import os
import signal
import subprocess
import sys
import time

import pytest

from django.conf import settings

from briefings.newsletter.models import Delivery, Edition
from tests.newsletter.conftest import make_subscribers

pytestmark = pytest.mark.django_db(transaction=True)


def sender(sink, day, *extra):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}",
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
    readers = make_subscribers(150)
    smtp_sink.delay = 0.003
    for kill_after in (30, 90):
        process = sender(smtp_sink, approved_edition.date)
        wait_for(lambda n=kill_after: len(smtp_sink.recipients()) >= n)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        assert Delivery.objects.filter(status="queued").exists()
    process = sender(smtp_sink, approved_edition.date)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert copies(smtp_sink) == {r.email: 1 for r in readers}
    approved_edition.refresh_from_db()
    assert approved_edition.status == Edition.Status.SENT
    assert Delivery.objects.filter(status="sent").count() == 150


def test_two_senders_started_at_once_send_the_edition_once(smtp_sink, approved_edition):
    readers = make_subscribers(60)
    first = sender(smtp_sink, approved_edition.date)
    second = sender(smtp_sink, approved_edition.date)
    codes = sorted(p.wait(120) for p in (first, second))
    assert codes == [0, 1]  # the loser says the edition is being sent
    assert copies(smtp_sink) == {r.email: 1 for r in readers}


def test_send_refuses_a_draft_without_approve(smtp_sink, approved_edition):
    Edition.objects.filter(pk=approved_edition.pk).update(status="draft")
    make_subscribers(2)
    refused = sender(smtp_sink, approved_edition.date)
    _, err = refused.communicate(timeout=60)
    assert refused.returncode == 1 and b"--approve" in err
    approved = sender(smtp_sink, approved_edition.date, "--approve")
    assert approved.wait(60) == 0
    assert len(smtp_sink.recipients()) == 2
