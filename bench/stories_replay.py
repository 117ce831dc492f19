"""The whole demo corpus streamed through `briefings stories cluster`, as the demo
replays it, and measured against the labelled pairs.

    python bench/stories_replay.py [--days 30] [--dates demo|real|both]

The stream is the demo network's (briefings/demo/network.py: each corpus article
assigned to its paper, its time replayed over the last `--days` days, in that
order) with the demo's dates, then the same articles in the corpus' own order
with their real dates. Each goes through `briefings stories cluster` (the live
assignment and the hourly re-check on a scratch database). For the labelled pairs
of bench/data/story_pairs.jsonl whose two articles are in the corpus, it prints
cluster-level precision and recall (a pair counts as grouped when both land in
one story) against each annotator, B-cubed precision and recall (gold stories:
the connected components of the first annotator's same-event pairs), the size of
the largest story, how many stories hold reports from 3+ papers, and the five
largest stories with their headlines.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stories_eval import CORPUS, PAIRS, SECOND, gold_clusters  # noqa: E402

from briefings.demo.network import DemoNetwork  # noqa: E402

NETWORK = ROOT / "briefings" / "network" / "networks" / "asia-news-network.yaml"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)  # fixed: the replay is deterministic


def streams(days):
    """Return {"demo": rows, "real": rows}: the demo's stream with its replayed
    dates in replay order, and the same articles with the corpus' dates."""
    corpus = {}
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            corpus[row["id"]] = row
    network = DemoNetwork.load(CORPUS, NETWORK, days=days, now=NOW)
    items = [(item, paper.slug) for paper in network.papers for item in paper.items]
    demo = [
        {
            "id": item.id,
            "title": item.title,
            "date": item.published.isoformat(),
            "body": corpus[item.id]["body"],
            "publication": slug,
        }
        for item, slug in sorted(items, key=lambda x: (x[0].published, x[0].id))
    ]
    real = sorted(
        (dict(row, date=corpus[row["id"]]["date"][:10]) for row in demo),
        key=lambda row: (row["date"], row["id"]),
    )
    return {"demo": demo, "real": real}


def cluster(rows):
    """Return {id: story} from `briefings stories cluster` over `rows`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as stream:
        for row in rows:
            stream.write(json.dumps(row) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "briefings", "stories", "cluster", stream.name],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(stream.name).unlink()
    return {
        row["id"]: row["story"]
        for row in map(json.loads, done.stdout.splitlines())
        if "story" in row
    }


def pair_figures(pairs, story, key):
    """Cluster-level precision and recall of the labelled pairs under `key`."""
    grouped = [p for p in pairs if story[p["a"]] == story[p["b"]]]
    same = [p for p in pairs if p[key] == "same_event"]
    right = [p for p in grouped if p[key] == "same_event"]
    precision = len(right) / len(grouped) if grouped else 1.0
    recall = len(right) / len(same) if same else 0.0
    return precision, recall, len(right), len(grouped) - len(right)


def bcubed(gold, story):
    by_gold, by_story = defaultdict(set), defaultdict(set)
    for item in gold:
        by_gold[gold[item]].add(item)
        by_story[story[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        g, s = by_gold[gold[item]], by_story[story[item]]
        precision += len(g & s) / len(s)
        recall += len(g & s) / len(g)
    return precision / len(gold), recall / len(gold)


def report(name, rows, story, pairs):
    pairs = [p for p in pairs if p["a"] in story and p["b"] in story]
    print(
        f"\n== {name} dates: {len(rows)} articles, {len(set(story.values()))} stories"
    )
    for key, who in (("label", "annotator 1"), ("second", "annotator 2")):
        precision, recall, right, wrong = pair_figures(pairs, story, key)
        print(
            f"labelled pairs ({len(pairs)}) against {who}: cluster-level "
            f"P {precision:.3f} R {recall:.3f} ({right} right, {wrong} wrong)"
        )
        titles = {row["id"]: row["title"][:50] for row in rows}
        for p in pairs:
            if story[p["a"]] == story[p["b"]] and p[key] != "same_event":
                print(f"  grouped, {p[key]}: {titles[p['a']]!r} / {titles[p['b']]!r}")
    gold = gold_clusters([dict(p, same=p["label"] == "same_event") for p in pairs])
    precision, recall = bcubed(gold, story)
    print(
        f"B-cubed over the {len(gold)} labelled articles: "
        f"P {precision:.3f} R {recall:.3f}"
    )
    members = defaultdict(list)
    for row in rows:
        members[story[row["id"]]].append(row)
    papers = Counter(
        len({row["publication"] for row in group}) >= 3 for group in members.values()
    )
    largest = sorted(members.values(), key=lambda g: (-len(g), g[0]["date"]))
    print(
        f"largest story: {len(largest[0])} articles; "
        f"stories with 3+ papers: {papers[True]}"
    )
    for group in largest[:5]:
        print(
            f"  {len(group)} articles, {len({r['publication'] for r in group})} papers:"
        )
        for row in group[:8]:
            print(f"    {row['date'][:10]} {row['publication']}: {row['title'][:70]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--dates", choices=("demo", "real", "both"), default="both")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"the demo corpus is not at {CORPUS}")
    pairs = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    for pair, row in zip(
        pairs, map(json.loads, SECOND.open(encoding="utf-8")), strict=True
    ):
        pair["second"] = row["label"]
    for name, rows in streams(args.days).items():
        if args.dates in (name, "both"):
            report(name, rows, cluster(rows), pairs)


if __name__ == "__main__":
    main()
