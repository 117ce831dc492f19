"""Periodic jobs the scheduler runs beside the feed polls.

The jobs are named in settings (BRIEFINGS_PERIODIC_JOBS: dotted path -> every
how many seconds) rather than imported here, so the ingest app depends on no
app above it (the newsletter's sending, the stories' re-check).
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def run_job(path):
    """Call the job at `path` with the current time; log a failure, never raise."""
    close_old_connections()
    try:
        import_string(path)(timezone.now())
    except Exception:  # noqa: BLE001 - one job's failure must not stop the rest
        log.exception("periodic job %s failed", path)


def job_forever(stop, path, every):
    """Run one job every `every` seconds until `stop` is set."""
    try:
        while not stop.is_set():
            run_job(path)
            stop.wait(every)
    finally:
        connections.close_all()  # this thread's own connections


def jobs_forever(stop):
    """Run every configured job on its own thread until `stop` (a threading.Event)
    is set; return when all have stopped.

    One thread each, so a job that takes minutes (an edition going out to every
    subscriber) does not hold up one that must run every few seconds (the
    signups' confirmation emails)."""
    threads = [
        threading.Thread(
            target=job_forever,
            args=(stop, path, every),
            name=f"job {path}",
            daemon=True,
        )
        for path, every in settings.BRIEFINGS_PERIODIC_JOBS.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
