"""When to poll a feed next, and what its health is after a poll."""

import random
from datetime import timedelta

from briefings.network.models import Feed

MAX_BACKOFF = timedelta(hours=24)
DISABLE_AFTER_ERRORS = 50


def jittered(seconds, spread=0.1):
    """Return `seconds` moved at random by up to ±`spread`, so polls don't align."""
    return seconds * (1 + random.uniform(-spread, spread))


def record_success(feed, now, etag="", last_modified="", kind=""):
    """Mark a successful poll: health ok, validators kept, next poll scheduled."""
    feed.health = Feed.Health.OK
    feed.error_count = 0
    feed.last_error = ""
    feed.last_checked_at = feed.last_success_at = now
    feed.etag = etag[:500]
    feed.last_modified = last_modified[:100]
    if kind and kind != Feed.Kind.UNKNOWN:
        feed.kind = kind
    feed.next_check_at = now + timedelta(seconds=jittered(feed.poll_interval))
    feed.save()


def record_failure(feed, error, now):
    """Mark a failed poll: the reason kept, the next poll backed off exponentially."""
    feed.error_count += 1
    feed.last_error = str(error)[:2000]
    feed.last_checked_at = now
    if feed.error_count >= DISABLE_AFTER_ERRORS:
        feed.health = Feed.Health.DISABLED
        feed.enabled = False
        feed.last_error = (
            f"disabled after {feed.error_count} failures: {feed.last_error}"
        )
    else:
        feed.health = Feed.Health.FAILING
    backoff = timedelta(seconds=feed.poll_interval * 2 ** min(feed.error_count, 10))
    feed.next_check_at = now + min(backoff, MAX_BACKOFF)
    feed.save()
