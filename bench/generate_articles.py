"""Fill a separate database with N articles (default 100,000) made from the
demo corpus: each of its 1,041 Wikinews stories comes back many times with a
varied headline, date and paper, so the site can be measured at scale.

    python bench/generate_articles.py [--data-dir /tmp/briefings-bench] [--count 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/briefings_site_bench \
        python bench/generate_articles.py --data-dir /tmp/site-bench-pg

The database is DATABASE_URL when set (PostgreSQL: create the database first),
else DATA_DIR/briefings.sqlite3 (BRIEFINGS_DATA_DIR is set for you; it also
holds the secret key). An existing database is reused when it already holds
COUNT articles and their stories; one holding the articles but no stories (a
run stopped during the rebuild) gets its stories rebuilt.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "demo-corpus" / "wikinews_asia.jsonl"
BATCH = 2000
ANGLES = [
    "",
    "Update: ",
    "Analysis: ",
    "Explainer: ",
    "Live: ",
    "Opinion: ",
    "In pictures: ",
    "Follow-up: ",
]
DEFAULT_DIR = "/tmp/briefings-bench"


def read_corpus(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def setup(data_dir):
    os.environ["BRIEFINGS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def records(corpus, publications, count, seed=4):
    """Yield `count` article field dicts cycling through the corpus."""
    from briefings.articles.text import cut_at_word, word_count

    rng = random.Random(seed)
    now = datetime.now(UTC)
    for n in range(count):
        story = corpus[n % len(corpus)]
        round_ = n // len(corpus)
        publication = publications[rng.randrange(len(publications))]
        angle = ANGLES[round_ % len(ANGLES)]
        headline = f"{angle}{story['title']}" + (f" ({round_})" if round_ else "")
        paragraphs = [p.strip() for p in story["body"].split("\n") if p.strip()]
        body_text = "\n\n".join(paragraphs)
        published = now - timedelta(minutes=5 * n + rng.randrange(5), days=0)
        yield {
            "publication": publication,
            "canonical_url": f"{publication.homepage.rstrip('/')}/bench/{n}",
            "guid": f"bench-{n}",
            "headline": headline[:500],
            "dek": cut_at_word(paragraphs[0] if paragraphs else "", 160),
            "body_html": "".join(f"<p>{_escape(p)}</p>" for p in paragraphs),
            "body_text": body_text,
            "excerpt": cut_at_word(body_text, 280),
            "language": "en",
            "published_at": published,
            "updated_at": published,
            "word_count": word_count(body_text),
        }


def _escape(text):
    from django.utils.html import escape

    return escape(text)


def generate(data_dir, count):
    setup(data_dir)
    from django.core.management import call_command
    from django.db import connection, transaction

    from briefings.articles import search
    from briefings.articles.models import Article
    from briefings.network.models import Publication
    from briefings.stories.models import Story

    call_command("migrate", verbosity=0)
    call_command("sync_network", verbosity=0)
    where = f"{connection.vendor} {connection.settings_dict['NAME']}"
    if Article.objects.count() == count:
        if Story.objects.exists():
            print(f"{count} articles and their stories already in {where}")
            return
        print(f"{count} articles already in {where}, but no stories")
        rebuild_stories()
        return
    Article.objects.all().delete()
    publications = list(Publication.objects.enabled())
    corpus = read_corpus(CORPUS)
    started = time.perf_counter()
    search.uninstall(connection)  # index once at the end, not row by row
    batch = []
    with transaction.atomic():
        for fields in records(corpus, publications, count):
            batch.append(Article(**fields))
            if len(batch) == BATCH:
                Article.objects.bulk_create(batch)
                batch = []
        Article.objects.bulk_create(batch)
    search.install(connection)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    took = time.perf_counter() - started
    print(f"{count} articles from {len(corpus)} stories in {took:.0f} s -> {where}")
    rebuild_stories()


def rebuild_stories():
    # Stories, places and people, as a live site has them (the article page shows
    # "Also covered by", related stories, places and "More from <country>").
    from briefings.stories.rebuild import rebuild

    started = time.perf_counter()
    rebuild()
    took = time.perf_counter() - started
    print(f"stories and places rebuilt in {took:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DIR)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    generate(Path(args.data_dir).resolve(), args.count)


if __name__ == "__main__":
    main()
