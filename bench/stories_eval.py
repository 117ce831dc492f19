"""Same-event accuracy of the story grouping on the labelled Wikinews pairs.

    python bench/stories_eval.py [--pairs bench/data/story_pairs.jsonl]

Reads the pairs (see docs/stories-evaluation.md), resolves their text from the
shared demo corpus (read in place) and bench/data/story_synthetic.jsonl, and
prints, for the development and the held-out split: pairwise precision, recall
and F1 of "same event" for Briefings' score (the same-event probability
of briefings/stories/tiers.py, fitted by bench/stories_tiers.py) and for the
title-word Jaccard
baseline (each with its threshold chosen on the development split), and the
B-cubed F1 of the stories both form when their articles are grouped one at a
time in publication order (the live rule: a newcomer must match most of a
story's latest members).
"""

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefings.stories.cluster import DEFAULT_THRESHOLD, Clusterer, Rule  # noqa: E402
from briefings.stories.similarity import (  # noqa: E402
    DEFAULT_WEIGHTS,
    Idf,
    Signature,
    signature,
    text_terms,
)
from briefings.stories.tiers import same_event_probability  # noqa: E402

CORPUS = ROOT.parent / "shared" / "demo-corpus" / "wikinews_asia.jsonl"
PAIRS = ROOT / "bench" / "data" / "story_pairs.jsonl"
SYNTHETIC = ROOT / "bench" / "data" / "story_synthetic.jsonl"
SECOND = ROOT / "bench" / "data" / "story_labels_second.jsonl"
LABELS = ("same_event", "related", "different")
TITLE_WORD = re.compile(r"\w+")


def score(a, b, weights=DEFAULT_WEIGHTS):
    """Briefings' same-event score: the shipped tier's probability."""
    return same_event_probability(a, b, weights.window_days)


def load_documents():
    docs = {}
    for path in (CORPUS, SYNTHETIC):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                docs[row["id"]] = row
    return docs


def epoch(date):
    day = datetime.strptime(date[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    return int(day.timestamp()) + 12 * 3600


def signatures(docs):
    """Signatures of every document, with IDF from the whole collection (what the
    live system would know after ingesting it)."""
    term_lists = {k: text_terms(d["title"], d["body"]) for k, d in docs.items()}
    idf = Idf()
    for term_list in term_lists.values():
        idf.add(set(term_list))
    return {
        k: signature(d["title"], d["body"], epoch(d["date"]), idf, term_lists[k])
        for k, d in docs.items()
    }


def title_signatures(docs):
    """The baseline: a document is the set of its lowercased title words."""
    return {
        k: Signature(
            at=epoch(d["date"]),
            terms={w: 1.0 for w in TITLE_WORD.findall(d["title"].lower())},
        )
        for k, d in docs.items()
    }


def jaccard(a, b, weights=None):
    if weights is not None and abs(a.at - b.at) > weights.window_days * 86_400:
        return 0.0
    sa, sb = set(a.terms), set(b.terms)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def prf(pairs, scores, threshold):
    tp = sum(
        1 for p, s in zip(pairs, scores, strict=True) if s >= threshold and p["same"]
    )
    fp = sum(
        1
        for p, s in zip(pairs, scores, strict=True)
        if s >= threshold and not p["same"]
    )
    fn = sum(
        1 for p, s in zip(pairs, scores, strict=True) if s < threshold and p["same"]
    )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_threshold(pairs, scores):
    candidates = sorted(set(scores)) or [0.5]
    return max(candidates, key=lambda t: (prf(pairs, scores, t)[2], -t))


def gold_clusters(pairs):
    """Connected components of the same-event pairs over the split's articles."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        find(p["a"]), find(p["b"])
        if p["same"]:
            parent[find(p["a"])] = find(p["b"])
    return {x: find(x) for x in parent}


def bcubed(gold, predicted):
    items = list(gold)
    by_gold, by_pred = {}, {}
    for x in items:
        by_gold.setdefault(gold[x], set()).add(x)
        by_pred.setdefault(predicted[x], set()).add(x)
    precision = recall = 0.0
    for x in items:
        g, p = by_gold[gold[x]], by_pred[predicted[x]]
        precision += len(g & p) / len(p)
        recall += len(g & p) / len(g)
    precision, recall = precision / len(items), recall / len(items)
    return 2 * precision * recall / (precision + recall)


def cluster(keys, sigs, rule, scorer=None):
    """Group `keys` one at a time in publication order; return {key: story}."""
    order = sorted(keys, key=lambda k: (sigs[k].at, k))
    if scorer is None:
        clusterer = Clusterer(rule)
        for key in order:
            clusterer.add(key, sigs[key])
        return clusterer.story_of
    # The baseline: same greedy rule, scoring every earlier article in the window.
    story_of, spans = {}, {}
    from briefings.stories.cluster import choose_story

    for i, key in enumerate(order):
        scored = [
            (scorer(sigs[key], sigs[o], rule.weights), story_of[o]) for o in order[:i]
        ]
        story, _ = choose_story(sigs[key].at, scored, spans, rule)
        story = story or key
        first, last = spans.get(story, (sigs[key].at, sigs[key].at))
        spans[story] = (min(first, sigs[key].at), max(last, sigs[key].at))
        story_of[key] = story
    return story_of


def evaluate(split_pairs, sigs, threshold, scorer, weights):
    scores = [scorer(sigs[p["a"]], sigs[p["b"]], weights) for p in split_pairs]
    gold = gold_clusters(split_pairs)
    rule = Rule(weights=weights, threshold=threshold)
    predicted = cluster(
        list(gold), sigs, rule, scorer=None if scorer is score else scorer
    )
    return (*prf(split_pairs, scores, threshold), bcubed(gold, predicted))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="also score the sentence-embedding variant (needs the extra)",
    )
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"the demo corpus is not at {CORPUS}")
    docs = load_documents()
    pairs = [json.loads(line) for line in args.pairs.open(encoding="utf-8")]
    for p in pairs:
        p["same"] = p["label"] == "same_event"
    dev = [p for p in pairs if p["split"] == "dev"]
    test = [p for p in pairs if p["split"] == "test"]
    sigs, titles = signatures(docs), title_signatures(docs)
    weights = DEFAULT_WEIGHTS
    ours_t = best_threshold(
        dev, [score(sigs[p["a"]], sigs[p["b"]], weights) for p in dev]
    )
    base_t = best_threshold(dev, [jaccard(titles[p["a"]], titles[p["b"]]) for p in dev])
    print(f"{len(pairs)} pairs: {len(dev)} development, {len(test)} held-out")
    print(f"thresholds chosen on development: ours {ours_t:.3f}, baseline {base_t:.3f}")
    print(f"{'split':<6} {'method':<22} {'P':>6} {'R':>6} {'F1':>6} {'B3-F1':>6}")
    for name, split in (("dev", dev), ("test", test)):
        ours = evaluate(split, sigs, ours_t, score, weights)
        base = evaluate(split, titles, base_t, jaccard, weights)
        print(f"{name:<6} {'briefings':<22} " + " ".join(f"{v:6.3f}" for v in ours))
        live = evaluate(split, sigs, DEFAULT_THRESHOLD, score, weights)
        label = f"briefings at {DEFAULT_THRESHOLD}"
        print(f"{name:<6} {label:<22} " + " ".join(f"{v:6.3f}" for v in live))
        print(
            f"{name:<6} {'title-word Jaccard':<22} "
            + " ".join(f"{v:6.3f}" for v in base)
        )
        print(
            f"{name:<6} {'difference (F1)':<22} {ours[2] - base[2]:+27.3f} "
            f"{ours[3] - base[3]:+6.3f}"
        )
    if SECOND.exists():
        agreement(pairs, sigs, weights)
    if args.embeddings:
        embedding_variant(dev, test, docs)


def kappa(first, second):
    """Cohen's kappa of two label lists."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    expected = sum(
        (first.count(label) / n) * (second.count(label) / n) for label in set(first)
    )
    return (observed - expected) / (1 - expected)


def agreement(pairs, sigs, weights):
    """How far a second, blind annotator agrees with the first (the ceiling a
    system can be measured against), and how the deployed score fares against
    the second annotator's labels."""
    second = [json.loads(line) for line in SECOND.open(encoding="utf-8")]
    assert [row["line"] for row in second] == list(range(1, len(pairs) + 1))
    for p, row in zip(pairs, second, strict=True):
        p["second"] = row["label"]
    first_labels = [p["label"] for p in pairs]
    second_labels = [p["second"] for p in pairs]
    three = kappa(first_labels, second_labels)
    two = kappa(
        [x == "same_event" for x in first_labels],
        [x == "same_event" for x in second_labels],
    )
    print(
        f"second annotator: Cohen's kappa {three:.3f} over the three labels, "
        f"{two:.3f} for same event or not"
    )
    print(f"{'split':<6} {'same event, measured':<34} {'P':>6} {'R':>6} {'F1':>6}")
    for name in ("dev", "test", "all"):
        split = [p for p in pairs if name == "all" or p["split"] == name]
        as_second = [p["second"] == "same_event" for p in split]
        rows = (
            ("annotator 2 against annotator 1", split, as_second, 0.5),
            (
                f"briefings at {DEFAULT_THRESHOLD} against annotator 2",
                [dict(p, same=p["second"] == "same_event") for p in split],
                [score(sigs[p["a"]], sigs[p["b"]], weights) for p in split],
                DEFAULT_THRESHOLD,
            ),
        )
        for label, gold, scores, threshold in rows:
            values = prf(gold, [float(x) for x in scores], threshold)
            print(f"{name:<6} {label:<38} " + " ".join(f"{v:6.3f}" for v in values))


def embedding_variant(dev, test, docs):
    """Pairwise P/R/F1 of the optional embedding score (briefings/stories/embed.py),
    its threshold chosen on the development split."""
    from briefings.stories import embed

    if not embed.available():
        sys.exit("the embeddings extra is not installed: pip install .[embeddings]")
    keys = sorted({k for p in dev + test for k in (p["a"], p["b"])})
    encoded = embed.encode([(docs[k]["title"], docs[k]["body"]) for k in keys])
    vectors = dict(zip(keys, encoded, strict=True))

    def scores(split):
        return [
            embed.pair_score(
                vectors[p["a"]],
                vectors[p["b"]],
                abs(epoch(docs[p["a"]]["date"]) - epoch(docs[p["b"]]["date"])) / 86_400,
            )
            for p in split
        ]

    threshold = best_threshold(dev, scores(dev))
    print(f"embedding variant, threshold chosen on development: {threshold:.3f}")
    for name, split in (("dev", dev), ("test", test)):
        values = prf(split, scores(split), threshold)
        print(
            f"{name:<6} {'embeddings (LR)':<22} "
            + " ".join(f"{v:6.3f}" for v in values)
        )


if __name__ == "__main__":
    main()
