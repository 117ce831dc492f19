"""Refresh due feeds, several at once, once or forever (the scheduler).

The scheduler never waits on a batch: each of its threads takes the next due
feed as soon as it is free, so one paper's slow pages hold one thread (for at
most the feed's time budget, `pipeline.poll_limit_reached`), never another
paper's feed. Its loop outlives anything a refresh raises, and leaves a
heartbeat (`network.Heartbeat`) that /healthz reads (issue #11).
"""

import logging
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import F
from django.utils import timezone

from briefings.ingest.pipeline import RefreshReport, refresh
from briefings.ingest.schedule import record_failure
from briefings.network.models import Feed, Heartbeat

log = logging.getLogger(__name__)

BEAT_EVERY = 5.0  # seconds between two heartbeat writes, at most
# A feed whose refresh raised and could not even be marked failed (the database
# refused) is left alone this long (seconds), rather than taken again at once.
REST_AFTER_UNRECORDED = 600.0


def _refresh_in_thread(feed_id):
    close_old_connections()
    try:
        feed = Feed.objects.select_related("publication").get(pk=feed_id)
        try:
            return refresh(feed)
        except Exception as exc:  # noqa: BLE001 - one feed's bug stops no other feed
            return _record_crash(feed_id, exc)
    finally:
        connections.close_all()


def _record_crash(feed_id, exc):
    """Log a refresh that raised, and fail its feed like any failure: the reason
    kept, the next poll backed off (not taken again at once).

    Its validators are dropped: they are what a paper's past answers put into
    our next request, so the next poll starts from a plain GET.
    """
    log.exception("refreshing feed %s raised", feed_id)
    feed = Feed.objects.get(pk=feed_id)
    feed.etag = feed.last_modified = ""
    error = f"refresh failed: {type(exc).__name__}: {exc}"
    record_failure(feed, error, timezone.now())
    return RefreshReport(feed.url, error=error)


def refresh_feeds(feeds, workers=None, on_done=None):
    """Refresh `feeds` with a pool of threads; return their reports in order.

    A free thread takes the next feed at once; `on_done` gets each report as
    its refresh ends.
    """
    workers = max(1, workers or settings.BRIEFINGS_FETCH_WORKERS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_refresh_in_thread, feed.pk) for feed in feeds]
        for future in as_completed(futures):
            if on_done:
                on_done(future.result())
    return [future.result() for future in futures]


class Poller:
    """Keep `workers` threads refreshing due feeds, oldest due first."""

    def __init__(self, stop, interval, on_done=None, workers=None):
        self.stop = stop
        self.interval = interval
        self.on_done = on_done
        self.workers = max(1, workers or settings.BRIEFINGS_FETCH_WORKERS)
        self.running = {}  # future -> feed id
        self.resting = {}  # feed id -> monotonic time it may be taken again
        self.last_beat = float("-inf")

    def run(self):
        try:
            with ThreadPoolExecutor(self.workers, "briefings-refresh") as pool:
                while not self.stop.is_set():
                    try:
                        self.turn(pool)
                    except Exception:  # noqa: BLE001 - the loop outlives anything
                        log.exception("the poller's turn failed; it goes on")
                        self.stop.wait(self.interval)
        finally:
            connections.close_all()

    def turn(self, pool):
        """Fill the free threads with due feeds, then wait for one to finish."""
        close_old_connections()
        self.take_due(pool)
        self.beat()
        if not self.running:
            self.stop.wait(self.interval)
            return
        done, _ = wait(self.running, self.interval, return_when=FIRST_COMPLETED)
        for future in done:
            self.finish(future, self.running.pop(future))

    def take_due(self, pool):
        free = self.workers - len(self.running)
        if free <= 0:
            return
        now = time.monotonic()
        self.resting = {pk: at for pk, at in self.resting.items() if at > now}
        due = (
            Feed.objects.due()
            .exclude(pk__in=[*self.running.values(), *self.resting])
            .order_by(F("next_check_at").asc(nulls_first=True), "pk")
            .values_list("pk", flat=True)
        )
        for feed_id in due[:free]:
            self.running[pool.submit(_refresh_in_thread, feed_id)] = feed_id

    def finish(self, future, feed_id):
        try:
            report = future.result()
        except Exception:  # noqa: BLE001 - the refresh raised, then its record did
            log.exception("feed %s: its refresh failed unrecorded", feed_id)
            self.resting[feed_id] = time.monotonic() + REST_AFTER_UNRECORDED
            return
        if self.on_done:
            self.on_done(report)

    def beat(self):
        if time.monotonic() - self.last_beat < BEAT_EVERY:
            return
        Heartbeat.objects.beat(Heartbeat.POLLER, timezone.now())
        self.last_beat = time.monotonic()


def poll_forever(stop, interval=10.0, on_done=None, workers=None):
    """Refresh due feeds until `stop` (a threading.Event) is set: each free
    thread takes the next due feed, `interval` seconds apart at most."""
    Poller(stop, interval, on_done, workers).run()
