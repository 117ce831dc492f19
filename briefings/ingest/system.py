"""Run the whole system in one process group: granian serving the site, and the
scheduler polling feeds in this process. Ctrl-C or SIGTERM stops both.
"""

import logging
import shutil
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from briefings.ingest.jobs import HEARTBEAT as JOBS
from briefings.ingest.jobs import jobs_forever
from briefings.ingest.poller import poll_forever
from briefings.network.models import Heartbeat

log = logging.getLogger(__name__)


def web_server_command(bind=None, workers=None):
    """Return the command serving the site: granian (WSGI), `workers` processes
    (default BRIEFINGS_WEB_WORKERS) on `bind` (default BRIEFINGS_BIND).

    granian's HTTP handling is in Rust; with the page cache's front door it
    serves cached pages 2-3x faster than gunicorn's gthread workers did
    (docs/benchmarks.md, issue #4). `briefings run` and bench/site_pages.py
    both start the site with this command (issue #16: measure what ships).
    """
    bind = bind or settings.BRIEFINGS_BIND
    workers = workers or settings.BRIEFINGS_WEB_WORKERS
    executable = shutil.which("granian") or f"{sys.executable} -m granian"
    host, _, port = bind.rpartition(":")
    return [
        *executable.split(" "),
        "--interface", "wsgi",
        "--host", host.strip("[]") or "127.0.0.1",
        "--port", port,
        "--workers", str(workers),
        "--blocking-threads", "4",
        *(["--access-log"] if settings.BRIEFINGS_ACCESS_LOG else []),
        "--log-level", "warning",
        "briefings.config.wsgi:application",
    ]  # fmt: skip


class Supervisor:
    """Keep background loops running in daemon threads until `stop` is set.

    A loop whose thread ends while `stop` is not set has died (of something its
    own handler let through): it is logged, counted on its Heartbeat row and
    started again `restart_after` seconds later. Issue #11: the poller's thread
    once died and no feed was polled again, while the site kept serving.
    """

    def __init__(self, stop, restart_after=5.0):
        self.stop = stop
        self.restart_after = restart_after
        self.loops = {}  # name -> (target, kwargs)
        self.threads = {}  # name -> its current thread
        self.deaths = {}  # name -> (monotonic time, what ended it)

    def start(self, name, target, **kwargs):
        """Run `target(stop, **kwargs)` in a thread, and again whenever it dies."""
        self.loops[name] = (target, kwargs)
        self._record(Heartbeat.objects.started, name, timezone.now())
        self._spawn(name)

    def check(self):
        """Start again each loop that died at least `restart_after` seconds ago."""
        for name, thread in list(self.threads.items()):
            if self.stop.is_set() or thread.is_alive():
                continue
            died_at, reason = self.deaths.get(name, (float("-inf"), "it ended"))
            if time.monotonic() - died_at < self.restart_after:
                continue
            log.error("the %s loop died (%s); starting it again", name, reason)
            self._record(Heartbeat.objects.restarted, name, timezone.now(), reason)
            self._spawn(name)

    def watch(self, every=1.0):
        """Check the loops every `every` seconds until `stop` is set."""
        try:
            while not self.stop.wait(every):
                self.check()
        finally:
            connections.close_all()

    def join(self, timeout=None):
        for thread in list(self.threads.values()):
            thread.join(timeout)

    def _spawn(self, name):
        self.deaths.pop(name, None)
        thread = threading.Thread(
            target=self._run, args=(name,), name=f"briefings-{name}", daemon=True
        )
        self.threads[name] = thread
        thread.start()

    def _run(self, name):
        target, kwargs = self.loops[name]
        reason = "it returned"
        try:
            target(self.stop, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - whatever ended it, restart it
            log.exception("the %s loop died", name)
            reason = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        self.deaths[name] = (time.monotonic(), reason)

    @staticmethod
    def _record(write, *args):
        """Write to the Heartbeat row; a database that refuses stops no loop."""
        close_old_connections()
        try:
            write(*args)
        except DatabaseError:
            log.exception("could not record the loops' state")


def run_system(out, bind=None, workers=None, on_done=None):
    """Serve the site and poll feeds until interrupted; return the server's exit
    code."""
    bind = bind or settings.BRIEFINGS_BIND
    web = subprocess.Popen(web_server_command(bind, workers))
    stop = threading.Event()

    def shut_down(signum, frame):
        stop.set()

    previous = {
        sig: signal.signal(sig, shut_down) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    out(f"Briefings is running: open http://{bind}/ (Ctrl-C stops it).")
    try:
        supervisor = Supervisor(stop)
        if settings.CELERY_BROKER_URL:
            # Past one machine: `briefings beat` and `briefings worker` poll the
            # feeds and run the jobs; polling here too would bypass their leases.
            out("Feeds and periodic jobs run on Celery (CELERY_BROKER_URL is set).")
        else:
            supervisor.start(Heartbeat.POLLER, poll_forever, on_done=on_done)
            supervisor.start(JOBS, jobs_forever)
        while not stop.is_set():
            if web.poll() is not None:
                out(f"The web server stopped (exit code {web.returncode}).")
                stop.set()
            supervisor.check()
            stop.wait(1.0)
    finally:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if web.poll() is None:
            web.terminate()
            try:
                web.wait(timeout=10)
            except subprocess.TimeoutExpired:
                web.kill()
    return web.returncode
