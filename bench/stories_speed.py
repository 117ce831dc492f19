"""Speed of the story grouping at scale: `stories rebuild` over N articles and the
online `assign_article` latency with N articles stored.

    python bench/stories_speed.py [--articles 100000] [--assign 300]

Builds a throwaway SQLite database in a temporary folder, fills it with N
articles made by repeating the demo corpus (read in place) with shifted dates
(each copy ~2.5 years later, 22 papers in turn), times the rebuild, then assigns
`--assign` more articles one by one and prints the median and p99 latency, twice:
live (the new articles are dated just after the stored ones and arrive in order,
as the ingest brings them: candidates come from the in-memory postings) and
backfill (dates spread over the whole span, as before: candidates come from the
database). The baseline, measured in the same run, is a scan: scoring the new
article against every stored signature in its time window, without an index.
With --busy-core, a second process keeps the machine's other core busy while
the assignments are timed (issue #16: the live budget holds under load); the
output says so.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "demo-corpus" / "wikinews_asia.jsonl"


def setup(folder):
    os.environ["BRIEFINGS_DATA_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("sync_network", verbosity=0)


def corpus():
    with CORPUS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


PER_DAY = None  # --per-day: articles published per day (dense), else the spread


def make_articles(rows, count, start, live_from=None):
    from briefings.articles.models import Article
    from briefings.network.models import Publication

    papers = list(Publication.objects.order_by("pk"))
    base = min(datetime.fromisoformat(r["date"][:10]) for r in rows)
    batch = []
    for n in range(start, start + count):
        row = rows[n % len(rows)]
        copy = n // len(rows)
        day = datetime.fromisoformat(row["date"][:10]) - base
        at = datetime(2000, 1, 1, 12, tzinfo=UTC) + day + timedelta(days=900 * copy)
        at += timedelta(minutes=n % 600)
        if PER_DAY:
            at = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(days=n / PER_DAY)
        if live_from is not None:  # arriving now, one every 7 minutes
            at = live_from + timedelta(minutes=7 * (n - start + 1))
        batch.append(
            Article(
                publication=papers[n % len(papers)],
                canonical_url=f"https://bench.example/{n}",
                headline=row["title"][:500],
                body_text=row["body"],
                published_at=at,
                updated_at=at,
            )
        )
    return Article.objects.bulk_create(batch, batch_size=2000)


def scan_baseline(article):
    from briefings.stories.assign import article_text, rule, stored_idf
    from briefings.stories.models import ArticleSignature
    from briefings.stories.similarity import score, signature, text_terms

    current = rule()
    headline, body = article_text(article)
    term_list = text_terms(headline, body)
    at = int(article.published_at.timestamp())
    sig = signature(headline, body, at, stored_idf(set(term_list)), term_list)
    from briefings.stories.assign import to_signature

    rows = ArticleSignature.objects.filter(
        at__gte=at - current.window, at__lte=at + current.window
    )
    return max((score(sig, to_signature(r)) for r in rows.iterator()), default=0)


def burn():
    """Keep one core busy until killed."""
    import hashlib

    data = b"x" * 4096
    while True:
        data = hashlib.sha256(data).digest() * 128


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--assign", type=int, default=300)
    parser.add_argument(
        "--from-db",
        type=Path,
        help="start from a copy of this database, already rebuilt (skips storing "
        "and the rebuild; --articles must say how many it holds)",
    )
    parser.add_argument(
        "--per-day",
        type=int,
        help="publish this many articles a day, one after another (a dense network; "
        "the corpus' texts repeat every 1,041 articles), instead of its own dates",
    )
    parser.add_argument("--save-db", type=Path, help="keep a copy of the database")
    parser.add_argument(
        "--busy-core",
        action="store_true",
        help="keep the other core busy (a second process) while assignments are timed",
    )
    args = parser.parse_args()
    global PER_DAY
    PER_DAY = args.per_day
    with tempfile.TemporaryDirectory() as folder:
        if args.from_db:
            shutil.copy(args.from_db, Path(folder) / "bench.sqlite3")
        setup(folder)
        from briefings.stories.assign import assign_article
        from briefings.stories.models import Story
        from briefings.stories.rebuild import rebuild

        rows = corpus()
        if not args.from_db:
            started = time.perf_counter()
            make_articles(rows, args.articles, 0)
            took = time.perf_counter() - started
            print(f"{args.articles} articles stored in {took:.1f} s")
            started = time.perf_counter()
            rebuild()
            took = time.perf_counter() - started
            print(f"rebuild: {took:.1f} s ({Story.objects.count()} stories)")
            import resource

            mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
            print(f"peak RSS so far: this process {mine} MB, a worker {workers} MB")
            if args.save_db:
                from django.db import connection

                connection.close()
                shutil.copy(Path(folder) / "bench.sqlite3", args.save_db)
        import resource

        from briefings.articles.models import Article
        from briefings.stories import recent

        newest = Article.objects.order_by("-published_at").first().published_at
        burner = None
        if args.busy_core:
            import multiprocessing

            burner = multiprocessing.get_context("spawn").Process(target=burn)
            burner.start()
            print(f"the other core is kept busy (pid {burner.pid}) while timing")
        print(f"load average at the start of timing: {os.getloadavg()}")
        for mode in ("live", "backfill"):
            start = args.articles + 7 + (args.assign if mode == "backfill" else 0)
            new = make_articles(
                rows, args.assign, start, newest if mode == "live" else None
            )
            latencies, scans = [], []
            for i, article in enumerate(new):
                started = time.perf_counter()
                assign_article(article)
                latencies.append((time.perf_counter() - started) * 1000)
                if i < 30:
                    started = time.perf_counter()
                    scan_baseline(article)
                    scans.append((time.perf_counter() - started) * 1000)
            median, p99 = statistics.median(latencies), percentile(latencies, 0.99)
            scan = statistics.median(scans)
            print(
                f"assign_article ({mode}): median {median:.1f} ms, p99 {p99:.1f} ms, "
                f"max {max(latencies):.1f} ms; scan baseline median {scan:.1f} ms "
                f"({scan / median:.1f}x)"
            )
        if burner is not None:
            burner.terminate()
            burner.join()
        print(f"load average at the end of timing: {os.getloadavg()}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(
            f"in-memory postings: {recent._recent.size} "
            f"(since {recent._recent.low}); "
            f"peak RSS of this process {rss} MB"
        )


if __name__ == "__main__":
    main()
