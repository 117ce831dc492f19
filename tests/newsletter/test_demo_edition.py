"""`make demo` publishes the day's edition by itself: the demo network served on
loopback, the scheduler polling it and the periodic jobs running, as `briefings
demo` runs them, with no manual step."""

import threading
import time
from datetime import timedelta

import pytest

from django.utils.html import escape

from briefings.demo.management.commands.demo import unattended_newsletter
from briefings.demo.network import DemoNetwork
from briefings.demo.register import register_demo_feeds
from briefings.demo.server import DemoServer
from briefings.ingest.jobs import jobs_forever
from briefings.ingest.poller import poll_forever
from briefings.newsletter import schedule
from briefings.newsletter.models import Edition
from briefings.newsletter.views import PUBLISHED

from ..conftest import require_demo_corpus


@pytest.mark.django_db(transaction=True)
def test_the_demo_publishes_todays_edition_by_itself(
    network, settings, monkeypatch, client
):
    corpus = require_demo_corpus()
    monkeypatch.delenv("NEWSLETTER_AUTO_APPROVE", raising=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BRIEFINGS_PERIODIC_JOBS = {
        "briefings.newsletter.schedule.run_due_newsletter_jobs": 0.5
    }
    # Caught up after 2 quiet seconds rather than a minute: the test's patience.
    monkeypatch.setattr(schedule, "QUIET", schedule.timedelta(seconds=2))
    settings.NEWSLETTER_AUTO_APPROVE = False  # restored after the test
    unattended_newsletter()
    assert settings.NEWSLETTER_AUTO_APPROVE
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    stop = threading.Event()
    with DemoServer(net, port=0) as server:
        register_demo_feeds(server, net.papers)
        threads = [
            threading.Thread(target=poll_forever, args=(stop, 1.0), daemon=True),
            threading.Thread(target=jobs_forever, args=(stop,), daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                edition = Edition.objects.filter(status__in=PUBLISHED).first()
                if edition is not None:
                    break
                time.sleep(1)
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
    assert edition is not None, "no edition was published"
    now = schedule.timezone.now()
    today = schedule.current_day(now)
    # Between the drafting of today's edition and its send time, yesterday's is
    # the one on show.
    shown = today if now >= schedule.send_moment(today) else today - timedelta(1)
    assert edition.date == shown
    assert edition.items.count() >= settings.NEWSLETTER_MIN_ITEMS
    lead = edition.items.first().article.headline
    page = client.get("/newsletter/today/").content.decode()
    assert "No edition has been published yet" not in page
    assert escape(lead) in page
