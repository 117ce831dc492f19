#!/usr/bin/env python3
"""Extraction speed, per process and as deployed, against plain trafilatura
(issue #16).

Both sides read the same pages (``../shared/extraction-benchmark``, and with
``--demo N`` the first N stories of every demo paper, rendered in its layout):

- per process: one process each, ours (``briefings.ingest.extract.extract_page``)
  against plain ``trafilatura.extract(html)``;
- as deployed: N worker processes each side, the same N (default: one per
  core), each page scheduled on a pebble process pool with a deadline, as
  ``ingest/sandbox.py`` runs ours in the ingest.

Rounds are interleaved (every side once per round, the order alternating) and
each figure is the median of the rounds. Besides pages/s (wall clock) the
per-process figure gives the CPU time ratio, which the other work on a shared
machine disturbs less. The load average is printed before and after.

    python bench/extraction_speed.py [--rounds 5] [--workers N] [--demo 3]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.extraction_accuracy import DEFAULT_DATA, load_dataset  # noqa: E402


def plain(page):
    """The baseline: trafilatura as shipped, text out."""
    import trafilatura

    return trafilatura.extract(page[0]) or ""


def ours(page):
    """Ours, as the ingest calls it: every field of the page, body chosen."""
    from briefings.ingest.extract import ExtractionError, extract_page

    try:
        return extract_page(*page).body_text
    except ExtractionError:
        return ""


SIDES = {"plain trafilatura": plain, "briefings": ours}


def demo_pages(per_paper):
    """The first `per_paper` stories of every demo paper, in its layout."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
    import django

    django.setup()
    from django.conf import settings

    from briefings.demo import layouts
    from briefings.demo.layouts import PageContext
    from briefings.demo.network import DemoNetwork

    corpus = REPO.parent / "shared" / "demo-corpus" / "wikinews_asia.jsonl"
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    pages = []
    for paper in net.papers:
        ctx = PageContext(net, paper, "http://demo.test:8000")
        for item in paper.items[:per_paper]:
            pages.append((layouts.render_article(ctx, item), ctx.article_url(item)))
    return pages


def one_process(fn, pages):
    """(wall seconds, CPU seconds) of `fn` over `pages` in this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        fn(page)
    return time.perf_counter() - wall, time.process_time() - cpu


def deployed(pool, fn, pages, timeout=20.0):
    """Wall seconds of `fn` over `pages` on the worker pool, one task a page
    with its deadline (as sandbox.extract_isolated schedules them)."""
    started = time.perf_counter()
    futures = [pool.schedule(fn, args=(page,), timeout=timeout) for page in pages]
    for future in futures:
        try:
            future.result()
        except Exception:  # noqa: BLE001 - a page past its deadline counts as read
            pass
    return time.perf_counter() - started


def load():
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=5, help="at least 3")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--demo", type=int, default=0, help="also N stories of every demo paper"
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)
    pages = list(load_dataset(args.data)[0].values())
    if args.demo:
        pages += demo_pages(args.demo)
    print(
        f"{len(pages)} pages; {args.rounds} interleaved rounds; "
        f"{args.workers} worker processes each side as deployed; "
        f"{os.cpu_count()} cores; {load()}",
        flush=True,
    )
    from pebble import ProcessPool

    for fn in SIDES.values():  # imports and caches, not timed
        one_process(fn, pages[:10])
    context = multiprocessing.get_context("fork")
    pools = {
        name: ProcessPool(max_workers=args.workers, context=context) for name in SIDES
    }
    try:
        for name, fn in SIDES.items():
            deployed(pools[name], fn, pages[: args.workers * 4])
        walls = {name: [] for name in SIDES}
        cpus = {name: [] for name in SIDES}
        pools_s = {name: [] for name in SIDES}
        for round_ in range(args.rounds):
            order = list(SIDES) if round_ % 2 == 0 else list(reversed(SIDES))
            for name in order:
                wall, cpu = one_process(SIDES[name], pages)
                walls[name].append(wall)
                cpus[name].append(cpu)
            for name in order:
                pools_s[name].append(deployed(pools[name], SIDES[name], pages))
            print(
                f"  round {round_ + 1}: one process "
                + ", ".join(f"{n} {len(pages) / walls[n][-1]:.1f}" for n in SIDES)
                + f" pages/s; {args.workers} processes "
                + ", ".join(f"{n} {len(pages) / pools_s[n][-1]:.1f}" for n in SIDES)
                + f" pages/s; {load()}",
                flush=True,
            )
    finally:
        for pool in pools.values():
            pool.stop()
            pool.join(timeout=5)

    def rate(seconds):
        return len(pages) / statistics.median(seconds)

    base, mine = "plain trafilatura", "briefings"
    each = f"{args.workers} processes each, pages/s"
    rows = [
        ("one process, pages/s (wall)", rate(walls[base]), rate(walls[mine])),
        ("one process, pages/CPU-s", rate(cpus[base]), rate(cpus[mine])),
        (each, rate(pools_s[base]), rate(pools_s[mine])),
    ]
    title = f"medians of {args.rounds} rounds"
    print(f"\n{title:38} {base:>18} {mine:>10} {'ratio':>6}")
    for label, theirs, ours_ in rows:
        print(f"{label:38} {theirs:>18.1f} {ours_:>10.1f} {ours_ / theirs:>5.2f}x")
    per_round = [b / m for b, m in zip(walls[base], walls[mine], strict=True)]
    print(
        "one process, ratio per round (wall): "
        + " ".join(f"{r:.2f}" for r in per_round)
    )
    ratio = rows[0][2] / rows[0][1]
    print(
        f"one process at least plain trafilatura's speed: "
        f"{'MET' if ratio >= 1 else 'NOT MET'} ({ratio:.2f}x wall, "
        f"{rows[1][2] / rows[1][1]:.2f}x CPU); {load()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
