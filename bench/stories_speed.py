"""Speed of the story grouping at scale: `stories rebuild` over N articles and the
online `assign_article` latency with N articles stored.

    python bench/stories_speed.py [--articles 100000] [--assign 300]

Builds a throwaway SQLite database in a temporary folder, fills it with N
articles made by repeating the demo corpus (read in place) with shifted dates
(each copy ~2.5 years later, 22 papers in turn), times the rebuild, then assigns
`--assign` more articles one by one and prints the median and p99 latency. The
baseline, measured in the same run, is a scan: scoring the new article against
every stored signature in its time window, without the inverted index.
"""

import argparse
import json
import os
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


def make_articles(rows, count, start):
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


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--assign", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(folder)
        from briefings.stories.assign import assign_article
        from briefings.stories.models import Story
        from briefings.stories.rebuild import rebuild

        rows = corpus()
        started = time.perf_counter()
        make_articles(rows, args.articles, 0)
        print(
            f"{args.articles} articles stored in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        rebuild()
        took = time.perf_counter() - started
        print(f"rebuild: {took:.1f} s ({Story.objects.count()} stories)")
        new = make_articles(rows, args.assign, args.articles + 7)
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
        print(f"assign_article: median {median:.1f} ms, p99 {p99:.1f} ms")
        print(
            f"scan baseline (window, no index): median {scan:.1f} ms "
            f"({scan / median:.1f}x the indexed assignment)"
        )


if __name__ == "__main__":
    main()
