"""Refresh due feeds, several at once, once or forever (the scheduler).

The scheduler never waits on a batch: each of its threads takes the next due
feed as soon as it is free, so one paper's slow pages hold one thread (for at
most the feed's time budget, `pipeline.poll_limit_reached`), never another
paper's feed; and a paper is polled by one thread at a time, so its many slow
feeds cannot take every thread. Its loop outlives anything a refresh raises,
and leaves a heartbeat (`network.Heartbeat`) that /healthz reads (issue #11).
"""

import logging
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import F
from django.utils import timezone

from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Heartbeat

log = logging.getLogger(__name__)

BEAT_EVERY = 5.0  # seconds between two heartbeat writes, at most
# A feed whose refresh raised and could not even be marked failed (the database
# refused) is left alone this long (seconds), rather than taken again at once.
REST_AFTER_UNRECORDED = 600.0
# Due feeds read per free thread to find papers not already being polled.
CANDIDATES_PER_THREAD = 50


def _refresh_in_thread(feed_id):
    """Refresh one feed in a scheduler thread (refresh() records its own
    failures and never raises; what fails around it, the poller's finish()
    logs)."""
    close_old_connections()
    try:
        return refresh(Feed.objects.select_related("publication").get(pk=feed_id))
    finally:
        connections.close_all()


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
        self.papers = {}  # future -> the id of the feed's publication
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
            self.papers.pop(future, None)
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
            .values_list("pk", "publication_id")
        )
        # One refresh per paper at a time: a paper with many slow feeds holds one
        # thread, never all of them, and its own hosts see one poll at a time.
        busy = set(self.papers.values())
        for feed_id, paper_id in due[: free * CANDIDATES_PER_THREAD]:
            if paper_id in busy:
                continue
            future = pool.submit(_refresh_in_thread, feed_id)
            self.running[future], self.papers[future] = feed_id, paper_id
            busy.add(paper_id)
            free -= 1
            if not free:
                return

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
