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

from briefings.network.models import Heartbeat

log = logging.getLogger(__name__)

HEARTBEAT = "jobs"  # its Heartbeat row's name


def run_job(path):
    """Call the job at `path` with the current time; log a failure, never raise."""
    close_old_connections()
    try:
        import_string(path)(timezone.now())
    except Exception:  # noqa: BLE001 - one job's failure must not stop the rest
        log.exception("periodic job %s failed", path)


def job_forever(stop, path, every):
    """Run one job every `every` seconds until `stop` is set, leaving a heartbeat
    after each run (the admin shows it; /healthz reads the poller's)."""
    try:
        while not stop.is_set():
            run_job(path)
            try:
                Heartbeat.objects.beat(HEARTBEAT, timezone.now())
            except Exception:  # noqa: BLE001 - the loop outlives anything (#11)
                log.exception("the periodic jobs' heartbeat failed; it goes on")
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
