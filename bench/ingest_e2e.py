#!/usr/bin/env python3
"""End-to-end ingest of the demo network on loopback, against a bare loop.

Serves the whole demo network on 127.0.0.1, points every paper at its full
sitemap (all of its stories: over 1,000 articles), and ingests it with the real
pipeline into a fresh SQLite database: fetch, parse, page fetch, extraction in
worker processes, sanitize, dedupe, store. In the same run, the baseline: a bare
single-process loop that fetches the same article pages and runs
trafilatura.extract(html) on each. Prints articles per second for both, the
ratio, and the peak memory (RSS of the whole process tree, sampled).

    python bench/ingest_e2e.py [--corpus PATH] [--workers N]
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "demo-corpus" / "wikinews_asia.jsonl"


class PeakRSS:
    """Sample the RSS of this process and its children every 50 ms."""

    def __init__(self):
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self, pid):
        pids = [pid]
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            for child in task.read_text().split():
                pids.extend(self._tree(int(child)))
        return pids

    def _rss_kb(self, pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self):
        while not self._stop.is_set():
            try:
                total = sum(self._rss_kb(pid) for pid in self._tree(os.getpid()))
            except OSError:
                total = 0
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def bare_loop(urls):
    """The baseline: one process, fetch each page, trafilatura.extract it."""
    import httpx
    import trafilatura

    started = time.perf_counter()
    with httpx.Client() as client:
        for url in urls:
            trafilatura.extract(client.get(url).content)
    return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="briefings-bench-ingest-")
    os.environ["BRIEFINGS_DATA_DIR"] = data_dir
    os.environ["BRIEFINGS_EXTRACT_WORKERS"] = str(args.workers)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from briefings.articles.models import Article
    from briefings.demo.network import DemoNetwork
    from briefings.demo.register import register_demo_feeds
    from briefings.demo.server import DemoServer
    from briefings.ingest.poller import refresh_feeds
    from briefings.network.models import Feed

    call_command("migrate", verbosity=0)
    call_command("sync_network", "--without-feeds", verbosity=0)
    net = DemoNetwork.load(args.corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    with DemoServer(net, port=0) as server:
        register_demo_feeds(server, net.papers, source="sitemap")
        feeds = list(Feed.objects.enabled())
        urls = [
            server.article_url(p.slug, item) for p in net.papers for item in p.items
        ]
        print(f"demo network: {len(feeds)} papers, {len(urls)} article pages")

        with PeakRSS() as ours_rss:
            started = time.perf_counter()
            refresh_feeds(feeds)
            ours = time.perf_counter() - started
        stored = Article.objects.count()
        with PeakRSS() as bare_rss:
            bare = bare_loop(urls)

    ours_rate, bare_rate = stored / ours, len(urls) / bare
    print(f"{'':28} {'articles':>9} {'seconds':>8} {'articles/s':>11} {'peak RSS':>9}")
    print(
        f"{'briefings ingest (pipeline)':28} {stored:>9} {ours:>8.1f} "
        f"{ours_rate:>11.1f} {ours_rss.peak_kb / 1024:>7.0f} MB"
    )
    print(
        f"{'bare trafilatura loop':28} {len(urls):>9} {bare:>8.1f} "
        f"{bare_rate:>11.1f} {bare_rss.peak_kb / 1024:>7.0f} MB"
    )
    print(f"ratio: {ours_rate / bare_rate:.2f}x the bare loop (target >= 1.5x)")
    print(f"peak RSS of the ingest: {ours_rss.peak_kb / 1024:.0f} MB (target < 500 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
