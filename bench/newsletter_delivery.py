"""Deliver one edition to N subscribers into Postfix's smtp-sink on loopback, and
compare with smtp-source -d sending N same-size messages to the same sink.

    python bench/newsletter_delivery.py [--subscribers 10000 100000] [--dkim]

Prints messages/second for both, the ratio (target >= 0.5) and the sender's
peak RSS (target < 400 MB, flat in N). smtp-source -d sends over one session;
ours uses NEWSLETTER_CONNECTIONS (default 8), so the run also times
smtp-source -d -s K with as many sessions, a stricter baseline. --dkim signs
every message with a fresh 2048-bit key (NEWSLETTER_DKIM_KEY_FILE). Needs
/usr/sbin/smtp-sink and smtp-source (Debian package postfix)."""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SINK, SOURCE = "/usr/sbin/smtp-sink", "/usr/sbin/smtp-source"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(count):
    """Create the database: network, a day of articles, an approved edition and
    `count` confirmed subscribers; return (date, size of one message)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("sync_network", verbosity=0)
    sys.path.insert(0, str(REPO))
    from briefings.newsletter.curate import curate
    from briefings.newsletter.deliver import approve
    from briefings.newsletter.message import Prepared
    from briefings.newsletter.models import Subscriber
    from briefings.newsletter.render import render_edition
    from tests.newsletter.conftest import make_day_of_articles

    day = (timezone.now() - timedelta(days=1)).date()
    make_day_of_articles(day)
    edition = curate(day)
    approve(edition)
    batch = []
    for n in range(count):
        batch.append(Subscriber(email=f"r{n}@example.test", status="confirmed"))
        if len(batch) == 5000:
            Subscriber.objects.bulk_create(batch)
            batch = []
    Subscriber.objects.bulk_create(batch)
    one = Subscriber.objects.first()
    size = len(Prepared(render_edition(edition), edition).copy(one))
    return day, size


def run_sender(day, env):
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "briefings", "newsletter", "send", "--date", str(day)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, "send failed"
    return elapsed, usage.ru_maxrss / 1024


def run_source(port, count, size, sessions=1):
    start = time.perf_counter()
    subprocess.run(
        [
            SOURCE,
            "-d",
            "-s",
            str(sessions),
            "-m",
            str(count),
            "-l",
            str(size),
            "-f",
            "news@example.test",
            "-t",
            "r@example.test",
            f"127.0.0.1:{port}",
        ],
        check=True,
    )
    return time.perf_counter() - start


def measure(count, dkim=False):
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "BRIEFINGS_DATA_DIR": data,
            "DATABASE_URL": f"sqlite:///{data}/bench.sqlite3",
            "DJANGO_SETTINGS_MODULE": "briefings.config.settings",
            "LOG_LEVEL": "WARNING",
        }
        if dkim:
            key = f"{data}/dkim.pem"
            subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True)
            env["NEWSLETTER_DKIM_KEY_FILE"] = key
        os.environ.update(env)
        day, size = prepare(count)
        port = free_port()
        env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
        user = ["-u", "nobody"] if os.geteuid() == 0 else []  # refuses root
        sink = subprocess.Popen(
            [SINK, *user, f"127.0.0.1:{port}", "1000"], stdout=subprocess.DEVNULL
        )
        time.sleep(0.5)
        from django.conf import settings

        width = settings.NEWSLETTER_CONNECTIONS
        try:
            ours, rss = run_sender(day, env)
            theirs = run_source(port, count, size)
            parallel = run_source(port, count, size, sessions=width)
        finally:
            sink.terminate()
            sink.wait()
    ratio = theirs / ours
    print(
        f"{count:>7} subscribers, {size} B/message, {width} connections"
        f"{', DKIM' if dkim else ''}: "
        f"briefings {count / ours:5.0f} msg/s ({ours:.1f} s); "
        f"smtp-source -d {count / theirs:5.0f} msg/s ({theirs:.1f} s), "
        f"ratio {ratio:.2f}; smtp-source -d -s {width} {count / parallel:5.0f} msg/s, "
        f"ratio {parallel / ours:.2f}; sender peak RSS {rss:.0f} MB; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    return ratio, rss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[10000])
    parser.add_argument("--dkim", action="store_true", help="DKIM-sign each message")
    args = parser.parse_args()
    if not (os.path.exists(SINK) and os.path.exists(SOURCE)):
        print("smtp-sink/smtp-source not installed (Debian package postfix); skipped")
        return
    os.chdir(REPO)
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.2f} (machine shared; compare ratios)")
    for count in args.subscribers:
        # Each size in a fresh process: Django is set up once per process.
        if len(args.subscribers) > 1:
            extra = ["--dkim"] if args.dkim else []
            subprocess.run(
                [sys.executable, __file__, "--subscribers", str(count), *extra],
                check=True,
            )
        else:
            measure(count, args.dkim)


if __name__ == "__main__":
    main()
