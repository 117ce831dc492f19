#!/usr/bin/env python3
"""End-to-end ingest of the demo network on loopback, against a bare loop,
per process and as deployed (issue #16).

Serves the whole demo network on 127.0.0.1, points every paper at its full
sitemap (all of its stories: over 1,000 articles), and ingests it with the real
pipeline into a fresh SQLite database: fetch, parse, page fetch, extraction in
worker processes, sanitize, dedupe, store. The baseline is a bare loop that
fetches the same article pages and runs trafilatura.extract(html) on each.
The pipeline runs as shipped: one poll stores at most BRIEFINGS_FEED_MAX_NEW
entries of a sitemap (50: 622 of the 1,041 stories; with the cap lifted one
poll took several times longer, not investigated). Rates are per article (one
page fetched and extracted each).

Two figures side by side, each against the same number of baseline processes:
- per process: the pipeline with 1 extraction worker against a 1-process loop;
- as deployed: the pipeline with N extraction workers (default: one per core,
  as shipped) against N loop processes, each fetching and extracting its share.
Every run is a fresh process with a fresh database; rounds are interleaved
(default 3) and each figure is the median. Prints articles per second, the
ratios, the peak memory (RSS of the whole process tree, sampled) and the load.

    python bench/ingest_e2e.py [--corpus PATH] [--workers N] [--rounds 3]
"""

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
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


def _bare_share(urls):
    import httpx
    import trafilatura

    with httpx.Client() as client:
        for url in urls:
            trafilatura.extract(client.get(url).content)
    return len(urls)


def bare_loop(urls, processes=1):
    """The baseline: fetch each page and trafilatura.extract it, in one process
    or in `processes` processes, each with its share of the pages."""
    if processes == 1:
        started = time.perf_counter()
        _bare_share(urls)
        return time.perf_counter() - started
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        shares = [urls[i::processes] for i in range(processes)]
        started = time.perf_counter()
        pool.map(_bare_share, shares, chunksize=1)
        return time.perf_counter() - started


def one_run(side, workers, corpus):
    """One run in this (fresh) process: {"articles", "seconds", "peak_mb"}."""
    data_dir = tempfile.mkdtemp(prefix="briefings-bench-ingest-")
    os.environ["BRIEFINGS_DATA_DIR"] = data_dir
    os.environ["BRIEFINGS_EXTRACT_WORKERS"] = str(workers)
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
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    with DemoServer(net, port=0) as server:
        register_demo_feeds(server, net.papers, source="sitemap")
        feeds = list(Feed.objects.enabled())
        urls = [
            server.article_url(p.slug, item) for p in net.papers for item in p.items
        ]
        with PeakRSS() as rss:
            if side == "briefings":
                started = time.perf_counter()
                refresh_feeds(feeds)
                seconds = time.perf_counter() - started
                articles = Article.objects.count()
            else:
                seconds, articles = bare_loop(urls, workers), len(urls)
    return {
        "articles": articles,
        "seconds": seconds,
        "peak_mb": rss.peak_kb / 1024,
        "pages": len(urls),
    }


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--run", choices=["briefings", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:  # a child: one run, its figures as JSON on the last line
        print(json.dumps(one_run(args.run, args.workers, args.corpus)))
        return 0

    configs = [("briefings", 1), ("bare", 1)]
    if args.workers != 1:
        configs += [("briefings", args.workers), ("bare", args.workers)]
    print(f"{os.cpu_count()} cores; load average before: {load()}", flush=True)
    results = {config: [] for config in configs}
    for round_ in range(args.rounds):
        order = configs if round_ % 2 == 0 else list(reversed(configs))
        for side, workers in order:
            command = [sys.executable, __file__, "--run", side]
            command += ["--workers", str(workers), "--corpus", args.corpus]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            found = json.loads(out.stdout.strip().splitlines()[-1])
            results[(side, workers)].append(found)
            print(
                f"  round {round_ + 1}: {side:9} {workers} process(es): "
                f"{found['articles']} articles in {found['seconds']:.1f} s, "
                f"{found['articles'] / found['seconds']:.1f}/s, "
                f"peak RSS {found['peak_mb']:.0f} MB; load {load()}",
                flush=True,
            )

    def rate(side, workers):
        runs = results[(side, workers)]
        return statistics.median(r["articles"] / r["seconds"] for r in runs)

    print(f"\nmedians of {args.rounds} interleaved rounds (articles/s):")
    print(f"  {'':26} {'briefings':>10} {'bare loop':>10} {'ratio':>6}  peak RSS")
    splits = [("per process (1 each)", 1)]
    if args.workers != 1:
        splits.append((f"as deployed ({args.workers} each)", args.workers))
    for label, workers in splits:
        ours, bare = rate("briefings", workers), rate("bare", workers)
        peak = max(r["peak_mb"] for r in results[("briefings", workers)])
        print(
            f"  {label:26} {ours:>10.1f} {bare:>10.1f} {ours / bare:>5.2f}x  "
            f"{peak:.0f} MB (target < 500 MB)"
        )
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
