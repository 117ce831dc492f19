"""Double opt-in in a real Chromium: sign up on the site, receive the
confirmation email on a real SMTP server (aiosmtpd on loopback), follow its link
and confirm."""

import re
import threading
import time
from datetime import date, timedelta

import pytest

from django.core.cache import cache

from briefings.newsletter.models import Consent, Subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sender():
    """The confirmation sender, on its own thread as under `briefings run`."""
    from briefings.ingest.jobs import job_forever

    stop = threading.Event()
    path = "briefings.newsletter.outbox.send_queued_signups"
    thread = threading.Thread(target=job_forever, args=(stop, path, 0.5), daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(30)


def wait_for_mail(sink, count=1, timeout=30):
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count:
        assert time.monotonic() < deadline, "no confirmation email arrived"
        time.sleep(0.05)
    return sink.parsed()[count - 1]


def test_double_opt_in_from_the_signup_form_to_the_confirmed_page(
    page, live_server, network, smtp_settings, smtp_sink, sender
):
    cache.clear()  # the per-IP signup limit: every test here comes from 127.0.0.1
    smtp_settings.BRIEFINGS_SITE_URL = live_server.url
    page.goto(f"{live_server.url}/newsletter/")
    page.fill("#signup-email", "Reader@Example.com")
    page.uncheck("input[name=regions][value=south-asia]")
    page.check("input[name=frequency][value=weekly]")
    page.click("form.newsletter-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Check your inbox')")

    email = wait_for_mail(smtp_sink)
    assert smtp_sink.recipients() == ["Reader@example.com"]
    text = email.get_body(("plain",)).get_content()
    links = re.findall(r"https?://\S+", text)
    assert len(links) == 1 and links[0].startswith(live_server.url)
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING

    page.goto(links[0])  # what a reader's click does: a GET, which changes nothing
    page.wait_for_selector("h1:has-text('Confirm your subscription')")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    page.click("form[action*='/confirm/'] button[type=submit]")
    page.wait_for_selector("h1:has-text('You are subscribed')")

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.frequency == "weekly"
    assert "south-asia" not in subscriber.regions and subscriber.regions
    consents = list(Consent.objects.filter(subscriber=subscriber))
    assert [c.action for c in consents] == ["signup", "confirm"]
    assert all("Chrome" in c.user_agent for c in consents)
    assert consents[0].text.startswith("By providing us with your email address")

    welcome = wait_for_mail(smtp_sink, count=2)
    assert welcome["Subject"] == "Welcome to Eastern Briefings"
    assert "/newsletter/today/" in welcome.get_body(("plain",)).get_content()

    page.goto(links[0])  # the link again: says so at once, nothing changes
    page.wait_for_selector("h1:has-text('Already confirmed')")
    assert page.locator("form[action*='/confirm/']").count() == 0
    assert len(smtp_sink.messages) == 2  # the confirmation and the welcome


def test_the_web_edition_looks_like_the_email(page, live_server, network, settings):
    """The web edition in Chromium: the email's type and measure, not the site's
    list numbers, huge underlined links and long lines."""
    from briefings.newsletter.curate import curate
    from briefings.newsletter.models import Edition
    from tests.newsletter.conftest import make_day_of_articles

    day = date.today() - timedelta(days=1)
    make_day_of_articles(day)
    edition = curate(day)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    page.goto(f"{live_server.url}/newsletter/today/")
    headline = page.locator(".edition-web .item:not(.lead) .headline a").first
    style = headline.evaluate(
        "a => { const s = getComputedStyle(a); return [s.fontSize, "
        "s.textDecorationLine, s.fontFamily]; }"
    )
    assert style[0] == "20px" and style[1] == "none" and "Georgia" in style[2]
    width = page.locator(".edition-web .sheet").evaluate("t => t.offsetWidth")
    assert width <= 600
    assert page.locator(".edition-web ol, .edition-web li").count() == 0
    assert page.locator(".edition-web .section-title").count() >= 2
