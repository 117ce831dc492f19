"""Run the whole system in one process group: granian serving the site, and the
scheduler polling feeds in this process. Ctrl-C or SIGTERM stops both.
"""

import logging
import shutil
import signal
import subprocess
import sys
import threading

from django.conf import settings

from briefings.ingest.jobs import jobs_forever
from briefings.ingest.poller import poll_forever

log = logging.getLogger(__name__)


def web_server_command(bind, workers):
    """Return the command serving the site: granian (WSGI), `workers` processes.

    granian's HTTP handling is in Rust; with the page cache's front door it
    serves cached pages 2-3x faster than gunicorn's gthread workers did
    (docs/benchmarks.md, issue #4).
    """
    executable = shutil.which("granian") or f"{sys.executable} -m granian"
    host, _, port = bind.rpartition(":")
    return [
        *executable.split(" "),
        "--interface", "wsgi",
        "--host", host.strip("[]") or "127.0.0.1",
        "--port", port,
        "--workers", str(workers),
        "--blocking-threads", "4",
        "--access-log",
        "--log-level", "warning",
        "briefings.config.wsgi:application",
    ]  # fmt: skip


def run_system(out, bind=None, workers=None, on_done=None):
    """Serve the site and poll feeds until interrupted; return the server's exit
    code."""
    bind = bind or settings.BRIEFINGS_BIND
    workers = workers or settings.BRIEFINGS_WEB_WORKERS
    web = subprocess.Popen(web_server_command(bind, workers))
    stop = threading.Event()

    def shut_down(signum, frame):
        stop.set()

    previous = {
        sig: signal.signal(sig, shut_down) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    out(f"Briefings is running: open http://{bind}/ (Ctrl-C stops it).")
    try:
        poller = threading.Thread(
            target=poll_forever, args=(stop,), kwargs={"on_done": on_done}, daemon=True
        )
        poller.start()
        threading.Thread(target=jobs_forever, args=(stop,), daemon=True).start()
        while not stop.is_set():
            if web.poll() is not None:
                out(f"The web server stopped (exit code {web.returncode}).")
                stop.set()
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
