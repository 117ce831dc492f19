"""Deliver an edition: one Delivery row per subscriber, claimed in batches and sent
over a reused connection; resumable after a crash, never sent twice by two workers.

Edition: draft -> approved -> sending -> sent (or paused), every step a
conditional UPDATE, so of two workers only one wins the step. Delivery: queued ->
sending -> sent | bounced | failed, see models.Delivery and smtp.py."""

import logging
import os
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db.models import F, Q
from django.utils import timezone

from briefings.newsletter.message import build_message, dkim_sign
from briefings.newsletter.models import Delivery, Edition, Subscriber
from briefings.newsletter.render import render_edition
from briefings.newsletter.smtp import CommittedError, transmit

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)  # a sender silent this long is presumed dead
QUEUE_CHUNK = 2000


@dataclass
class Report:
    edition: Edition
    sent: int = 0
    bounced: int = 0
    failed: int = 0
    retried: int = 0
    paused: bool = False
    notes: list = field(default_factory=list)


def worker_id():
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def approve(edition):
    """Approve a draft; return True if this call approved it."""
    return bool(
        Edition.objects.filter(pk=edition.pk, status=Edition.Status.DRAFT).update(
            status=Edition.Status.APPROVED, approved_at=timezone.now()
        )
    )


def _sender_is_dead(edition):
    host, _, rest = edition.sender.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    stale = (
        edition.heartbeat_at is None or edition.heartbeat_at < timezone.now() - LEASE
    )
    return stale


def claim_edition(edition, worker, resume_paused=False):
    """Take `edition` for sending; return True if `worker` now owns it.

    An approved edition is taken by conditional update, so two workers started
    at once cannot both win. An edition left "sending" by a dead worker (its pid
    gone on this host, or its heartbeat older than LEASE) is taken over."""
    now = timezone.now()
    take = {"status": Edition.Status.SENDING, "sender": worker, "heartbeat_at": now}
    editions = Edition.objects.filter(pk=edition.pk)
    if editions.filter(status=Edition.Status.APPROVED).update(
        send_started_at=now, **take
    ):
        return True
    if resume_paused and editions.filter(status=Edition.Status.PAUSED).update(
        pause_reason="", **take
    ):
        return True
    edition.refresh_from_db()
    if edition.status == Edition.Status.SENDING and _sender_is_dead(edition):
        return bool(
            editions.filter(
                status=Edition.Status.SENDING, sender=edition.sender
            ).update(**take)
        )
    return False


def eligible_subscribers(edition):
    """Confirmed subscribers who get this edition (weekly ones on the weekly day)."""
    subscribers = Subscriber.objects.confirmed()
    if edition.date.weekday() != settings.NEWSLETTER_WEEKLY_DAY:
        subscribers = subscribers.filter(frequency=Subscriber.Frequency.DAILY)
    return subscribers


def queue_deliveries(edition):
    """Create the missing Delivery rows of `edition`, in chunks (idempotent)."""
    last = 0
    ids = eligible_subscribers(edition).order_by("pk").values_list("pk", flat=True)
    while True:
        chunk = list(ids.filter(pk__gt=last)[:QUEUE_CHUNK])
        if not chunk:
            return
        Delivery.objects.bulk_create(
            [Delivery(edition=edition, subscriber_id=pk) for pk in chunk],
            ignore_conflicts=True,
        )
        last = chunk[-1]


def release_orphans(edition):
    """Put deliveries a dead worker left half-sent back in the queue. Their final
    dot was never sent (see smtp.py), so the server discarded them."""
    return Delivery.objects.filter(
        edition=edition, status=Delivery.Status.SENDING
    ).update(status=Delivery.Status.QUEUED, claimed_by="")


class Sender:
    """Send one edition's queued deliveries as one worker."""

    def __init__(self, edition, worker, on_progress=None):
        self.edition = edition
        self.worker = worker
        self.on_progress = on_progress or (lambda report: None)
        self.report = Report(edition)
        self.variants = {}
        self.backend = None
        self.consecutive_errors = 0
        self.started = time.monotonic()
        self.from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    # ── the loop ──
    def run(self):
        try:
            while self.heartbeat():
                batch = self.claim_batch()
                if not batch:
                    if not self.wait_for_retries():
                        self.finish()
                        break
                    continue
                self.send_batch(batch)
                if self.report.paused:
                    break
        finally:
            self.close()
        return self.report

    def heartbeat(self):
        """Renew the lease; return False when this worker no longer owns it."""
        return bool(
            Edition.objects.filter(
                pk=self.edition.pk, status=Edition.Status.SENDING, sender=self.worker
            ).update(heartbeat_at=timezone.now())
        )

    def claim_batch(self):
        now = timezone.now()
        due = Delivery.objects.filter(
            edition=self.edition, status=Delivery.Status.QUEUED
        ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        ids = list(
            due.order_by("pk").values_list("pk", flat=True)[
                : settings.NEWSLETTER_BATCH_SIZE
            ]
        )
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING,
            claimed_by=self.worker,
            attempts=F("attempts") + 1,
        )
        return list(
            Delivery.objects.filter(
                pk__in=ids, status=Delivery.Status.SENDING, claimed_by=self.worker
            )
            .select_related("subscriber")
            .only(
                "pk",
                "attempts",
                "subscriber__id",
                "subscriber__email",
                "subscriber__regions",
                "subscriber__token_key",
            )
            .order_by("pk")
        )

    def wait_for_retries(self):
        """Sleep until the next retry is due; return False when none is left."""
        pending = Delivery.objects.filter(
            edition=self.edition, status=Delivery.Status.QUEUED
        )
        upcoming = pending.order_by("next_attempt_at").first()
        if upcoming is None:
            return False
        delay = (upcoming.next_attempt_at - timezone.now()).total_seconds()
        time.sleep(min(max(delay, 0.0), 30.0))
        return True

    def finish(self):
        Edition.objects.filter(
            pk=self.edition.pk, status=Edition.Status.SENDING, sender=self.worker
        ).update(status=Edition.Status.SENT, sent_at=timezone.now())

    # ── one batch ──
    def send_batch(self, batch):
        accepted = []
        for delivery in batch:
            self.pace()
            outcome = self.send_one(delivery)
            if outcome == "accepted":
                accepted.append(delivery.pk)
            if self.consecutive_errors >= settings.NEWSLETTER_ERROR_LIMIT:
                self.pause(f"{self.consecutive_errors} failed deliveries in a row")
                break
        if accepted:
            Delivery.objects.filter(pk__in=accepted).update(accepted=True)
        # Whatever this batch claimed and did not reach goes back to the queue.
        Delivery.objects.filter(
            pk__in=[d.pk for d in batch], status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.QUEUED, claimed_by="")
        self.on_progress(self.report)

    def pace(self):
        rate = settings.NEWSLETTER_RATE_LIMIT
        if rate > 0:
            done = self.report.sent + self.report.bounced + self.report.failed
            ahead = done / rate - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)

    def variant(self, regions):
        key = tuple(sorted(regions or ()))
        if key not in self.variants:
            self.variants[key] = render_edition(self.edition, key)
        return self.variants[key]

    def send_one(self, delivery):
        subscriber = delivery.subscriber
        rendered = self.variant(subscriber.regions)
        if rendered.items == 0:
            self.mark(delivery, Delivery.Status.SKIPPED, "no story in their regions")
            return "skipped"
        message = build_message(rendered, self.edition, subscriber)
        try:
            backend = self.connection()
        except (smtplib.SMTPException, OSError) as error:
            self.drop_connection()
            self.retry(delivery, f"connection: {error}")
            return "retry"
        if isinstance(backend, SMTPBackend):
            return self.send_smtp(delivery, message)
        return self.send_generic(delivery, message)

    def send_smtp(self, delivery, message):
        data = dkim_sign(message.message().as_bytes(linesep="\r\n"))
        sender = message.from_email and parseaddr(message.from_email)[1]
        try:
            reply = transmit(
                self.backend.connection,
                sender or self.from_address,
                delivery.subscriber.email,
                data,
                commit=lambda: self.mark(delivery, Delivery.Status.SENT),
            )
        except CommittedError as error:
            # Recorded as sent before the link dropped: not sent again.
            log.warning("link dropped after the final dot: %s", error)
            self.drop_connection()
            return "sent"
        except (smtplib.SMTPException, OSError) as error:
            self.drop_connection()
            self.retry(delivery, f"connection: {error}")
            return "retry"
        return self.settle(delivery, reply)

    def settle(self, delivery, reply):
        """Record the server's reply to a message."""
        if reply.accepted:
            self.consecutive_errors = 0
            self.report.sent += 1
            return "accepted"
        if reply.permanent and reply.about_recipient:
            self.bounce(delivery, f"{reply.code} {reply.text}")
            return "bounced"
        self.retry(delivery, f"{reply.code} {reply.text}")
        return "retry"

    def send_generic(self, delivery, message):
        message.connection = self.backend
        try:
            message.send()
        except Exception as error:  # any backend's failure: retry with backoff
            self.retry(delivery, f"{type(error).__name__}: {error}")
            return "retry"
        self.mark(delivery, Delivery.Status.SENT)
        self.consecutive_errors = 0
        self.report.sent += 1
        return "accepted"

    # ── recording outcomes ──
    def mark(self, delivery, status, error=""):
        Delivery.objects.filter(pk=delivery.pk, claimed_by=self.worker).update(
            status=status, sent_at=timezone.now(), last_error=error[:500]
        )

    def retry(self, delivery, error):
        self.consecutive_errors += 1
        if delivery.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            self.mark(delivery, Delivery.Status.FAILED, error)
            self.report.failed += 1
            return
        delay = settings.NEWSLETTER_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
        Delivery.objects.filter(pk=delivery.pk, claimed_by=self.worker).update(
            status=Delivery.Status.QUEUED,
            claimed_by="",
            last_error=error[:500],
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        self.report.retried += 1

    def bounce(self, delivery, error):
        """A 5xx: the address is bounced and suppressed from every later send."""
        self.consecutive_errors += 1
        self.mark(delivery, Delivery.Status.BOUNCED, error)
        Subscriber.objects.filter(
            pk=delivery.subscriber.pk, status=Subscriber.Status.CONFIRMED
        ).update(status=Subscriber.Status.BOUNCED, bounce_reason=error[:500])
        self.report.bounced += 1

    def pause(self, reason):
        Edition.objects.filter(
            pk=self.edition.pk, status=Edition.Status.SENDING, sender=self.worker
        ).update(status=Edition.Status.PAUSED, pause_reason=reason[:500])
        self.report.paused = True
        self.report.notes.append(f"paused: {reason}")
        log.warning("paused the edition of %s: %s", self.edition.date, reason)

    # ── the connection ──
    def connection(self):
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            backend.open()
            sock = getattr(getattr(backend, "connection", None), "sock", None)
            if sock is not None:
                # The final dot is a small write after the body: without
                # TCP_NODELAY, Nagle and delayed ACKs stall each message ~40 ms.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.backend = backend
        return self.backend

    def drop_connection(self):
        if self.backend is not None:
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001 - closing a broken link
                pass
            self.backend = None

    def close(self):
        self.drop_connection()


def send_edition(edition, on_progress=None, resume_paused=False):
    """Send `edition` if this worker can claim it; return a Report (or None when
    another worker owns it or it is not approved)."""
    worker = worker_id()
    if not claim_edition(edition, worker, resume_paused=resume_paused):
        return None
    release_orphans(edition)
    queue_deliveries(edition)
    return Sender(edition, worker, on_progress).run()
