"""Deliver an edition: one Delivery row per subscriber, claimed in batches and sent
over reused connections; resumable after a crash, never sent twice.

Several senders (processes, machines, Celery `mail` tasks) send one edition side
by side: each claims its own batches (on PostgreSQL with FOR UPDATE SKIP
LOCKED), marks a round sent only while it still holds the claim (fenced) and
writes the final dots only for what that mark recorded. A claim older than
NEWSLETTER_LEASE_SECONDS is put back in the queue, by age only. The edition is
closed by whichever sender finds nothing left, once.

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
from django.db import connection, transaction
from django.db.models import Exists, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from briefings.newsletter.message import SAFE_ADDRESS, Prepared, build_message
from briefings.newsletter.models import Delivery, Edition, Subscriber
from briefings.newsletter.render import render_edition
from briefings.newsletter.smtp import Outgoing, transmit

log = logging.getLogger(__name__)


def lease():
    """How long a silent sender keeps its edition and its claimed deliveries."""
    return timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


@dataclass(slots=True)
class Recipient:
    """What sending needs of a subscriber (model instances cost more than this)."""

    pk: int
    email: str
    regions: list
    token_key: str


@dataclass(slots=True)
class Claimed:
    """A Delivery this worker claimed."""

    pk: int
    attempts: int
    subscriber: Recipient


@dataclass
class Report:
    edition: Edition
    sent: int = 0
    bounced: int = 0
    failed: int = 0
    retried: int = 0
    paused: bool = False
    closed: bool = False  # this sender marked the edition sent
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


def join_edition(edition, worker, resume_paused=False):
    """Join the sending of `edition`; return True if `worker` may send it.

    Any number of senders send one edition side by side, each claiming its
    own batches of deliveries. The first moves it from approved to sending
    (a conditional update) and queues its deliveries in the same transaction,
    so a sender joining sees the edition with all its rows or not sending
    yet, never sending with none (which it would close at once). A paused
    edition is resumed the same way when asked."""
    now = timezone.now()
    take = {"status": Edition.Status.SENDING, "sender": worker, "heartbeat_at": now}
    editions = Edition.objects.filter(pk=edition.pk)
    with transaction.atomic():
        started = editions.filter(status=Edition.Status.APPROVED).update(
            send_started_at=now, **take
        ) or (
            resume_paused
            and editions.filter(status=Edition.Status.PAUSED).update(
                pause_reason="", **take
            )
        )
        if started:
            queue_deliveries(edition)
            return True
    return editions.filter(status=Edition.Status.SENDING).exists()


def eligible_subscribers(edition):
    """Confirmed subscribers who get this edition (weekly ones on the weekly day)."""
    subscribers = Subscriber.objects.confirmed()
    if edition.date.weekday() != settings.NEWSLETTER_WEEKLY_DAY:
        subscribers = subscribers.filter(frequency=Subscriber.Frequency.DAILY)
    return subscribers


def queue_deliveries(edition):
    """Create the missing Delivery rows of `edition` (idempotent), in one
    INSERT ... SELECT: no subscriber row passes through Python."""
    eligible, params = (
        eligible_subscribers(edition).values("pk").query.sql_with_params()
    )
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(Delivery._meta.get_field(name).column)
        for name in ("edition", "subscriber", "status", "attempts")
        + ("claimed_by", "accepted", "last_error")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Delivery._meta.db_table)} ({columns}) "
            f"SELECT %s, eligible.{quote('pk')}, %s, 0, '', %s, '' "
            f"FROM ({eligible}) eligible WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [edition.pk, Delivery.Status.QUEUED, False, *params],
        )


def release_stale(edition):
    """Put back in the queue the deliveries whose claim is older than the lease;
    return how many.

    By age only: nothing else proves a claimant dead (a host name and pid say
    nothing of another machine, and a process merely stopped may come back).
    One that comes back finds its fenced "sent" mark refused and sends no
    final dot for a delivery released here (see Sender.commit_sent)."""
    stale = Q(claimed_at__isnull=True) | Q(claimed_at__lt=timezone.now() - lease())
    return (
        Delivery.objects.filter(edition=edition, status=Delivery.Status.SENDING)
        .filter(stale)
        .update(status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None)
    )


class Sender:
    """Send one edition's queued deliveries as one of its senders."""

    def __init__(self, edition, worker, on_progress=None, until=None):
        self.edition = edition
        self.worker = worker
        self.on_progress = on_progress or (lambda report: None)
        self.until = until  # time.monotonic() after which no batch is claimed
        self.report = Report(edition)
        self.variants = {}
        self.backends = {}
        self.smtp = isinstance(get_connection(), SMTPBackend)
        self.accepted = []
        self.consecutive_errors = 0
        self.started = time.monotonic()
        self.from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]

    # ── the loop ──
    def run(self):
        """Claim and send batches until no delivery is left unsettled (then
        close the edition, if no other sender did), the edition is paused, or
        `until` has passed (the deliveries left are other senders' to send)."""
        try:
            while self.heartbeat() and not self.out_of_time():
                batch = self.claim_batch()
                if batch:
                    self.send_batch(batch)
                    if self.report.paused:
                        break
                    continue
                release_stale(self.edition)
                if not self.wait_for_retries():
                    self.report.closed = self.finish()
                    break
        except BaseException:  # a task's soft time limit, a lost database...
            self.abort()
            raise
        finally:
            self.close()
        return self.report

    def abort(self):
        """Stop after an exception: close every link outright (a body may be
        on the wire without its final dot: the server discards it, where QUIT
        would be read as more body), then put this sender's claims back in the
        queue for the others at once: none of them can get a dot from here."""
        for backend in self.backends.values():
            link = getattr(backend, "connection", None)
            if self.smtp and link is not None:
                link.close()
                backend.connection = None
        self.backends.clear()
        try:
            Delivery.objects.filter(
                edition=self.edition,
                status=Delivery.Status.SENDING,
                claimed_by=self.worker,
            ).update(status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None)
        except Exception:  # noqa: BLE001 - the claims then wait out the lease
            log.exception("sending: could not give back this sender's claims")

    def out_of_time(self):
        return self.until is not None and time.monotonic() >= self.until

    def heartbeat(self):
        """Record that a sender is alive; return False once the edition is no
        longer being sent (sent by others, or paused)."""
        return bool(
            Edition.objects.filter(
                pk=self.edition.pk, status=Edition.Status.SENDING
            ).update(heartbeat_at=timezone.now(), sender=self.worker)
        )

    def claim_batch(self):
        """Claim up to NEWSLETTER_BATCH_SIZE due deliveries; return them.

        PostgreSQL: one UPDATE over a `SELECT ... FOR UPDATE SKIP LOCKED`, so
        senders claiming at once take disjoint batches and none waits on
        another's rows. SQLite has one writer at a time: the select and the
        conditional update run in one IMMEDIATE transaction, so they cannot
        interleave with another sender's."""
        now = timezone.now()
        if connection.vendor == "postgresql":
            ids = self.claim_skip_locked(now)
        else:
            with transaction.atomic():
                ids = self.claim_in_turn(now)
        if not ids:
            return []
        claimed = Delivery.objects.filter(
            pk__in=ids, status=Delivery.Status.SENDING, claimed_by=self.worker
        ).order_by("pk")
        fields = ("pk", "attempts", "subscriber_id", "subscriber__email")
        fields += ("subscriber__regions", "subscriber__token_key")
        return [
            Claimed(pk, attempts, Recipient(*subscriber))
            for pk, attempts, *subscriber in claimed.values_list(*fields)
        ]

    def claim_skip_locked(self, now):
        quote = connection.ops.quote_name
        table = quote(Delivery._meta.db_table)
        column = {
            name: quote(Delivery._meta.get_field(name).column)
            for name in ("id", "edition", "status", "claimed_by", "claimed_at")
            + ("attempts", "next_attempt_at")
        }
        when = connection.ops.adapt_datetimefield_value(now)
        # The batch is chosen in a MATERIALIZED CTE, run once. Inside
        # `id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)` PostgreSQL may run
        # the subquery again for each row it updates, every run skipping the
        # rows the last one locked: one sender then claimed 290 of 300 rows.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH batch AS MATERIALIZED (SELECT {column['id']} FROM {table} "
                f"WHERE {column['edition']} = %s AND {column['status']} = %s "
                f"AND ({column['next_attempt_at']} IS NULL "
                f"OR {column['next_attempt_at']} <= %s) "
                f"ORDER BY {column['id']} LIMIT %s FOR UPDATE SKIP LOCKED) "
                f"UPDATE {table} SET {column['status']} = %s, "
                f"{column['claimed_by']} = %s, {column['claimed_at']} = %s, "
                f"{column['attempts']} = {table}.{column['attempts']} + 1 "
                f"FROM batch WHERE {table}.{column['id']} = batch.{column['id']} "
                f"RETURNING {table}.{column['id']}",
                [
                    self.edition.pk,
                    Delivery.Status.QUEUED.value,
                    when,
                    settings.NEWSLETTER_BATCH_SIZE,
                    Delivery.Status.SENDING.value,
                    self.worker,
                    when,
                ],
            )
            return [row[0] for row in cursor.fetchall()]

    def claim_in_turn(self, now):
        due = Delivery.objects.filter(
            edition=self.edition, status=Delivery.Status.QUEUED
        ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        ids = list(
            due.order_by("pk").values_list("pk", flat=True)[
                : settings.NEWSLETTER_BATCH_SIZE
            ]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
                status=Delivery.Status.SENDING,
                claimed_by=self.worker,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
        return ids

    def wait_for_retries(self):
        """Sleep until the next retry is due or another sender's claim can
        expire; return False when no delivery is left unsettled."""
        now = timezone.now()
        unsettled = Delivery.objects.filter(
            edition=self.edition,
            status__in=(Delivery.Status.QUEUED, Delivery.Status.SENDING),
        )
        moments = [
            when + (lease() if status == Delivery.Status.SENDING else timedelta())
            for status, when in unsettled.values_list(
                "status", Coalesce("next_attempt_at", "claimed_at", Value(now))
            ).order_by()[:1000]
        ]
        if not moments:
            return False
        delay = (min(moments) - now).total_seconds()
        # At most a second: another sender may close the edition meanwhile.
        time.sleep(min(max(delay, 0.05), 1.0))
        return True

    def finish(self):
        """Close the edition if no delivery is left queued or claimed; return
        True when this sender closed it. One conditional UPDATE (still sending,
        nothing unsettled), so of all its senders exactly one closes it."""
        unsettled = Delivery.objects.filter(
            edition=self.edition,
            status__in=(Delivery.Status.QUEUED, Delivery.Status.SENDING),
        )
        closed = (
            Edition.objects.filter(pk=self.edition.pk, status=Edition.Status.SENDING)
            .filter(~Exists(unsettled))
            .update(status=Edition.Status.SENT, sent_at=timezone.now())
        )
        if closed:
            log.info("closed the edition of %s", self.edition.date)
        return bool(closed)

    # ── one batch ──
    def send_batch(self, batch):
        renewed = time.monotonic()
        if self.smtp:
            width = max(1, settings.NEWSLETTER_CONNECTIONS)
            for start in range(0, len(batch), width):
                renewed = self.renew_claims(batch[start:], renewed)
                self.pace()
                self.send_round(batch[start : start + width])
                if self.over_error_limit():
                    break
        else:
            for n, delivery in enumerate(batch):
                renewed = self.renew_claims(batch[n:], renewed)
                self.pace()
                self.send_generic(delivery)
                if self.over_error_limit():
                    break
        if self.accepted:
            Delivery.objects.filter(pk__in=self.accepted).update(accepted=True)
            self.accepted = []
        # Whatever this batch claimed and did not reach goes back to the queue.
        Delivery.objects.filter(
            pk__in=[d.pk for d in batch],
            status=Delivery.Status.SENDING,
            claimed_by=self.worker,
        ).update(status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None)
        self.on_progress(self.report)

    def renew_claims(self, rest, renewed):
        """Renew the claims on `rest` (this batch's deliveries not sent yet)
        once a quarter of the lease has passed since `renewed`, so a batch
        slower than the lease (a slow relay, a rate limit) is not released
        under a live sender; return when they were last renewed. Only rows
        still held are renewed: a claim released meanwhile stays released."""
        now = time.monotonic()
        if now - renewed < lease().total_seconds() / 4:
            return renewed
        Delivery.objects.filter(
            pk__in=[d.pk for d in rest],
            status=Delivery.Status.SENDING,
            claimed_by=self.worker,
        ).update(claimed_at=timezone.now())
        return now

    def over_error_limit(self):
        if self.consecutive_errors >= settings.NEWSLETTER_ERROR_LIMIT:
            self.pause(f"{self.consecutive_errors} failed deliveries in a row")
            return True
        return False

    def pace(self):
        rate = settings.NEWSLETTER_RATE_LIMIT
        if rate > 0:
            done = self.report.sent + self.report.bounced + self.report.failed
            ahead = done / rate - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)

    def variant(self, regions):
        """Return the Prepared copy for subscribers of `regions`, None when the
        edition has no story in them."""
        key = tuple(sorted(regions or ()))
        if key not in self.variants:
            rendered = render_edition(self.edition, key)
            self.variants[key] = (
                Prepared(rendered, self.edition) if rendered.items else None
            )
        return self.variants[key]

    def prepared_for(self, delivery):
        """Return the variant of `delivery`'s subscriber, or None after recording
        why nothing is sent."""
        subscriber = delivery.subscriber
        prepared = self.variant(subscriber.regions)
        if prepared is None:
            self.mark(delivery, Delivery.Status.SKIPPED, "no story in their regions")
            return None
        if not SAFE_ADDRESS.match(subscriber.email):
            self.mark(delivery, Delivery.Status.FAILED, "unusable address")
            self.report.failed += 1
            return None
        return prepared

    def send_round(self, deliveries):
        """Send up to NEWSLETTER_CONNECTIONS deliveries side by side, one per
        connection, with one database write marking them sent (smtp.py)."""
        messages, slots = [], {}
        for slot, delivery in enumerate(deliveries):
            prepared = self.prepared_for(delivery)
            if prepared is None:
                continue
            try:
                link = self.link(slot)
            except (smtplib.SMTPException, OSError) as error:
                self.drop_link(slot)
                self.retry(delivery, f"connection: {error}")
                continue
            slots[delivery.pk] = slot
            messages.append(
                Outgoing(
                    delivery,
                    link,
                    self.from_address,
                    delivery.subscriber.email,
                    prepared.wire(delivery.subscriber),
                )
            )
        transmit(messages, commit=self.commit_sent)
        for message in messages:
            if message.broken:
                self.drop_link(slots[message.key.pk])
            self.settle(message)

    def commit_sent(self, messages):
        """Record `messages` as sent, in one write, before their final dots;
        return those recorded.

        Fenced: only rows this worker still holds (status "sending", claimed by
        it) are marked. A row whose claim was released while this worker was
        stopped, and perhaps sent by another, is left out, and transmit()
        writes no final dot for it. Plain SQL: once per round, where building
        the ORM query cost as much as running it."""
        quote = connection.ops.quote_name
        table = quote(Delivery._meta.db_table)
        ids = [m.key.pk for m in messages]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {quote('status')} = %s, {quote('sent_at')} = %s "
                f"WHERE {quote('claimed_by')} = %s AND {quote('status')} = %s "
                f"AND {quote('id')} IN ({', '.join(['%s'] * len(ids))}) "
                f"RETURNING {quote('id')}",
                [
                    Delivery.Status.SENT.value,
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                    self.worker,
                    Delivery.Status.SENDING.value,
                    *ids,
                ],
            )
            marked = {row[0] for row in cursor.fetchall()}
        lost = len(ids) - len(marked)
        if lost:
            log.warning("sending: %s deliveries taken over by another sender", lost)
        return [m for m in messages if m.key.pk in marked]

    def settle(self, message):
        """Record what became of one message of a round."""
        delivery, reply = message.key, message.reply
        if message.fenced:
            return  # taken over by another sender: theirs to send and record
        if reply is not None and reply.accepted:
            self.consecutive_errors = 0
            self.report.sent += 1
            self.accepted.append(delivery.pk)
            return
        if message.committed and reply is None:
            # Recorded as sent before the link dropped: not sent again.
            log.warning("link dropped after the final dot: %s", message.error)
            self.report.sent += 1
            return
        if not message.committed and self.consecutive_errors >= (
            settings.NEWSLETTER_ERROR_LIMIT
        ):
            return  # the edition pauses; this one stays queued, unsent
        if reply is None:
            self.retry(delivery, f"connection: {message.error}")
        elif reply.permanent and reply.about_recipient:
            self.bounce(delivery, f"{reply.code} {reply.text}")
        else:
            self.retry(delivery, f"{reply.code} {reply.text}")

    def send_generic(self, delivery):
        prepared = self.prepared_for(delivery)
        if prepared is None:
            return
        message = build_message(prepared.rendered, self.edition, delivery.subscriber)
        try:
            message.connection = self.link(0)
            message.send()
        except Exception as error:  # any backend's failure: retry with backoff
            self.drop_link(0)
            self.retry(delivery, f"{type(error).__name__}: {error}")
            return
        self.mark(delivery, Delivery.Status.SENT)
        self.consecutive_errors = 0
        self.report.sent += 1

    # ── recording outcomes ──
    def mark(self, delivery, status, error=""):
        """Record an outcome, only while this worker still holds the claim;
        return whether it did."""
        return bool(
            self.held(delivery).update(
                status=status, sent_at=timezone.now(), last_error=error[:500]
            )
        )

    def held(self, delivery):
        """The row of `delivery` while this worker holds it: claimed, or marked
        sent by this worker's commit and refused after its final dot."""
        return Delivery.objects.filter(
            pk=delivery.pk,
            status__in=(Delivery.Status.SENDING, Delivery.Status.SENT),
            claimed_by=self.worker,
        )

    def retry(self, delivery, error):
        self.consecutive_errors += 1
        if delivery.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            self.mark(delivery, Delivery.Status.FAILED, error)
            self.report.failed += 1
            return
        delay = settings.NEWSLETTER_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
        self.held(delivery).update(
            status=Delivery.Status.QUEUED,
            claimed_by="",
            claimed_at=None,
            last_error=error[:500],
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        self.report.retried += 1

    def bounce(self, delivery, error):
        """A 5xx: the address is bounced and suppressed from every later send."""
        self.consecutive_errors += 1
        if not self.mark(delivery, Delivery.Status.BOUNCED, error):
            return
        Subscriber.objects.filter(
            pk=delivery.subscriber.pk, status=Subscriber.Status.CONFIRMED
        ).update(status=Subscriber.Status.BOUNCED, bounce_reason=error[:500])
        self.report.bounced += 1

    def pause(self, reason):
        Edition.objects.filter(
            pk=self.edition.pk, status=Edition.Status.SENDING
        ).update(status=Edition.Status.PAUSED, pause_reason=reason[:500])
        self.report.paused = True
        self.report.notes.append(f"paused: {reason}")
        log.warning("paused the edition of %s: %s", self.edition.date, reason)

    # ── the connections ──
    def link(self, slot):
        """Return open connection number `slot`: the smtplib.SMTP of an SMTP
        backend, else the backend itself."""
        backend = self.backends.get(slot)
        if backend is None:
            backend = get_connection(fail_silently=False)
            backend.open()
            self.backends[slot] = backend
            sock = getattr(getattr(backend, "connection", None), "sock", None)
            if sock is not None:
                # The final dot is a small write after the body: without
                # TCP_NODELAY, Nagle and delayed ACKs stall each message ~40 ms.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.smtp:
                backend.connection.ehlo_or_helo_if_needed()  # learn PIPELINING
        return backend.connection if self.smtp else backend

    def drop_link(self, slot):
        backend = self.backends.pop(slot, None)
        if backend is not None:
            try:
                backend.close()
            except Exception:  # noqa: BLE001 - closing a broken link
                pass

    def close(self):
        for slot in list(self.backends):
            self.drop_link(slot)


def send_edition(edition, on_progress=None, resume_paused=False, until=None):
    """Send `edition` beside any other sender of it; return a Report (or None
    when it is not approved or being sent). `until` (time.monotonic()) bounds
    how long this sender claims new batches."""
    worker = worker_id()
    if not join_edition(edition, worker, resume_paused=resume_paused):
        return None
    release_stale(edition)
    return Sender(edition, worker, on_progress, until=until).run()
