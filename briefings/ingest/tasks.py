"""Celery tasks of ingest: thin wrappers over what `briefings run` calls in one
process (issue #17; the app is briefings/config/celery.py)."""

import logging

from celery import shared_task

from django.db.models import F, Q
from django.utils import timezone

from briefings.ingest.jobs import run_job
from briefings.ingest.lease import lease_length, refresh_leased
from briefings.network.models import Feed, Heartbeat

log = logging.getLogger(__name__)

DISPATCH_LIMIT = 500  # feeds sent per dispatch, at most


@shared_task(name="briefings.ingest.tasks.refresh_feed")
def refresh_feed(feed_id):
    """Refresh one feed under its database lease; a duplicate does nothing.
    Log what it did (no result backend keeps a return value)."""
    report = refresh_leased(feed_id)
    if report is not None:
        log.info(
            "feed %s: %s new, %s updated%s",
            report.feed_url,
            report.new,
            report.updated,
            f", failed: {report.error}" if report.error else "",
        )


@shared_task(name="briefings.ingest.tasks.run_periodic")
def run_periodic(path):
    """Run one of the periodic jobs of `briefings run` (BRIEFINGS_PERIODIC_JOBS)."""
    run_job(path)


def due_for_dispatch(now, limit=DISPATCH_LIMIT):
    """Due feeds to send now, oldest due first: one per paper, and none of a
    paper with a feed being refreshed (one refresh per paper at a time, as the
    one-process scheduler does)."""
    busy = Feed.objects.filter(lease_expires_at__gt=now).values("publication_id")
    due = (
        Feed.objects.due(now)
        .exclude(publication_id__in=busy)
        .order_by(F("next_check_at").asc(nulls_first=True), "pk")
        .values_list("pk", "publication_id")
    )
    chosen, papers = [], set()
    for feed_id, paper_id in due[: limit * 4]:
        if paper_id not in papers:
            papers.add(paper_id)
            chosen.append(feed_id)
        if len(chosen) >= limit:
            break
    return chosen


@shared_task(name="briefings.ingest.tasks.dispatch_due")
def dispatch_due():
    """Send a refresh task for each due feed; return how many were sent.

    Each feed sent is first moved past the lease's length (a conditional
    UPDATE: still due), so the next dispatch does not send it again while its
    task waits in the queue; its refresh sets the real next check, and a lost
    message makes it due again after that delay."""
    now = timezone.now()
    # The scheduler's heartbeat, which /healthz reads: the dispatcher is it here.
    Heartbeat.objects.beat(Heartbeat.POLLER, now)
    ids = due_for_dispatch(now)
    still_due = Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
    sent = 0
    for feed_id in ids:
        if Feed.objects.filter(still_due, pk=feed_id).update(
            next_check_at=now + lease_length()
        ):
            refresh_feed.apply_async((feed_id,), queue="ingest")
            sent += 1
    if sent:
        log.info("dispatched %s due feeds", sent)
    return sent
