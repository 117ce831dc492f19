"""When to poll a feed next, and what its health is after a poll.

A feed never stops silently: each poll leaves its health (ok, failing,
disabled), the reason and the time of its last success, shown in the admin and
by `briefings sources`.
"""

import random
from datetime import timedelta

from briefings.ingest.politeness import backoff
from briefings.network.models import Feed

DISABLE_AFTER_ERRORS = 50
# A poll cut short by its time budget or entry cap goes on this soon after
# (seconds): soon enough to drain a long feed, late enough to let other feeds in.
RESUME_AFTER = 60


def jittered(seconds, spread=0.1):
    """Return `seconds` moved at random by up to ±`spread`, so polls don't align."""
    return seconds * (1 + random.uniform(-spread, spread))


def record_success(feed, now, etag="", last_modified="", kind=""):
    """Mark a successful poll: health ok, validators kept, next poll scheduled."""
    _mark_ok(feed, now, etag, last_modified, kind)
    feed.next_check_at = now + timedelta(seconds=jittered(feed.poll_interval))
    feed.save()


def record_partial(feed, now, kind=""):
    """Mark a poll that stored part of the feed (its budget or cap was reached).

    The validators are dropped, so the next poll, soon, reads the whole feed
    again (no 304) and takes the entries this one left: those already stored
    come back unchanged, without a page fetch.
    """
    _mark_ok(feed, now, "", "", kind)
    feed.next_check_at = now + timedelta(seconds=jittered(RESUME_AFTER))
    feed.save()


def _mark_ok(feed, now, etag, last_modified, kind):
    feed.health = Feed.Health.OK
    feed.error_count = 0
    feed.last_error = ""
    feed.last_checked_at = feed.last_success_at = now
    feed.etag = _sendable(etag[:500])
    feed.last_modified = _sendable(last_modified[:100])
    if kind and kind != Feed.Kind.UNKNOWN:
        feed.kind = kind


def _sendable(validator):
    """Return `validator` if it can go back in a request header, else "".

    A paper's raw header bytes may decode to text (non-ASCII, control
    characters) that no HTTP client sends: kept, it would break every later
    poll of the feed before its request went out (issue #11).
    """
    return validator if validator.isascii() and validator.isprintable() else ""


def record_failure(feed, error, now):
    """Mark a failed poll: the reason kept, the next poll backed off exponentially.

    After DISABLE_AFTER_ERRORS failures in a row (weeks, with the backoff) the
    feed is disabled, with the reason, until an operator enables it again.
    """
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
    seconds = backoff(feed.error_count, base=feed.poll_interval)
    feed.next_check_at = now + timedelta(seconds=seconds)
    feed.save()


def record_deferral(feed, until, now):
    """The paper asked us to come back later (Retry-After): not an error."""
    feed.last_checked_at = now
    feed.next_check_at = max(until, now)
    feed.last_error = (
        f"deferred until {until:%Y-%m-%d %H:%M} UTC at the paper's request"
    )
    feed.save()
