"""Feed refreshes leased in the database, for Celery workers on many machines.

A worker takes a feed's lease (token, owner, expiry) by one conditional UPDATE
before refreshing it, so of two messages for one feed (a duplicate, a broker's
redelivery of a task still running) only one refreshes it; the other does
nothing. A lease ends when its refresh does, or, when its worker was killed, at
its expiry: a task's hard time limit plus a margin, so a live worker never
loses its lease to another. The clocks of the workers' hosts are the ones
compared (keep them on NTP)."""

import logging
import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed

log = logging.getLogger(__name__)

MARGIN = timedelta(seconds=10)  # past the task's hard limit: its worker is gone


def lease_length():
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + MARGIN


def owner_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def take(feed_id, owner):
    """Lease feed `feed_id` to `owner`; return the lease's token, or None when
    another holds an unexpired lease (or the feed is gone or disabled)."""
    now = timezone.now()
    token = uuid.uuid4().hex
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    taken = Feed.objects.filter(free, pk=feed_id, enabled=True).update(
        lease_token=token,
        lease_owner=owner[:100],
        lease_expires_at=now + lease_length(),
    )
    return token if taken else None


def release(feed_id, token):
    """End the lease `token` on the feed, if it is still the one held."""
    Feed.objects.filter(pk=feed_id, lease_token=token).update(
        lease_token="", lease_owner="", lease_expires_at=None
    )


def refresh_leased(feed_id, owner=None):
    """Refresh one feed under its lease; return its RefreshReport, or None when
    another worker holds the feed (nothing is done)."""
    token = take(feed_id, owner or owner_name())
    if token is None:
        log.info("feed %s: leased by another worker, message dropped", feed_id)
        return None
    try:
        return refresh(Feed.objects.select_related("publication").get(pk=feed_id))
    finally:
        release(feed_id, token)
