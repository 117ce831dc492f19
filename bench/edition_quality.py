#!/usr/bin/env python3
"""Curation quality of the daily edition over the 30 demo days.

    python bench/edition_quality.py [--days 30] [--corpus PATH] [--verbose]

Stores the demo network's 30 replayed days (the shared Wikinews corpus, read in
place) in a fresh SQLite database as ingest would — each article through the
stories app's assignment (same-event stories, places) — then drafts the
edition of every day with the newsletter's curation (nothing written) and
prints, per edition and on average: regions covered (of 3), papers covered out
of the papers that published in its 24 hours, items with no Asian place,
duplicate events (two items that are the same corpus record or a labelled
same-event pair), whether the lead has an Asian place, and the "covered by N
papers" claims checked against the labelled pairs
(bench/data/story_pairs.jsonl) where both sides are labelled.

Targets (issue #13): every edition covers all 3 regions and at least a third
of the papers that published; zero duplicate events; zero non-Asian leads.
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "demo-corpus" / "wikinews_asia.jsonl"
PAIRS = ROOT / "bench" / "data" / "story_pairs.jsonl"


def setup(folder):
    os.environ["BRIEFINGS_DATA_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("sync_network", "--without-feeds", verbosity=0)


def labelled_pairs():
    """{frozenset(a, b): label} from the labelled pairs (both splits)."""
    labels = {}
    with PAIRS.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            labels[frozenset((row["a"], row["b"]))] = row["label"]
    return labels


def store_demo(corpus, days):
    """Store every replayed demo story as ingest would; return {article pk:
    corpus id} and the demo's `now`."""
    from django.conf import settings

    from briefings.articles.models import Article
    from briefings.articles.signals import article_stored
    from briefings.articles.upsert import Outcome
    from briefings.demo.network import DemoNetwork
    from briefings.network.models import Publication

    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=days)
    papers = {p.slug: p for p in Publication.objects.all()}
    record_of = {}
    items = [(paper, item) for paper in net.papers for item in paper.items]
    for paper, item in sorted(items, key=lambda pi: (pi[1].published, pi[1].id)):
        publication = papers[paper.slug]
        body = "\n\n".join(item.paragraphs)
        article = Article.objects.create(
            publication=publication,
            canonical_url=f"{publication.homepage.rstrip('/')}/demo/{item.short_id}",
            headline=item.title,
            dek=item.dek,
            body_text=body,
            body_html="".join(f"<p>{p}</p>" for p in item.paragraphs),
            excerpt=body[:300],
            published_at=item.published,
            updated_at=item.modified,
            word_count=len(body.split()),
        )
        article_stored.send(sender=Article, article=article, outcome=Outcome.NEW)
        record_of[article.pk] = item.id
    return record_of, net.now


WRONG = []  # (lead headline, other article id, label) of the wrong claims


def measure(day, record_of, labels):
    """Draft `day` (nothing written) and return its figures."""
    from briefings.newsletter.curate import ASIA, choose, window_articles
    from briefings.stories.related import also_covered_by

    chosen = choose(day)
    items = chosen.items
    regions = {c.region for c in items}
    published_regions = set(
        window_articles(day).values_list("publication__region", flat=True)
    )
    papers = {c.paper for c in items}
    records = [record_of[c.article.pk] for c in items]
    duplicates = len(records) - len(set(records))
    duplicates += sum(
        labels.get(frozenset((a, b))) == "same_event"
        for n, a in enumerate(records)
        for b in records[n + 1 :]
    )
    claims_true = claims_labelled = claims = 0
    for c in items:
        if c.papers < 2 or not c.story:
            continue
        claims += 1
        lead = record_of[c.article.pk]
        for other in also_covered_by(c.article, limit=100):
            theirs = record_of.get(other)
            label = (
                "same_event"
                if theirs == lead
                else labels.get(frozenset((lead, theirs)))
            )
            if label is not None:
                claims_labelled += 1
                claims_true += label == "same_event"
                if label != "same_event":
                    WRONG.append((c.article.headline, other, label))
    lead = chosen.lead
    return {
        "day": day,
        "items": len(items),
        "regions": len(regions),
        "published_regions": len(published_regions),
        "papers": len(papers),
        "published": chosen.papers,
        "third": math.ceil(chosen.papers / 3),
        "no_asian": sum(not c.asian for c in items),
        "duplicates": duplicates,
        "lead_asian": lead is not None and any(k in ASIA for k in lead.places),
        "claims": claims,
        "claims_labelled": claims_labelled,
        "claims_true": claims_true,
    }


def report(rows):
    print(
        f"{'edition':<11} {'items':>5} {'regions':>7} {'papers':>9} {'>=1/3':>5} "
        # regions: covered/that published; papers: covered/that published
        f"{'no-Asia':>7} {'dupes':>5} {'lead':>5} {'covered-by true/labelled':>24}"
    )
    for r in rows:
        print(
            f"{r['day']!s:<11} {r['items']:>5} {r['regions']:>5}/"
            f"{r['published_regions']} "
            f"{r['papers']:>4}/{r['published']:<4} "
            f"{'yes' if r['papers'] >= r['third'] else 'NO':>5} {r['no_asian']:>7} "
            f"{r['duplicates']:>5} {'Asia' if r['lead_asian'] else 'NO':>5} "
            f"{r['claims_true']:>13}/{r['claims_labelled']:<10}"
        )
    n = len(rows) or 1
    labelled = sum(r["claims_labelled"] for r in rows)
    true = sum(r["claims_true"] for r in rows)
    print()
    print(f"editions: {len(rows)}")
    print(f"average regions covered: {sum(r['regions'] for r in rows) / n:.2f} of 3")
    print(
        "editions covering all 3 regions: "
        f"{sum(r['regions'] == 3 for r in rows)}/{len(rows)}; covering every "
        "region that published: "
        f"{sum(r['regions'] == r['published_regions'] for r in rows)}/{len(rows)}"
    )
    share = [r["papers"] / r["published"] for r in rows if r["published"]]
    print(
        f"average papers covered: {sum(r['papers'] for r in rows) / n:.1f} of "
        f"{sum(r['published'] for r in rows) / n:.1f} that published "
        f"(share {sum(share) / max(len(share), 1):.2f}, worst {min(share):.2f})"
    )
    print(
        "editions with at least a third of the papers: "
        f"{sum(r['papers'] >= r['third'] for r in rows)}/{len(rows)}"
    )
    print(
        f"items with no Asian place: {sum(r['no_asian'] for r in rows)} "
        f"(of {sum(r['items'] for r in rows)})"
    )
    print(f"duplicate events: {sum(r['duplicates'] for r in rows)}")
    print(f"non-Asian leads: {sum(not r['lead_asian'] for r in rows)}")
    print(
        f'"covered by" claims: {sum(r["claims"] for r in rows)}; pairs checked '
        f"against labels: {labelled}, true: {true}"
        + (f" ({true / labelled:.2f})" if labelled else " (none labelled)")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--corpus", default=str(CORPUS))
    args = parser.parse_args()
    if not Path(args.corpus).exists():
        sys.exit(f"no demo corpus at {args.corpus}")
    with tempfile.TemporaryDirectory(prefix="edition-quality-") as folder:
        setup(folder)
        from briefings.newsletter.schedule import edition_day

        started = time.perf_counter()
        record_of, now = store_demo(args.corpus, args.days)
        stored = time.perf_counter() - started
        labels = labelled_pairs()
        last = edition_day(now)
        # The replay's first edition day can fall before its first story:
        # count back over two more days and keep the newest `--days` editions
        # that had stories.
        days = [last - timedelta(days=n) for n in range(args.days + 1, -1, -1)]
        started = time.perf_counter()
        rows = [measure(day, record_of, labels) for day in days]
        drafted = time.perf_counter() - started
        empty = [r["day"] for r in rows if not r["published"]]
        rows = [r for r in rows if r["published"]][-args.days :]
        print(
            f"{len(record_of)} demo articles stored in {stored:.0f} s; "
            f"{len(rows)} editions drafted in {drafted:.1f} s; "
            f"labelled pairs: {len(labels)}"
        )
        if empty:
            print(
                "no article in the 24 hours of "
                + ", ".join(map(str, empty))
                + " (before the replay starts): not counted"
            )
        print(
            "items per edition (items, editions):",
            Counter(r["items"] for r in rows).most_common(3),
        )
        report(rows)
        if WRONG:
            from briefings.articles.models import Article

            print("\nwrong claims (lead | other paper's article: label):")
            for headline, other, label in WRONG:
                theirs = Article.objects.get(pk=other).headline
                print(f"  {headline[:60]} | {theirs[:60]}: {label}")


if __name__ == "__main__":
    main()
