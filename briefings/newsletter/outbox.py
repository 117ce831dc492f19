"""The signups' outbox: the form queues a `QueuedSignup`; the sender applies it
and emails the confirmation.

Under `briefings run` (and `make demo`) the sender is a periodic job every two
seconds on its own thread (BRIEFINGS_PERIODIC_JOBS); past one machine, any
number of workers may run it. A row is claimed by a conditional UPDATE of its
`next_attempt_at` to a lease, so two senders never take the same row and one
that died leaves it to the next once the lease ends."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from briefings.newsletter.models import QueuedSignup
from briefings.newsletter.subscribe import send_confirmation, subscribe

log = logging.getLogger(__name__)

BATCH = 50
LEASE = timedelta(minutes=5)


def send_queued_signups(now):
    """Handle every signup queued and due at `now`; return how many were done
    (confirmation sent, or none to send). Failed sends wait for a retry."""
    done = 0
    while batch := claim_due(now):
        done += sum(handle(queued) for queued in batch)
    return done


def claim_due(now):
    """Claim up to BATCH due rows for this sender; return them."""
    due = QueuedSignup.objects.filter(next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    lease = timezone.now() + LEASE
    claimed = [
        pk
        for pk, at in due.values_list("pk", "next_attempt_at")[:BATCH]
        if QueuedSignup.objects.filter(pk=pk, next_attempt_at=at).update(
            next_attempt_at=lease
        )
    ]
    return list(QueuedSignup.objects.filter(pk__in=claimed).order_by("pk"))


def handle(queued):
    """Apply one claimed signup and email its confirmation; return 1 when the
    row is done (and deleted), 0 when it waits for a retry."""
    try:
        subscriber = queued.subscriber or subscribe(queued)
        if subscriber is not None:
            # Applied once: a retry only sends (no second consent or count).
            QueuedSignup.objects.filter(pk=queued.pk).update(subscriber=subscriber)
            send_confirmation(subscriber)
    except Exception as error:  # noqa: BLE001 - one row must not stop the queue
        return defer(queued, error)
    queued.delete()
    return 1


def permanent(error):
    """Return True when the mail server refused the address for good (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return getattr(error, "smtp_code", 0) >= 500


def defer(queued, error):
    """Schedule a retry with backoff; drop the row after a 5xx or the last
    attempt. Return 1 when dropped, 0 when it waits."""
    attempts = queued.attempts + 1
    if permanent(error) or attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        log.warning("signup %s: confirmation not sent, dropped: %s", queued.pk, error)
        queued.delete()
        return 1
    log.info("signup %s: confirmation deferred: %s", queued.pk, error)
    delay = settings.NEWSLETTER_RETRY_SECONDS * 2 ** (attempts - 1)
    QueuedSignup.objects.filter(pk=queued.pk).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=str(error)[:500],
    )
    return 0
