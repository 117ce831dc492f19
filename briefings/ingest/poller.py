"""Refresh due feeds, several at once, once or forever (the scheduler)."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections

from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed

log = logging.getLogger(__name__)


def _refresh_in_thread(feed_id):
    close_old_connections()
    try:
        feed = Feed.objects.select_related("publication").get(pk=feed_id)
        return refresh(feed)
    finally:
        connections.close_all()


def refresh_feeds(feeds, workers=None, on_done=None):
    """Refresh `feeds` with a pool of threads; return their reports in order done."""
    workers = workers or settings.BRIEFINGS_FETCH_WORKERS
    ids = [feed.pk for feed in feeds]
    reports = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for report in pool.map(_refresh_in_thread, ids):
            reports.append(report)
            if on_done:
                on_done(report)
    return reports


def poll_forever(stop, interval=10.0, on_done=None):
    """Refresh due feeds until `stop` (a threading.Event) is set."""
    while not stop.is_set():
        due = list(Feed.objects.due().order_by("next_check_at"))
        if due:
            log.info("refreshing %s due feeds", len(due))
            refresh_feeds(due, on_done=on_done)
        stop.wait(interval)


def start_poller(on_done=None):
    """Start the scheduler in a daemon thread; return the Event that stops it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=poll_forever,
        args=(stop,),
        kwargs={"on_done": on_done},
        daemon=True,
        name="briefings-poller",
    )
    thread.start()
    return stop
