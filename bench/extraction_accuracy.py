#!/usr/bin/env python3
"""Article-extraction accuracy and speed on the shared extraction benchmark.

Runs every registered extractor over all pages of
``../shared/extraction-benchmark`` (html/<id>.html + ground-truth.json), scores
the output with bench/extraction_score.py (4-token shingles, averaged
precision/recall, F1 of the averages) and prints precision, recall, F1,
pages/second, and F1 and time relative to plain ``trafilatura.extract(html)``
measured in the same run.

Every extractor gets the HTML string and the page URL and must not fetch
anything: sockets are blocked for the whole run and any attempt is reported.

    python bench/extraction_accuracy.py                       # everything
    python bench/extraction_accuracy.py --extractor trafilatura --extractor briefings
    python bench/extraction_accuracy.py --group baselines     # only the libraries
    python bench/extraction_accuracy.py --list

To add an extractor, add one line to EXTRACTORS: ``name: callable(html, url) -> text``
(or ``Lazy("module", "function")`` for an import that may not exist yet).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import importlib
import io
import json
import logging
import socket
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / ".." / "shared" / "extraction-benchmark"
BASELINE = "trafilatura"

sys.path.insert(0, str(REPO_ROOT))
try:
    from bench.extraction_score import score_pages
except ImportError:  # run from elsewhere: load by path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from extraction_score import score_pages  # type: ignore[no-redef]


# --------------------------------------------------------------------------
# No network: every socket connect / DNS lookup raises and is counted.
# --------------------------------------------------------------------------
NET_ATTEMPTS: dict[str, int] = {}
_CURRENT = {"name": "?"}


class NetworkBlocked(OSError):
    pass


def _blocked(*args, **kwargs):
    NET_ATTEMPTS[_CURRENT["name"]] = NET_ATTEMPTS.get(_CURRENT["name"], 0) + 1
    raise NetworkBlocked("network access is blocked in this benchmark")


def block_network() -> None:
    socket.socket.connect = _blocked  # type: ignore[method-assign]
    socket.socket.connect_ex = _blocked  # type: ignore[method-assign]
    socket.create_connection = _blocked  # type: ignore[assignment]
    socket.getaddrinfo = _blocked  # type: ignore[assignment]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "dl",
    "hr",
    "main",
    "aside",
    "head",
    "body",
    "html",
    "caption",
}


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment, with line breaks at block elements."""
    if not html or not html.strip():
        return ""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001
        return ""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("script", "style", "noscript"):
            el.text = ""
        if el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    text = root.text_content()
    return "\n".join(
        " ".join(line.split()) for line in text.splitlines() if line.strip()
    )


def jsonld_article_body(html: str) -> str:
    """Longest schema.org articleBody in the page's JSON-LD blocks ('' if none)."""
    if "articleBody" not in html:
        return ""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001
        return ""
    best = ""

    def walk(node):
        nonlocal best
        if isinstance(node, dict):
            body = node.get("articleBody")
            if isinstance(body, str) and len(body) > len(best):
                best = body
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            walk(json.loads(script.text_content(), strict=False))
        except (ValueError, TypeError):
            continue
    if "<" in best:
        best = html_to_text(best)
    return best.strip()


class Lazy:
    """An extractor imported on first use; the runner skips it if the import fails."""

    def __init__(self, module: str, attr: str, result_attr: str | None = None):
        self.module, self.attr, self.result_attr = module, attr, result_attr
        self._fn = None

    def load(self) -> None:
        self._fn = getattr(importlib.import_module(self.module), self.attr)

    def __call__(self, html: str, url: str) -> str | None:
        if self._fn is None:
            self.load()
        result = self._fn(html, url)
        return getattr(result, self.result_attr) if self.result_attr else result


def _briefings_one(page):
    from briefings.ingest.extract import ExtractionError, extract_page

    try:
        return extract_page(*page).body_text
    except ExtractionError:
        return ""


class WorkerPool:
    """Our extractor as deployed: one worker process per core (ingest/sandbox.py)."""

    def __init__(self):
        self._pool = None

    def __call__(self, html: str, url: str) -> str | None:
        return _briefings_one((html, url))

    def batch(self, pages):
        import multiprocessing
        import os

        if self._pool is None:
            context = multiprocessing.get_context("fork")
            self._pool = context.Pool(os.cpu_count() or 1)
        return self._pool.map(_briefings_one, pages, chunksize=4)


# --------------------------------------------------------------------------
# Extractors: callable(html: str, url: str) -> text
# --------------------------------------------------------------------------
def _traf(**kwargs) -> Callable[[str, str], str | None]:
    def run(html: str, url: str) -> str | None:
        import trafilatura

        return trafilatura.extract(html, **kwargs)

    return run


def _traf_url(**kwargs) -> Callable[[str, str], str | None]:
    def run(html: str, url: str) -> str | None:
        import trafilatura

        return trafilatura.extract(html, url=url, **kwargs)

    return run


def trafilatura_dedup_per_page(html: str, url: str) -> str | None:
    """deduplicate=True with a fresh cache per page.

    With ``deduplicate=True`` trafilatura shares one process-wide LRU cache, so
    the result depends on the pages (and benchmark repeats) seen before.
    """
    import trafilatura
    from trafilatura.deduplication import LRUCache

    return trafilatura.extract(html, deduplicate=LRUCache(maxsize=128))


def trafilatura_html_then_text(html: str, url: str) -> str:
    import trafilatura

    return html_to_text(trafilatura.extract(html, output_format="html"))


def _traf_jsonld(
    mode: str, ratio: float = 0.5, **kwargs
) -> Callable[[str, str], str | None]:
    """trafilatura, with a fallback when its output is much shorter than the page's
    JSON-LD articleBody (shorter than ``ratio`` times its length).

    mode "baseline": use trafilatura.baseline() (which itself prefers the JSON-LD body);
    mode "jsonld":   use the JSON-LD articleBody directly.
    """

    def run(html: str, url: str) -> str | None:
        import trafilatura

        out = trafilatura.extract(html, **kwargs) or ""
        body = jsonld_article_body(html)
        if body and len(out) < ratio * len(body):
            if mode == "baseline":
                _, text, _ = trafilatura.baseline(html)
                return text if len(text) > len(out) else out
            return body
        return out

    return run


def newspaper4k_extract(html: str, url: str) -> str:
    from newspaper import Article, Config

    cfg = Config()
    cfg.fetch_images = False
    art = Article(url, config=cfg)
    art.download(input_html=html)  # no fetch: the HTML is given
    art.parse()
    return art.text


def readability_extract(html: str, url: str) -> str:
    from readability import Document

    return html_to_text(Document(html, url=url).summary(html_partial=True))


_GOOSE = {}


def goose3_extract(html: str, url: str) -> str:
    if "g" not in _GOOSE:
        from goose3 import Goose

        _GOOSE["g"] = Goose({"enable_image_fetching": False, "strict": False})
    return _GOOSE["g"].extract(url=url, raw_html=html).cleaned_text


# name -> (group, callable). Groups: baselines (libraries as shipped), tuning
# (trafilatura options/strategies for our own extractor), ours.
EXTRACTORS: dict[str, tuple[str, Callable[[str, str], str | None]]] = {
    "trafilatura": ("baselines", _traf()),
    "trafilatura[favor_precision]": ("baselines", _traf(favor_precision=True)),
    "trafilatura[favor_recall]": ("baselines", _traf(favor_recall=True)),
    "trafilatura[html->text]": ("baselines", trafilatura_html_then_text),
    "newspaper4k": ("baselines", newspaper4k_extract),
    "readability-lxml": ("baselines", readability_extract),
    "goose3": ("baselines", goose3_extract),
    # --- trafilatura tuning
    "trafilatura[url]": ("tuning", _traf_url()),
    "trafilatura[fast]": ("tuning", _traf(fast=True)),
    "trafilatura[no tables]": ("tuning", _traf(include_tables=False)),
    "trafilatura[no comments]": ("tuning", _traf(include_comments=False)),
    "trafilatura[deduplicate]": ("tuning", trafilatura_dedup_per_page),
    "trafilatura[markdown: images,links,formatting]": (
        "tuning",
        _traf(include_images=True, include_links=True, include_formatting=True),
    ),
    "trafilatura[recall,no comments]": (
        "tuning",
        _traf(favor_recall=True, include_comments=False),
    ),
    "trafilatura[precision,no comments]": (
        "tuning",
        _traf(favor_precision=True, include_comments=False),
    ),
    "trafilatura[precision,no comments,url]": (
        "tuning",
        _traf_url(favor_precision=True, include_comments=False),
    ),
    "trafilatura[+baseline if < jsonld/2]": ("tuning", _traf_jsonld("baseline")),
    "trafilatura[+jsonld if < jsonld/2]": ("tuning", _traf_jsonld("jsonld")),
    "trafilatura[no comments,+jsonld if < jsonld/2]": (
        "tuning",
        _traf_jsonld("jsonld", include_comments=False),
    ),
    "trafilatura[recall,no comments,+jsonld if < jsonld/2]": (
        "tuning",
        _traf_jsonld("jsonld", favor_recall=True, include_comments=False),
    ),
    "jsonld articleBody only": ("tuning", lambda html, url: jsonld_article_body(html)),
    # --- ours (skipped with a message if briefings.ingest.extract cannot be imported)
    "briefings": (
        "ours",
        Lazy("briefings.ingest.extract", "extract_page", "body_text"),
    ),
    "briefings[workers]": ("ours", WorkerPool()),
}


# --------------------------------------------------------------------------
def load_dataset(data_dir: Path):
    """Pages and truths of one benchmark directory: ground-truth.json (id ->
    {articleBody, url, and optionally html: a path relative to the directory})
    and html/<id>.html (or .html.gz) by default."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for pid in sorted(truth):
        path = data_dir / (truth[pid].get("html") or f"html/{pid}.html")
        if not path.exists() and path.with_suffix(".html.gz").exists():
            path = path.with_suffix(".html.gz")
        if not path.exists():
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        pages[pid] = (raw.decode("utf-8", "replace"), truth[pid].get("url") or "")
    return pages, {pid: truth[pid]["articleBody"] for pid in pages}


def load_datasets(data_dirs):
    """Pages of every directory, the first occurrence of an id kept (a superset
    such as Zyte's 181 pages may repeat the shared 123)."""
    pages, truths = {}, {}
    for data_dir in data_dirs:
        more_pages, more_truths = load_dataset(data_dir)
        for pid in more_pages:
            if pid not in pages:
                pages[pid], truths[pid] = more_pages[pid], more_truths[pid]
    return pages, truths


# --------------------------------------------------------------------------
# Honest evaluation: folds by site, worst pages.
# --------------------------------------------------------------------------
def site_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or "?"


def site_folds(pages, k: int):
    """Split page ids into k folds; all pages of one site land in the same fold
    (a site seen in training would flatter its own held-out pages). Sites are
    dealt largest first to the smallest fold, ties broken by a hash of the site
    name, so the split is deterministic and balanced."""
    by_site: dict[str, list[str]] = {}
    for pid, (_html, url) in pages.items():
        by_site.setdefault(site_of(url), []).append(pid)
    order = sorted(
        by_site,
        key=lambda s: (-len(by_site[s]), hashlib.sha256(s.encode()).hexdigest()),
    )
    folds: list[list[str]] = [[] for _ in range(k)]
    for site in order:
        min(folds, key=len).extend(by_site[site])
    return [sorted(fold) for fold in folds if fold]


def page_f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def subset(mapping, ids):
    return {pid: mapping[pid] for pid in ids if pid in mapping}


def run_extractor(name, fn, pages, repeat):
    _CURRENT["name"] = name
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        for pid in list(pages)[:5]:  # warm-up (imports, caches), not timed
            try:
                fn(*pages[pid])
            except Exception:  # noqa: BLE001
                pass
    best, preds, errors = None, {}, 0
    for _ in range(repeat):
        preds, errors = {}, 0
        t0 = time.perf_counter()
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            if hasattr(fn, "batch"):  # runs the pages in worker processes itself
                texts = fn.batch(list(pages.values()))
                preds = dict(zip(pages, texts, strict=True))
                errors = sum(1 for text in texts if not text)
            else:
                for pid, (html, url) in pages.items():
                    try:
                        preds[pid] = fn(html, url) or ""
                    except Exception:  # noqa: BLE001 - counted as an empty prediction
                        preds[pid] = ""
                        errors += 1
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    return preds, best, errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data",
        type=Path,
        action="append",
        help="benchmark directory with html/ and ground-truth.json (repeatable; "
        "default ../shared/extraction-benchmark)",
    )
    ap.add_argument(
        "--folds", type=int, default=5, help="k of the k-fold figure (default 5)"
    )
    ap.add_argument(
        "--extractor",
        action="append",
        metavar="NAME",
        help="run only this extractor (repeatable); the baseline is always run",
    )
    ap.add_argument(
        "--group",
        choices=["baselines", "tuning", "ours"],
        action="append",
        help="run only these groups (repeatable)",
    )
    ap.add_argument(
        "--repeat", type=int, default=2, help="timing repeats, best kept (default 2)"
    )
    ap.add_argument("--list", action="store_true", help="list extractor names and exit")
    args = ap.parse_args(argv)
    # The libraries' warnings and logs would bury the tables (set here, not at
    # import: the tests import this module's helpers).
    warnings.filterwarnings("ignore")
    logging.disable(logging.CRITICAL)

    if args.list:
        for name, (group, _) in EXTRACTORS.items():
            print(f"{group:<10} {name}")
        return 0
    unknown = [n for n in args.extractor or [] if n not in EXTRACTORS]
    if unknown:
        print(
            f"unknown extractor(s): {', '.join(unknown)}; see --list", file=sys.stderr
        )
        return 2

    names = [
        n
        for n, (g, _) in EXTRACTORS.items()
        if (not args.extractor or n in args.extractor)
        and (not args.group or g in args.group)
    ]
    if BASELINE not in names:
        names.insert(0, BASELINE)

    data_dirs = args.data or [DEFAULT_DATA]
    pages, truths = load_datasets(data_dirs)
    sites = len({site_of(url) for _html, url in pages.values()})
    print(
        f"dataset: {', '.join(map(str, data_dirs))} — {len(pages)} pages, {sites} sites"
    )

    # import everything up front so a missing package is a skip, not a failure per page
    runnable = []
    for name in names:
        fn = EXTRACTORS[name][1]
        try:
            if isinstance(fn, Lazy):
                fn.load()
            runnable.append(name)
        except Exception as exc:  # noqa: BLE001
            print(f"  skip {name}: cannot import ({type(exc).__name__}: {exc})")
    for mod in ("trafilatura", "newspaper", "readability", "goose3"):
        with contextlib.suppress(Exception), contextlib.redirect_stderr(io.StringIO()):
            importlib.import_module(mod)
    block_network()

    # Rounds are interleaved (every extractor once per round, best round kept),
    # so a change in the machine's load hits them all alike.
    results, best = {}, {}
    for _round in range(args.repeat):
        for name in runnable:
            preds, elapsed, errors = run_extractor(name, EXTRACTORS[name][1], pages, 1)
            if name not in best or elapsed < best[name][1]:
                best[name] = (preds, elapsed, errors)
    for name in runnable:
        preds, elapsed, errors = best[name]
        scores = score_pages(preds, truths)
        results[name] = (scores, elapsed, errors)
        print(
            f"  {name:<55} F1 {scores['f1']:.3f}  {len(pages) / elapsed:6.1f} pages/s"
            + (f"  ({errors} errors)" if errors else ""),
            flush=True,
        )

    base = results.get(BASELINE)
    cols = [
        "extractor",
        "precision",
        "recall",
        "F1",
        "ΔF1 vs traf",
        "pages/s",
        "time x traf",
        "errors",
        "net",
    ]
    rows = []
    for name, (sc, elapsed, errors) in results.items():
        rows.append(
            [
                name,
                f"{sc['precision']:.3f}",
                f"{sc['recall']:.3f}",
                f"{sc['f1']:.3f}",
                f"{sc['f1'] - base[0]['f1']:+.3f}" if base else "-",
                f"{len(pages) / elapsed:.1f}",
                f"{elapsed / base[1]:.2f}" if base else "-",
                str(errors),
                str(NET_ATTEMPTS.get(name, 0)),
            ]
        )
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    print()
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    print(
        "\n'net' = blocked network attempts (must be 0); "
        f"ratios are against '{BASELINE}' "
        f"(plain trafilatura.extract(html)) in this run; timing best of {args.repeat}."
    )
    best_name = max(results, key=lambda n: results[n][0]["f1"])
    print(
        f"best F1: {best_name} {results[best_name][0]['f1']:.3f} "
        f"({results[best_name][1] / base[1]:.2f}x the time of plain trafilatura)"
        if base
        else ""
    )
    ours = [n for n in runnable if EXTRACTORS[n][0] == "ours" and n in best]
    if ours and base:
        folds = site_folds(pages, args.folds)
        preds = {BASELINE: best[BASELINE][0]}
        preds[ours[0]], chosen = held_out_predictions(folds, pages, truths)
        report_folds(preds, truths, pages, folds, ours[0], chosen)
        report_worst(preds, truths, pages, ours[0])
    return 0


def held_out_candidates(pages):
    """Our body candidates of every page, as a site never seen would get them:
    the rules table holds rules written from a site's own pages, and all of a
    site's pages share a fold, so a held-out page is read without its site's
    rule (a publication rule with no selector reads nothing)."""
    from briefings.ingest.extract import page_candidates
    from briefings.ingest.rules import rule_for

    _CURRENT["name"] = "briefings"
    candidates = {}
    for pid, (html, url) in pages.items():
        no_rule = {"body": ""} if rule_for(url) is not None else None
        try:
            candidates[pid] = page_candidates(html, url, no_rule)
        except Exception:  # noqa: BLE001 - a page we cannot read scores 0
            candidates[pid] = []
    return candidates


def held_out_predictions(folds, pages, truths):
    """Our held-out text of every page: for each fold, the guard (thresholds
    of ingest/candidates.py) that scores best on the other folds chooses the
    body of the fold's pages. Returns (predictions, the guard of each fold)."""
    from briefings.ingest.candidates import GUARD, GUARD_GRID, choose

    candidates = held_out_candidates(pages)
    by_guard = []
    for guard in GUARD_GRID:
        texts = {}
        for pid, page_candidates in candidates.items():
            chosen, _note = choose(page_candidates, guard)
            texts[pid] = chosen.text if chosen else ""
        by_guard.append(texts)
    preds, chosen_guards = {}, []
    for fold in folds:
        train = [pid for pid in pages if pid not in set(fold)]
        train_truths = subset(truths, train)
        scores = [score_pages(subset(t, train), train_truths)["f1"] for t in by_guard]
        # Ties (common: most settings choose alike on most pages) go to the
        # deployed guard, then to the grid's order.
        best = max(
            range(len(GUARD_GRID)),
            key=lambda i: (round(scores[i], 6), GUARD_GRID[i] == GUARD, -i),
        )
        chosen_guards.append(GUARD_GRID[best])
        preds.update(subset(by_guard[best], fold))
    return preds, chosen_guards


def report_folds(preds, truths, pages, folds, ours, guards):
    """F1 per fold (sites grouped) for plain trafilatura and ours."""
    print(
        f"\n{len(folds)}-fold by site (every page of a site in one fold; "
        "held-out pages without their site's rule; the guard's thresholds "
        "chosen on the other folds):"
    )
    print(f"  {'fold':<5} {'pages':>5} {'sites':>5}  {BASELINE:>11}  {ours:>11}  Δ")
    worse = 0
    for index, (fold, guard) in enumerate(zip(folds, guards, strict=True), 1):
        fold_truths = subset(truths, fold)
        f_base = score_pages(subset(preds[BASELINE], fold), fold_truths)["f1"]
        f_ours = score_pages(subset(preds[ours], fold), fold_truths)["f1"]
        worse += f_ours < f_base
        n_sites = len({site_of(pages[pid][1]) for pid in fold})
        print(
            f"  {index:<5} {len(fold):>5} {n_sites:>5}  {f_base:>11.3f}  "
            f"{f_ours:>11.3f}  {f_ours - f_base:+.3f}  {short(guard)}"
        )
    pooled = score_pages(preds[ours], truths)["f1"]
    print(f"  held-out {ours} over all pages: F1 {pooled:.3f}")
    print(f"  folds where {ours} is below {BASELINE}: {worse} of {len(folds)}")


def short(guard):
    return " ".join(f"{k}={v}" for k, v in vars(guard).items())


def report_worst(preds, truths, pages, ours, count=10):
    """The pages where ours does worst, beside plain trafilatura's F1."""
    f_base = score_pages(preds[BASELINE], truths)["per_page"]
    f_ours = score_pages(preds[ours], truths)["per_page"]
    per_page = {pid: (page_f1(*f_ours[pid]), page_f1(*f_base[pid])) for pid in truths}
    print(f"\nworst {count} pages by {ours}'s F1 (held-out):")
    print(f"  {ours:>11}  {BASELINE:>11}  page")
    for pid in sorted(per_page, key=lambda p: (per_page[p][0], p))[:count]:
        mine, theirs = per_page[pid]
        print(f"  {mine:>11.3f}  {theirs:>11.3f}  {pages[pid][1][:90] or pid}")
    halved = [pid for pid, (mine, theirs) in per_page.items() if mine < theirs / 2]
    print(f"  pages below half of {BASELINE}'s F1: {len(halved)}")
    for pid in halved:
        print(f"    {pages[pid][1][:100] or pid}")


if __name__ == "__main__":
    sys.exit(main())
