"""Draw the second batch of story pairs to label (issue #12), seeded.

    python bench/draw_story_pairs.py [--seed 12] [--per-kind 70] --out DIR

Draws pairs of demo-corpus articles that are not yet in
bench/data/story_pairs.jsonl, in four kinds of hard case, `--per-kind` of each
(fewer when a kind has fewer):

- `thread_next`: 3 to 14 days apart, TF-IDF cosine at least 0.10 (the first
  batch's net stopped at 7 days): one thread, often its next occurrence;
- `near_net`: at most 7 days apart, sharing a country, cosine 0.04 to 0.10: the
  follow-ups told in other words that the first net missed;
- `same_day_country`: at most one day apart, sharing a country, cosine under
  0.04: mostly different events in one country on one day;
- `system_linked`: pairs the shipped same-thread tier links (at most 14 days
  apart) that no other kind drew: where the product would say something.

The cosine is the first batch's (docs/stories-evaluation.md): words of three or
more letters, the title counted twice, IDF over the corpus. `split` follows the
first batch's rule: development when article `a` (the earlier) is dated before
2006-07-01.

Writes DIR/pairs.jsonl (the drawn pairs with kind and split: kept away from
the readers) and DIR/blind.jsonl (shuffled, numbered, titles, dates and the
first 900 characters of each body: all a reader sees).
"""

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from stories_eval import CORPUS, PAIRS, signatures  # noqa: E402

from briefings.stories import tiers  # noqa: E402

WORD = re.compile(r"[^\W\d_]{3,}")
DEV_BEFORE = "2006-07-01"
EXCERPT = 900


def vectors(docs):
    counts = {
        k: Counter(WORD.findall(f"{d['title']} {d['title']} {d['body']}".lower()))
        for k, d in docs.items()
    }
    df = Counter(term for c in counts.values() for term in c)
    n = len(docs)
    out = {}
    for key, c in counts.items():
        vec = {t: tf * math.log(n / df[t]) for t, tf in c.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out[key] = {t: v / norm for t, v in vec.items()}
    return out


def cosine(a, b):
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def day(doc):
    return date.fromisoformat(doc["date"][:10])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--per-kind", type=int, default=70)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    docs = {}
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            docs[row["id"]] = row
    labelled = set()
    with PAIRS.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            labelled.add(frozenset((row["a"], row["b"])))
    vecs = vectors(docs)
    sigs = signatures(docs)
    ordered = sorted(docs, key=lambda k: (docs[k]["date"], k))
    pools = {
        kind: []
        for kind in ("thread_next", "near_net", "same_day_country", "system_linked")
    }
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            days = (day(docs[b]) - day(docs[a])).days
            if days > 14:
                break
            if frozenset((a, b)) in labelled:
                continue
            cos = cosine(vecs[a], vecs[b])
            shared = set(docs[a]["asia_countries"]) & set(docs[b]["asia_countries"])
            pair = (a, b)
            if 3 <= days and cos >= 0.10:
                pools["thread_next"].append(pair)
            elif days <= 7 and shared and 0.04 <= cos < 0.10:
                pools["near_net"].append(pair)
            elif days <= 1 and shared and cos < 0.04:
                pools["same_day_country"].append(pair)
            elif tiers.judge(sigs[a], sigs[b], 5).same_thread:
                pools["system_linked"].append(pair)
    rng = random.Random(args.seed)
    drawn = []
    for kind, pool in pools.items():
        print(f"{kind}: {len(pool)} candidates", file=sys.stderr)
        for a, b in rng.sample(pool, min(args.per_kind, len(pool))):
            split = "dev" if docs[a]["date"][:10] < DEV_BEFORE else "test"
            drawn.append({"a": a, "b": b, "kind": kind, "split": split})
    args.out.mkdir(parents=True, exist_ok=True)
    blind = list(drawn)
    rng.shuffle(blind)
    for number, row in enumerate(blind, 1):
        row["pair"] = number
    with (args.out / "pairs.jsonl").open("w", encoding="utf-8") as out:
        for row in drawn:
            out.write(json.dumps(row) + "\n")
    with (args.out / "blind.jsonl").open("w", encoding="utf-8") as out:
        for row in blind:
            sides = []
            for key in (row["a"], row["b"]):
                d = docs[key]
                sides.append(
                    {
                        "title": d["title"],
                        "date": d["date"][:10],
                        "text": d["body"][:EXCERPT],
                    }
                )
            if rng.random() < 0.5:
                sides.reverse()
            out.write(
                json.dumps({"pair": row["pair"], "first": sides[0], "second": sides[1]})
                + "\n"
            )
    print(
        f"{len(drawn)} pairs: {Counter(r['kind'] for r in drawn)}; "
        f"splits {Counter(r['split'] for r in drawn)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
