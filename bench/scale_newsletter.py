"""One edition to N subscribers by one sender, then by two at once, on PostgreSQL,
into an SMTP sink on loopback that takes 50 ms to accept each message (issue #17).

    python bench/scale_newsletter.py [--subscribers 100000] [--latency 0.05]
        [--database-url postgres://postgres@127.0.0.1:5432/briefings_bench_newsletter]

Each sender is a real `briefings newsletter send --date D` process (start-up,
joining, claiming with FOR UPDATE SKIP LOCKED, sending, closing); the second
run starts two at once on the same edition. The sink (aiosmtpd, in this
process) answers each message's final dot `--latency` seconds after reading
it, so a message costs one round trip of that length on its connection, the
way a remote MTA's queueing does; with NEWSLETTER_CONNECTIONS connections per
sender, one sender is bound at about CONNECTIONS / latency messages per second
and two at twice that. Prints each run's messages per second, the ratio of
two to one (target >= 1.8), the CPU seconds the senders, this process (the
sink) and PostgreSQL's share of the machine took, the load average, and
checks that every subscriber received exactly one copy in each run.

The database is created (and dropped after) by this script: name one that
holds nothing you keep."""

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/briefings_bench_newsletter"


class Sink:
    """An SMTP server on loopback that counts each recipient's copies."""

    def __init__(self, latency):
        self.latency = latency
        self.copies = collections.Counter()
        self.first = self.last = None
        self.lock = threading.Lock()
        self.port = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
            self.copies.update(envelope.rcpt_tos)
        await asyncio.sleep(self.latency)
        return "250 OK queued"

    def reset(self):
        with self.lock:
            self.copies.clear()
            self.first = self.last = None

    def start(self):
        from aiosmtpd.smtp import SMTP

        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(loop)
            server = loop.run_until_complete(
                loop.create_server(
                    lambda: SMTP(self, hostname="sink.bench"), "127.0.0.1", 0
                )
            )
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)


def admin_url(url):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def recreate_database(url, drop_only=False):
    import psycopg

    admin, name = admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(count):
    """Migrate, load the network, approve an edition of a day of articles and
    create `count` confirmed subscribers; return the edition."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("sync_network", verbosity=0)
    sys.path.insert(0, str(REPO))
    from briefings.newsletter.curate import curate
    from briefings.newsletter.deliver import approve
    from briefings.newsletter.models import Subscriber
    from tests.newsletter.conftest import make_day_of_articles

    day = (timezone.now() - timedelta(days=1)).date()
    make_day_of_articles(day)
    edition = curate(day)
    approve(edition)
    now = timezone.now()
    for start in range(0, count, 5000):
        Subscriber.objects.bulk_create(
            Subscriber(email=f"r{n}@example.test", status="confirmed", confirmed_at=now)
            for n in range(start, min(count, start + 5000))
        )
    edition.refresh_from_db()
    return edition


def reapprove(edition):
    """Put the edition back as approved, with no delivery, for the next run."""
    from briefings.newsletter.models import Delivery, Edition

    Delivery.objects.filter(edition=edition).delete()
    Edition.objects.filter(pk=edition.pk).update(
        status=Edition.Status.APPROVED, sent_at=None, send_started_at=None, sender=""
    )


def cpu_seconds():
    """CPU seconds (user + system) the whole machine has spent, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    ticks = os.sysconf("SC_CLK_TCK")
    busy = sum(int(f) for i, f in enumerate(fields[:8]) if i not in (3, 4))
    return busy / ticks


def run(edition, senders, env, sink):
    """Start `senders` processes at once; return the run's figures."""
    sink.reset()
    command = [sys.executable, "-m", "briefings", "newsletter", "send"]
    command += ["--date", edition.date.isoformat()]
    load_before = os.getloadavg()[0]
    machine_before, own_before = cpu_seconds(), time.process_time()
    start = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        for _ in range(senders)
    ]
    sender_cpu = 0.0
    for process in processes:
        _, status, usage = os.wait4(process.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "a sender failed"
        sender_cpu += usage.ru_utime + usage.ru_stime
    elapsed = time.perf_counter() - start
    machine = cpu_seconds() - machine_before
    sink_cpu = time.process_time() - own_before
    copies = sink.copies
    return {
        "senders": senders,
        "elapsed": elapsed,
        "span": sink.last - sink.first,
        "received": sum(copies.values()),
        "doubled": sum(1 for n in copies.values() if n > 1),
        "sender_cpu": sender_cpu,
        "sink_cpu": sink_cpu,
        "machine_cpu": machine,
        "load": (load_before, os.getloadavg()[0]),
    }


def report(figures, count):
    rate = count / figures["elapsed"]
    print(
        f"{figures['senders']} sender(s): {count} messages in "
        f"{figures['elapsed']:.1f} s = {rate:.0f} msg/s (first to last message "
        "at the sink: "
        f"{count / figures['span']:.0f} msg/s); doubled {figures['doubled']}, "
        f"received {figures['received']}; CPU: senders {figures['sender_cpu']:.1f} s "
        f"({figures['sender_cpu'] / figures['elapsed'] * 100:.0f}% of a core), "
        f"sink {figures['sink_cpu']:.1f} s, machine {figures['machine_cpu']:.1f} s "
        f"({figures['machine_cpu'] / figures['elapsed'] / os.cpu_count() * 100:.0f}% "
        f"of {os.cpu_count()} cores); load {figures['load'][0]:.1f} -> "
        f"{figures['load'][1]:.1f}",
        flush=True,
    )
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    args = parser.parse_args()
    os.chdir(REPO)
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} (machine shared; "
        "compare ratios)",
        flush=True,
    )
    recreate_database(args.database_url)
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="briefings.config.settings",
        LOG_LEVEL="WARNING",
    )
    try:
        edition = prepare(args.subscribers)
        sink = Sink(args.latency)
        sink.start()
        env = {
            **os.environ,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "BRIEFINGS_SITE_URL": "http://bench.test",
        }
        from django.conf import settings

        print(
            f"{args.subscribers} subscribers, sink latency "
            f"{args.latency * 1000:.0f} ms per message, "
            f"{settings.NEWSLETTER_CONNECTIONS} connections per sender, "
            f"batches of {settings.NEWSLETTER_BATCH_SIZE}, PostgreSQL",
            flush=True,
        )
        rates = {}
        for senders in (1, 2):
            reapprove(edition)
            figures = run(edition, senders, env, sink)
            assert figures["doubled"] == 0 and figures["received"] == args.subscribers
            rates[senders] = report(figures, args.subscribers)
        ratio = rates[2] / rates[1]
        print(
            f"two senders / one: {ratio:.2f}x (target >= 1.8: "
            f"{'met' if ratio >= 1.8 else 'NOT met'})"
        )
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(args.database_url, drop_only=True)


if __name__ == "__main__":
    main()
