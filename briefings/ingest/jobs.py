"""Periodic jobs the scheduler runs beside the feed polls.

The jobs are named in settings (BRIEFINGS_PERIODIC_JOBS: dotted path -> every
how many seconds) rather than imported here, so the ingest app depends on no
app above it (the newsletter's sending, the stories' re-check).
"""

import logging
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.module_loading import import_string

from briefings.network.models import Heartbeat

log = logging.getLogger(__name__)

HEARTBEAT = "jobs"  # its Heartbeat row's name


def run_due_jobs(last_run, clock=time.monotonic):
    """Run each configured job whose interval has passed; update `last_run`.

    A failing job is logged and does not stop the others or the scheduler.
    """
    for path, every in settings.BRIEFINGS_PERIODIC_JOBS.items():
        if clock() - last_run.get(path, float("-inf")) < every:
            continue
        last_run[path] = clock()
        close_old_connections()
        try:
            import_string(path)(timezone.now())
        except Exception:  # noqa: BLE001 - one job's failure must not stop the rest
            log.exception("periodic job %s failed", path)


def jobs_forever(stop, interval=30.0):
    """Run due jobs until `stop` (a threading.Event) is set, leaving a heartbeat
    after each turn (the admin shows it; a long newsletter send delays it)."""
    last_run = {}
    try:
        while not stop.is_set():
            try:
                run_due_jobs(last_run)
                Heartbeat.objects.beat(HEARTBEAT, timezone.now())
            except Exception:  # noqa: BLE001 - the loop outlives anything (#11)
                log.exception("the periodic jobs' turn failed; it goes on")
            stop.wait(interval)
    finally:
        connections.close_all()
