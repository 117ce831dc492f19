"""Shingle-based scorer for article-body extraction.

Definition (the whole contract of this module):

* tokens are the matches of the Unicode regex ``\\w+`` (case is kept);
* a text's shingles are its runs of 4 consecutive tokens, counted as a
  multiset; a text with 1-3 tokens has a single shingle made of all of them,
  an empty text has none;
* per page, ``matched`` is the size of the multiset intersection of the
  prediction's and the ground truth's shingles;
  ``precision = matched / len(prediction shingles)``, 0 when the prediction
  is missing or empty; ``recall = matched / len(truth shingles)``, 0 when the
  prediction is missing or empty (and 0 if the truth had no shingle);
* precision and recall are each averaged over all pages of the ground truth
  (a page without a prediction counts as 0/0);
* F1 is the harmonic mean of the two averages (not the mean of per-page F1s).

Usage::

    from bench.extraction_score import score_pages
    result = score_pages({"id": "predicted text", ...}, {"id": "true text", ...})
    result["precision"], result["recall"], result["f1"], result["pages"]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

SHINGLE_SIZE = 4
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> Counter:
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def score_page(prediction: str | None, truth: str | None) -> tuple[float, float]:
    """(precision, recall) of one page."""
    pred = shingles(prediction)
    if not pred:
        return 0.0, 0.0
    true = shingles(truth)
    matched = sum((pred & true).values())
    precision = matched / sum(pred.values())
    recall = matched / sum(true.values()) if true else 0.0
    return precision, recall


def score_pages(
    predictions: Mapping[str, str | None], truths: Mapping[str, str]
) -> dict:
    """Score predictions (page id -> text or None) against truths (page id -> text).

    Every page of ``truths`` counts; ids only in ``predictions`` are ignored.
    Returns {"precision", "recall", "f1", "pages", "per_page": {id: (p, r)}}.
    """
    per_page = {
        pid: score_page(predictions.get(pid), truth) for pid, truth in truths.items()
    }
    n = len(per_page)
    precision = sum(p for p, _ in per_page.values()) / n if n else 0.0
    recall = sum(r for _, r in per_page.values()) / n if n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pages": n,
        "per_page": per_page,
    }


def _self_test() -> None:
    assert score_page("", "a b c d") == (0.0, 0.0)
    assert score_page(None, "a b c d") == (0.0, 0.0)
    assert score_page("a b c d", "a b c d") == (1.0, 1.0)
    # "a b c d e" has shingles abcd, bcde; the truth only abcd
    assert score_page("a b c d e", "a b c d") == (0.5, 1.0)
    # multisets: a repeated shingle is matched at most as often as it occurs in both
    p, r = score_page("x y z w x y z w", "x y z w")
    assert (round(p, 3), r) == (0.2, 1.0), (p, r)
    res = score_pages({"1": "a b c d", "2": ""}, {"1": "a b c d", "2": "q r s t"})
    assert (res["precision"], res["recall"], res["f1"]) == (0.5, 0.5, 0.5)
    assert tokenize("Ünïcode—text, 2024!") == ["Ünïcode", "text", "2024"]


if __name__ == "__main__":
    _self_test()
    print("extraction_score self-test passed")
