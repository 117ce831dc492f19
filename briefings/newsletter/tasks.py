"""Celery tasks of the newsletter (issue #17; the app is briefings/config/celery.py):
an edition sent by NEWSLETTER_SENDERS tasks side by side on the `mail` queue,
each a sender of deliver.py for a bounded time, then followed by the next."""

import logging
import time

from celery import shared_task

from django.conf import settings
from django.utils import timezone

from briefings.newsletter.deliver import join_edition, lease, send_edition, worker_id
from briefings.newsletter.models import Edition

log = logging.getLogger(__name__)


def part_seconds():
    """How long one task claims batches: half the task's time limit (itself
    inside the broker's visibility timeout), the other half for its start and
    the last batch it claimed, so a part ends before the soft limit."""
    return max(1.0, settings.CELERY_TASK_TIME_LIMIT * 0.5)


@shared_task(name="briefings.newsletter.tasks.send_part")
def send_part(edition_id):
    """Send the edition beside its other senders for part_seconds(); while it
    is still being sent after that, queue the next part in this one's place
    (a few seconds later when this one failed). A part killed with its worker
    is given back by the broker (acks_late), and its claims return to the
    queue after the lease."""
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        return
    failed = True
    try:
        report = send_edition(edition, until=time.monotonic() + part_seconds())
        failed = False
    finally:
        if Edition.objects.filter(
            pk=edition_id, status=Edition.Status.SENDING
        ).exists():
            send_part.apply_async(
                (edition_id,), queue="mail", countdown=5 if failed else 0
            )
    if report is not None:
        log.info(
            "%s: sent %s, bounced %s, failed %s, retried %s%s",
            edition,
            report.sent,
            report.bounced,
            report.failed,
            report.retried,
            "; closed it" if report.closed else "",
        )


def _take_start(edition):
    """Whether this call is the one to queue senders for `edition` (of two
    runs of the job at once, one is): it starts an approved edition (its
    deliveries queued, its heartbeat set, so the job's next run finds it
    sending and queues nothing while the parts wait), or renews the
    heartbeat of one whose senders have all been silent for the lease."""
    if edition.status == Edition.Status.APPROVED:
        starter = f"start:{worker_id()}"
        join_edition(edition, starter)
        return Edition.objects.filter(pk=edition.pk, sender=starter).exists()
    if edition.status != Edition.Status.SENDING:
        return False
    now = timezone.now()
    if edition.heartbeat_at is not None and edition.heartbeat_at >= now - lease():
        return False  # its senders are at work
    return bool(
        Edition.objects.filter(
            pk=edition.pk,
            status=Edition.Status.SENDING,
            heartbeat_at=edition.heartbeat_at,
        ).update(heartbeat_at=now)
    )


def start_senders(edition):
    """Queue NEWSLETTER_SENDERS parts sending `edition` on the `mail` queue
    when it is approved, or when all its senders have been silent for the
    lease (their messages lost); return how many were queued."""
    if not _take_start(edition):
        return 0
    count = max(1, settings.NEWSLETTER_SENDERS)
    for _ in range(count):
        send_part.apply_async((edition.pk,), queue="mail")
    log.info("%s: %s senders queued on `mail`", edition, count)
    return count
