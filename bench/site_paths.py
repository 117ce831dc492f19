"""Time the site's slow pages in process, uncached, over many distinct inputs.

    python bench/site_paths.py [--data-dir /tmp/briefings-bench] [--per-kind 200]
                               [--seed 16] [--kinds article,search] [--profile KIND]

Builds each page with Django's test client, the page cache off
(CACHE_URL=dummy://), at the database bench/generate_articles.py fills
(DATABASE_URL picks PostgreSQL instead of the data dir's SQLite). The inputs are
drawn from the data with a fixed seed: distinct articles, rivers and their next
pages, story pages (the largest among them), sitemap pages and search queries
made of words of headlines. Prints, per page kind, p50/p95/p99 of the wall
time in ms, p50/p95 of the process's CPU time, the queries each page ran (mean
and most), and the load average.

This is the profiler's bench: it shows where a page's time goes and whether a
change helps, with no server and no network in the way. It cannot compare code
before and after in one run, so it prints figures, not ratios; compare runs
made one after the other on the same machine. The targets (issue #16) are
checked through the real server by bench/site_pages.py.

"home" is the front page with the process's memo warm (the lead and sections
are remembered per page-cache generation); "home-cold" forgets the memo before
each request, as the first request after a new article pays it.
"""

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = "/tmp/briefings-bench"
KINDS = (
    "article",
    "home",
    "home-cold",
    "river",
    "search",
    "story",
    "story-largest",
    "sitemap-index",
    "sitemap-page",
)
SKIP_WORDS = {
    "about", "after", "again", "against", "analysis", "before", "being", "could",
    "explainer", "follow", "from", "have", "into", "live", "opinion", "over",
    "pictures", "says", "said", "than", "that", "their", "there", "these", "this",
    "update", "were", "what", "when", "where", "which", "while", "will", "with",
}  # fmt: skip
WARM_UP = 5


def setup(data_dir):
    os.environ["BRIEFINGS_DATA_DIR"] = str(data_dir)
    os.environ["CACHE_URL"] = "dummy://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def draw_paths(per_kind, seed):
    """Return {kind: [path, ...]}: distinct inputs drawn from the data, seeded."""
    from django.test import Client

    from briefings.articles.models import Article
    from briefings.network.models import Publication, Region
    from briefings.stories.models import Story

    rng = random.Random(seed)
    ids = list(Article.objects.published().values_list("id", flat=True))
    picked = rng.sample(ids, min(per_kind, len(ids)))
    headlines = dict(
        Article.objects.filter(pk__in=picked).values_list("id", "headline")
    )
    articles = [
        Article(pk=pk, headline=headlines[pk]).get_absolute_url() for pk in picked
    ]

    rivers = ["/"]
    rivers += [
        f"/region/{slug}/" for slug in Region.objects.values_list("slug", flat=True)
    ]
    papers = Publication.objects.enabled()
    rivers += [
        f"/publication/{slug}/" for slug in papers.values_list("slug", flat=True)
    ]
    codes = sorted(set(papers.values_list("country__code", flat=True)))
    rivers += [f"/country/{code.lower()}/" for code in codes]
    rivers += _next_pages(Client(), rivers, per_kind - len(rivers), rng)

    story_ids = list(
        Story.objects.filter(article_count__gte=2).values_list("id", flat=True)
    )
    largest = Story.objects.order_by("-article_count", "id").first()
    stories = rng.sample(story_ids, min(per_kind - 1, len(story_ids)))
    stories = [f"/story/{pk}/" for pk in dict.fromkeys([largest.pk, *stories])]

    sitemap_pages = [f"/sitemap-articles.xml?p={n}" for n in range(1, 51)]
    sitemap_pages += [f"/sitemap-stories.xml?p={n}" for n in (1, 2)]
    sitemap_pages += ["/sitemap-pages.xml", "/news-sitemap.xml"]
    return {
        "article": articles,
        "home": ["/"] * per_kind,
        "home-cold": ["/"] * per_kind,
        "river": rivers[:per_kind],
        "search": _queries(ids, per_kind, rng),
        "story": stories,
        "story-largest": [f"/story/{largest.pk}/"] * min(per_kind, 50),
        "sitemap-index": ["/sitemap.xml"] * min(per_kind, 50),
        "sitemap-page": sitemap_pages,
    }


def _next_pages(client, firsts, wanted, rng):
    """Return up to `wanted` distinct "Older stories" pages (2 to 5) of `firsts`."""
    found = []
    for first in firsts:
        path = first
        for _ in range(4):
            html = client.get(path, HTTP_HOST="127.0.0.1").content.decode()
            match = re.search(r'rel="next" href="\?before=([^"]+)"', html)
            if not match:
                break
            path = f"{first}?before={match.group(1)}"
            found.append(path)
    rng.shuffle(found)
    return found[: max(wanted, 0)]


def _queries(ids, count, rng):
    """Return `count` distinct search paths of one to three words of headlines."""
    from urllib.parse import urlencode

    from briefings.articles.models import Article

    pool = rng.sample(ids, min(len(ids), count * 5))
    headlines = Article.objects.filter(pk__in=pool).values_list("headline", flat=True)
    words = sorted(
        {
            w.lower()
            for h in headlines
            for w in re.findall(r"[A-Za-z]{4,}", h)
            if w.lower() not in SKIP_WORDS
        }
    )
    queries = set()
    while len(queries) < count and words:
        queries.add(" ".join(rng.sample(words, rng.choice((1, 1, 2, 2, 3)))))
    return [f"/search/?{urlencode({'q': q})}" for q in sorted(queries)]


def measure(client, kind, paths):
    """Return (sorted wall times in ms, sorted CPU times of this process in
    ms, query counts) for GETs of `paths`. On SQLite the queries run in this
    process, so the CPU time holds them; on a busy host it moves less than
    the wall time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from briefings.web.context import forget_network_facts

    for path in paths[:WARM_UP]:
        client.get(path, HTTP_HOST="127.0.0.1")
    times, cpu, queries = [], [], []
    for path in paths:
        if kind == "home-cold":
            forget_network_facts()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, HTTP_HOST="127.0.0.1")
            took = time.perf_counter() - started
            cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        times.append(took * 1000)
        queries.append(len(captured))
    return sorted(times), sorted(cpu), queries


def percentile(values, p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DIR)
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--profile", help="profile this kind with cProfile instead")
    args = parser.parse_args()
    setup(Path(args.data_dir).resolve())
    from django.db import connection
    from django.test import Client

    paths = draw_paths(args.per_kind, args.seed)
    client = Client()
    print(
        f"{connection.vendor}, load average {os.getloadavg()[0]:.2f}, "
        f"{args.per_kind} inputs per kind, seed {args.seed}"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(measure, client, args.profile, paths[args.profile])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    print(
        f"{'page':<15}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}"
        f"{'cpu p50':>9}{'cpu p95':>9}{'queries':>9}{'most':>6}   (ms)"
    )
    for kind in args.kinds.split(","):
        times, cpu, queries = measure(client, kind, paths[kind])
        print(
            f"{kind:<15}{len(times):>5}{percentile(times, 50):>9.1f}"
            f"{percentile(times, 95):>9.1f}{percentile(times, 99):>9.1f}"
            f"{percentile(cpu, 50):>9.1f}{percentile(cpu, 95):>9.1f}"
            f"{sum(queries) / len(queries):>9.1f}{max(queries):>6}"
        )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
