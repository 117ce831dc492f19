#!/usr/bin/env python3
# ruff: noqa: E501 - long lines are report text
"""Feed-parser benchmark: correctness first, then speed.

Parses every file of a corpus of real RSS/Atom feeds with each installed
candidate parser, always from the file's *bytes* (never a path or URL, so no
parser can touch the filesystem or the network), and reports:

* correctness: feeds parsed, entries found (vs. a regex count of
  <item>/<entry> elements), entries with a title, with an absolute http(s)
  link, with a timezone-aware date, content exposed separately from the
  summary, and decoding problems (U+FFFD, C1 controls, mojibake, undecoded
  entities in titles); date disagreements against feedparser; sample titles
  of the feeds that are not plain UTF-8;
* speed: total time to parse the corpus, best of N interleaved rounds, and
  the ratio to feedparser measured in the same run.

Run from the repository root:

    python bench/feed_parsers.py [--corpus ../shared/feeds-corpus/feeds] [--rounds 3]

Parsers that are not installed are skipped with a message.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import io
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT / ".." / "shared" / "feeds-corpus" / "feeds"
BASELINE = "feedparser"


# --------------------------------------------------------------------------
# Normalised view of a parse result
# --------------------------------------------------------------------------
@dataclass
class Entry:
    title: str | None = None
    link: str | None = None
    date: datetime | None = None  # timezone-aware, or None
    date_naive: bool = False  # parser returned a date without a timezone
    date_raw: str | None = None
    summary: str | None = None
    content: str | None = None


@dataclass
class Feed:
    ok: bool = False
    error: str | None = None
    encoding: str | None = None
    entries: list[Entry] = field(default_factory=list)


def _struct_to_dt(t: Any) -> datetime | None:
    if not t:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(tuple(t)), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _join_content(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, str):
        return value
    parts = []
    for c in value:
        v = c.get("value") if isinstance(c, dict) else getattr(c, "value", None)
        if v:
            parts.append(v)
    return "\n".join(parts) or None


# ---------------------------------------------------------------- feedparser
def setup_feedparser():
    import feedparser

    def parse(data: bytes):
        # A file-like object: feedparser would otherwise try open(data) first.
        return feedparser.parse(io.BytesIO(data))

    def normalise(res) -> Feed:
        f = Feed(ok=True, encoding=res.get("encoding"))
        if res.get("bozo") and not res.get("entries") and not res.get("version"):
            f.ok = False
            f.error = repr(res.get("bozo_exception"))[:120]
        for e in res.get("entries", []):
            parsed = e.get("published_parsed") or e.get("updated_parsed")
            raw = e.get("published") or e.get("updated")
            f.entries.append(
                Entry(
                    title=e.get("title"),
                    link=e.get("link"),
                    date=_struct_to_dt(parsed),
                    date_raw=raw,
                    summary=e.get("summary"),
                    content=_join_content(e.get("content")),
                )
            )
        return f

    return feedparser.__version__, parse, normalise


def setup_feedparser_nosanitize():
    """feedparser without HTML sanitising and relative-URI rewriting inside content."""
    import feedparser

    _, _, normalise = setup_feedparser()

    def parse(data: bytes):
        return feedparser.parse(
            io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False
        )

    return feedparser.__version__, parse, normalise


# ------------------------------------------------------------ fastfeedparser
def _ffp_normalise(res) -> Feed:
    f = Feed(ok=True)
    for e in res.get("entries", []):
        raw = e.get("published") or e.get("updated")
        dt, naive = None, False
        if raw:
            try:
                dt = datetime.fromisoformat(raw)
                if dt.tzinfo is None:
                    dt, naive = None, True
            except ValueError:
                dt = None
        f.entries.append(
            Entry(
                title=e.get("title"),
                link=e.get("link"),
                date=dt,
                date_naive=naive,
                date_raw=raw,
                summary=e.get("description"),
                content=_join_content(e.get("content")),
            )
        )
    return f


def setup_fastfeedparser():
    from importlib.metadata import version

    import fastfeedparser

    return version("fastfeedparser"), fastfeedparser.parse, _ffp_normalise


def setup_fastfeedparser_pure():
    """fastfeedparser with its native _core disabled (the pure-Python/lxml path)."""
    from importlib.metadata import version

    import fastfeedparser
    import fastfeedparser.main as ffm

    if getattr(ffm, "_core", None) is None:
        raise ImportError(
            "fastfeedparser has no native core here; the plain entry is already pure Python"
        )

    def parse(data: bytes):
        saved, ffm._core = ffm._core, None
        try:
            return fastfeedparser.parse(data)
        finally:
            ffm._core = saved

    return version("fastfeedparser"), parse, _ffp_normalise


# ------------------------------------------------------------- feedparser-rs
def setup_feedparser_rs():
    import feedparser_rs

    def g(obj, name):
        try:
            return getattr(obj, name)
        except AttributeError:
            return None

    def normalise(res) -> Feed:
        f = Feed(ok=True, encoding=g(res, "encoding"))
        for e in res.entries:
            parsed = g(e, "published_parsed") or g(e, "updated_parsed")
            raw = g(e, "published") or g(e, "updated")
            f.entries.append(
                Entry(
                    title=g(e, "title"),
                    link=g(e, "link"),
                    date=_struct_to_dt(parsed),
                    date_raw=raw,
                    summary=g(e, "summary"),
                    content=_join_content(g(e, "content")),
                )
            )
        if not f.entries and not g(res, "version"):
            f.ok = False
            f.error = repr(g(res, "bozo_exception"))[:120]
        return f

    return feedparser_rs.__version__, feedparser_rs.parse, normalise


# --------------------------------------------------------------------- atoma
def setup_atoma():
    import atoma

    def parse(data: bytes):
        errors = []
        for fn in (atoma.parse_rss_bytes, atoma.parse_atom_bytes):
            try:
                return fn(data)
            except Exception as exc:  # noqa: BLE001 - try the other format
                errors.append(exc)
        raise errors[-1]

    def aware(dt):
        if dt is None:
            return None, False
        if dt.tzinfo is None or dt.utcoffset() is None:
            return None, True
        return dt, False

    def normalise(res) -> Feed:
        f = Feed(ok=True)
        if hasattr(res, "items"):  # RSS
            for e in res.items:
                dt, naive = aware(e.pub_date)
                link = e.link or (
                    e.guid if e.guid and e.guid.startswith("http") else None
                )
                f.entries.append(
                    Entry(
                        title=e.title,
                        link=link,
                        date=dt,
                        date_naive=naive,
                        summary=e.description,
                        content=e.content_encoded,
                    )
                )
        else:  # Atom
            for e in res.entries:
                dt, naive = aware(e.published or e.updated)
                link = next(
                    (lk.href for lk in e.links if lk.rel in (None, "alternate")), None
                )
                f.entries.append(
                    Entry(
                        title=e.title.value if e.title else None,
                        link=link,
                        date=dt,
                        date_naive=naive,
                        summary=e.summary.value if e.summary else None,
                        content=e.content.value if e.content else None,
                    )
                )
        return f

    return atoma.__version__, parse, normalise


# ---------------------------------------------------------------- rss-parser
def setup_rss_parser():
    from importlib.metadata import version

    import rss_parser

    def c(node):
        """rss-parser wraps most values as {'content': ..., 'attributes': ...}."""
        if isinstance(node, dict) and "content" in node and "attributes" in node:
            return node["content"]
        return node

    def normalise(res) -> Feed:
        d = res.model_dump()
        f = Feed(ok=True)
        kind = type(res).__name__
        if kind == "RSS":
            items = c(d["channel"]).get("items") or []
            for it in items:
                it = c(it)
                links = it.get("links") or []
                link = c(links[0]) if links else None
                f.entries.append(
                    Entry(
                        title=c(it.get("title")),
                        link=link,
                        date_raw=c(it.get("pub_date")),
                        summary=c(it.get("description")),
                        content=c(it.get("content:encoded")),
                    )
                )
        elif kind == "Atom":
            for it in c(d["feed"]).get("entries") or []:
                it = c(it)
                link = None
                for lk in it.get("links") or []:
                    attrs = lk.get("attributes") or {}
                    if attrs.get("rel") in (None, "alternate") and attrs.get("href"):
                        link = attrs["href"]
                        break
                f.entries.append(
                    Entry(
                        title=c(it.get("title")),
                        link=link,
                        date_raw=c(it.get("published")) or c(it.get("updated")),
                        summary=c(it.get("summary")),
                        content=c(it.get("content")),
                    )
                )
        else:  # RDF
            items = d.get("items") or []
            if isinstance(items, dict):
                items = [items]
            for it in items:
                it = c(it)
                f.entries.append(
                    Entry(
                        title=c(it.get("title")),
                        link=c(it.get("link")),
                        date_raw=it.get("dc:date"),
                        summary=c(it.get("description")),
                        content=it.get("content:encoded"),
                    )
                )
        for e in f.entries:  # the library exposes dates only as raw strings
            for attr in ("title", "link", "summary", "content"):
                v = getattr(e, attr)
                if v is not None and not isinstance(v, str):
                    setattr(e, attr, str(v))
        return f

    return version("rss-parser"), rss_parser.parse, normalise


CANDIDATES: dict[str, tuple[Callable, str]] = {
    "feedparser": (setup_feedparser, "pure Python (sgmllib/expat)"),
    "feedparser[nosanitize]": (
        setup_feedparser_nosanitize,
        "same, sanitize_html=False, resolve_relative_uris=False",
    ),
    "fastfeedparser": (setup_fastfeedparser, "lxml + optional native core"),
    "fastfeedparser[pure]": (setup_fastfeedparser_pure, "same, native core disabled"),
    "feedparser-rs": (setup_feedparser_rs, "Rust extension, NOT pure Python"),
    "atoma": (setup_atoma, "pure Python (defusedxml), last release 2019"),
    "rss-parser": (setup_rss_parser, "pure Python (xmltodict+pydantic)"),
}


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------
RE_ITEM = re.compile(rb"<(?:[A-Za-z0-9_]+:)?(?:item|entry)[\s>/]")
RE_BAD_CHARS = re.compile("[\ufffd\x80-\x9f]")
RE_MOJIBAKE = re.compile("Ã[\x80-\xbf]|â€|Â[\xa0-\xbf]")
RE_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos|nbsp);")
RE_DECL_ENC = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


def is_abs_http(link: str | None) -> bool:
    if not link:
        return False
    parts = urlsplit(link.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def norm_title(t: str | None) -> str:
    return " ".join((t or "").split()).lower()


def text_of(html: str | None) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html or "").split())


ATOM_NS = ("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#", "")


def source_entries(data: bytes) -> list[tuple[bool, bool]] | None:
    """(has summary element, has full-content element that differs from it) per <item>/<entry>.

    Read with lxml in recover mode: an independent reference for whether a feed
    carries full content (content:encoded / atom:content) besides its summary
    (description / summary).
    """
    from lxml import etree

    try:
        root = etree.fromstring(
            data,
            parser=etree.XMLParser(
                recover=True, huge_tree=True, resolve_entities=False, no_network=True
            ),
        )
    except Exception:  # noqa: BLE001
        return None
    if root is None:
        return None
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname not in (
            "item",
            "entry",
        ):
            continue
        has_sum = has_con = False
        texts = {}
        for child in el:
            if not isinstance(child.tag, str):
                continue
            q = etree.QName(child)
            nonempty = bool("".join(child.itertext()).strip()) or len(child) > 0
            if q.localname in ("description", "summary") and nonempty:
                has_sum = True
                texts["s"] = letters("".join(child.itertext()))
            elif nonempty and (
                q.localname == "encoded"
                or (q.localname == "content" and (q.namespace or "") in ATOM_NS)
            ):
                has_con = True
                texts["c"] = letters("".join(child.itertext())) or letters(
                    etree.tostring(child, encoding="unicode")
                )
        # "both" only when the feed's summary is not just a copy of its content
        out.append((has_sum and texts.get("s") != texts.get("c"), has_con))
    return out


def letters(html_text: str | None) -> str:
    import html as _html

    return re.sub(r"\W+", "", _html.unescape(text_of(html_text))).lower()


def feed_encoding_notes(data: bytes) -> str | None:
    """Describe why a feed is interesting for decoding, or None if plain UTF-8."""
    notes = []
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append("UTF-8 BOM")
    m = RE_DECL_ENC.search(data[:500])
    declared = m.group(1).decode().lower() if m else None
    if declared and declared.replace("_", "-") not in ("utf-8", "utf8"):
        notes.append(f"declares {declared}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        notes.append("bytes are not valid UTF-8")
    return ", ".join(notes) or None


@dataclass
class Stats:
    feeds_ok: int = 0
    feeds_with_entries: int = 0
    feeds_count_match: int = 0
    entries: int = 0
    titled: int = 0
    abs_link: int = 0
    rel_link: int = 0
    no_link: int = 0
    xmlbase_entries: int = 0
    xmlbase_abs: int = 0
    dated: int = 0
    naive_dates: int = 0
    summary: int = 0
    content: int = 0
    src_content: int = 0  # entries whose source has full content (aligned feeds only)
    content_kept: int = 0
    src_both: int = 0  # entries whose source has both summary and full content
    both_separate: int = 0
    bad_title_chars: int = 0
    mojibake_titles: int = 0
    entity_titles: int = 0
    bad_body_chars: int = 0
    errors: list[str] = field(default_factory=list)


def evaluate(
    name, results: dict[str, Feed], corpus: dict[str, bytes], ref_counts, xmlbase, src
) -> Stats:
    s = Stats()
    for fid, feed in results.items():
        if not feed.ok:
            s.errors.append(f"{fid}: {feed.error}")
            continue
        raw_text = corpus[fid].decode("utf-8", "replace")
        src_e = src.get(fid)
        if src_e is not None and len(src_e) == len(feed.entries):
            for (src_sum, src_con), e in zip(src_e, feed.entries, strict=True):
                if src_con:
                    s.src_content += 1
                    s.content_kept += bool(e.content and e.content.strip())
                    if src_sum:
                        s.src_both += 1
                        ls, lc = letters(e.summary), letters(e.content)
                        s.both_separate += bool(ls and lc and ls != lc)
        s.feeds_ok += 1
        if feed.entries:
            s.feeds_with_entries += 1
        if len(feed.entries) == ref_counts[fid]:
            s.feeds_count_match += 1
        for e in feed.entries:
            s.entries += 1
            if e.title and e.title.strip():
                s.titled += 1
                # Only count what the source does not literally contain itself.
                if RE_BAD_CHARS.search(e.title):
                    s.bad_title_chars += 1
                if RE_MOJIBAKE.search(e.title) and e.title.strip() not in raw_text:
                    s.mojibake_titles += 1
                if RE_ENTITY.search(e.title) and not re.search(
                    r"&amp;(?:#\d+|#x[0-9a-fA-F]+|[a-z]+);", raw_text
                ):
                    s.entity_titles += 1
            if is_abs_http(e.link):
                s.abs_link += 1
            elif e.link and e.link.strip():
                s.rel_link += 1
            else:
                s.no_link += 1
            if fid in xmlbase:
                s.xmlbase_entries += 1
                s.xmlbase_abs += is_abs_http(e.link)
            if e.date is not None:
                s.dated += 1
            if e.date_naive:
                s.naive_dates += 1
            s.summary += bool(e.summary and e.summary.strip())
            s.content += bool(e.content and e.content.strip())
            body = (e.summary or "") + (e.content or "")
            if RE_BAD_CHARS.search(body):
                s.bad_body_chars += 1
    return s


def align(a: list[Entry], b: list[Entry]):
    """Pairs of entries (same position and same title) from two parses of a feed."""
    for ea, eb in zip(a, b, strict=False):  # lengths may differ
        if norm_title(ea.title) == norm_title(eb.title):
            yield ea, eb


# --------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="directory of feed files (default: ../shared/feeds-corpus/feeds from the repo root)",
    )
    ap.add_argument(
        "--rounds", type=int, default=3, help="timing rounds, best is kept (default 3)"
    )
    ap.add_argument("--only", nargs="*", help="restrict to these parser names")
    args = ap.parse_args(argv)

    corpus_dir = args.corpus
    if not corpus_dir.is_dir():
        print(f"corpus directory not found: {corpus_dir}", file=sys.stderr)
        return 2
    corpus = {
        p.name: p.read_bytes()
        for p in sorted(corpus_dir.iterdir())
        if p.is_file()
        and not p.name.startswith(".")
        and p.name.upper() not in ("LICENSE", "README", "README.MD")
    }
    total_mb = sum(map(len, corpus.values())) / 1e6
    print(
        f"corpus: {corpus_dir} — {len(corpus)} files, {total_mb:.1f} MB (parsed from bytes in memory)"
    )

    ref_counts = {fid: len(RE_ITEM.findall(data)) for fid, data in corpus.items()}
    xmlbase = {fid for fid, data in corpus.items() if b"xml:base" in data}
    enc_feeds = {
        fid: n for fid, data in corpus.items() if (n := feed_encoding_notes(data))
    }

    parsers = {}
    for name, (setup, kind) in CANDIDATES.items():
        if args.only and name not in args.only:
            continue
        try:
            ver, parse, normalise = setup()
        except ImportError as exc:
            print(f"  skip {name}: {exc}")
            continue
        parsers[name] = (ver, kind, parse, normalise)
    if not parsers:
        print("no parser installed", file=sys.stderr)
        return 2
    print("parsers: " + ", ".join(f"{n} {v[0]}" for n, v in parsers.items()))

    # ---------------------------------------------------------- correctness
    results: dict[str, dict[str, Feed]] = {}
    for name, (_, _, parse, normalise) in parsers.items():
        out = {}
        for fid, data in corpus.items():
            try:
                with contextlib.redirect_stderr(io.StringIO()):
                    out[fid] = normalise(parse(data))
            except Exception as exc:  # noqa: BLE001 - a failure is a result here
                out[fid] = Feed(
                    ok=False, error=f"{type(exc).__name__}: {str(exc)[:100]}"
                )
        results[name] = out
    src = {fid: source_entries(data) for fid, data in corpus.items()}
    stats = {
        n: evaluate(n, results[n], corpus, ref_counts, xmlbase, src) for n in parsers
    }

    # ---------------------------------------------------------------- speed
    timings: dict[str, list[float]] = {n: [] for n in parsers}
    names = list(parsers)
    for rnd in range(args.rounds):
        order = (
            names[rnd % len(names) :] + names[: rnd % len(names)]
        )  # rotate to spread noise
        for name in order:
            parse = parsers[name][2]
            t0 = time.perf_counter()
            with contextlib.redirect_stderr(io.StringIO()):
                for data in corpus.values():
                    try:
                        parse(data)
                    except Exception:  # noqa: BLE001
                        pass
            timings[name].append(time.perf_counter() - t0)
    best = {n: min(t) for n, t in timings.items()}
    base_t = best.get(BASELINE)

    # ---------------------------------------------------------------- report
    n_feeds = len(corpus)
    ref_total = sum(ref_counts.values())
    print(
        f"\nreference: {ref_total} <item>/<entry> elements by regex; {len(xmlbase)} feeds use xml:base; "
        f"{len(enc_feeds)} feeds not plain UTF-8"
    )
    print(
        "columns: 'count=ref' feeds whose entry count equals the regex count; 'xml:base abs' absolute links "
        "in feeds using xml:base; 'tz date' entries with a timezone-aware published/updated date; "
        "'content kept' entries whose source has content:encoded/atom:content and the parser exposes it; "
        "'both separate' of entries whose source has summary AND content, those exposed as two different "
        "fields; decoding columns count titles/bodies with U+FFFD or C1 controls, mojibake or undecoded "
        "entities that the source itself does not contain; 'x feedparser' time ratio, same run"
    )

    def pct(a, b):
        return f"{100 * a / b:5.1f}%" if b else "   - "

    cols = [
        "parser",
        "version",
        "feeds ok",
        "w/ entries",
        "count=ref",
        "entries",
        "title",
        "abs link",
        "rel link",
        "no link",
        "xml:base abs",
        "tz date",
        "naive",
        "summary",
        "content",
        "content kept",
        "both separate",
        "C1/FFFD title",
        "mojibake",
        "&ent; title",
        "C1/FFFD body",
        "best s",
        f"x {BASELINE}",
    ]
    rows = []
    for n, s in stats.items():
        ratio = f"{best[n] / base_t:.2f}" if base_t else "-"
        rows.append(
            [
                n,
                parsers[n][0],
                f"{s.feeds_ok}/{n_feeds}",
                str(s.feeds_with_entries),
                str(s.feeds_count_match),
                str(s.entries),
                pct(s.titled, s.entries),
                pct(s.abs_link, s.entries),
                str(s.rel_link),
                str(s.no_link),
                f"{s.xmlbase_abs}/{s.xmlbase_entries}",
                pct(s.dated, s.entries),
                str(s.naive_dates),
                pct(s.summary, s.entries),
                pct(s.content, s.entries),
                f"{s.content_kept}/{s.src_content}",
                f"{s.both_separate}/{s.src_both}",
                str(s.bad_title_chars),
                str(s.mojibake_titles),
                str(s.entity_titles),
                str(s.bad_body_chars),
                f"{best[n]:.3f}",
                ratio,
            ]
        )
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    # Two narrower tables read better than one very wide one.
    split = 11
    for lo, hi in ((0, split), (split, len(cols))):
        idx = [0] + list(range(max(lo, 1), hi))
        print()
        print("  ".join(cols[i].ljust(widths[i]) for i in idx))
        print("  ".join("-" * widths[i] for i in idx))
        for r in rows:
            print("  ".join(r[i].ljust(widths[i]) for i in idx))

    print(
        f"\nspeed (best of {args.rounds}, all rounds in s): "
        + "; ".join(
            f"{n} {' / '.join(f'{t:.3f}' for t in timings[n])}" for n in parsers
        )
    )
    for n in parsers:
        kind = parsers[n][1]
        print(f"  {n}: {kind}")

    print("\nfailures (feed: error):")
    for n, s in stats.items():
        if s.errors:
            print(
                f"  {n} [{len(s.errors)}]: "
                + "; ".join(s.errors[:6])
                + (" ..." if len(s.errors) > 6 else "")
            )

    # entry-count disagreements with the regex reference
    print(
        "\nentry counts that differ from the regex reference (feed: ref -> per parser):"
    )
    shown = 0
    for fid in corpus:
        counts = {
            n: len(results[n][fid].entries) if results[n][fid].ok else None
            for n in parsers
        }
        if any(c != ref_counts[fid] for c in counts.values()):
            shown += 1
            if shown <= 15:
                print(
                    f"  {fid}: {ref_counts[fid]} -> "
                    + ", ".join(f"{n}={c}" for n, c in counts.items())
                )
    print(f"  ({shown} feeds in all)")

    # relative links
    print("\nsample entries whose link is not absolute http(s):")
    for n in parsers:
        samples = [
            (fid, e.link)
            for fid, f in results[n].items()
            for e in f.entries
            if e.link and not is_abs_http(e.link)
        ]
        if samples:
            print(
                f"  {n} [{len(samples)}]: "
                + "; ".join(f"{fid}: {lk[:60]!r}" for fid, lk in samples[:3])
            )

    # date disagreements vs. the baseline
    if BASELINE in parsers:
        print(
            f"\ndate disagreements against {BASELINE} (aligned entries with equal titles):"
        )
        for n in parsers:
            if n == BASELINE:
                continue
            only_base, only_other, differ, pairs = [], [], [], 0
            for fid in corpus:
                fb, fo = results[BASELINE][fid], results[n][fid]
                if not (fb.ok and fo.ok):
                    continue
                for eb, eo in align(fb.entries, fo.entries):
                    pairs += 1
                    if eb.date and not eo.date:
                        only_base.append((fid, eb, eo))
                    elif eo.date and not eb.date:
                        only_other.append((fid, eb, eo))
                    elif (
                        eb.date
                        and eo.date
                        and abs((eb.date - eo.date).total_seconds()) > 1
                    ):
                        differ.append((fid, eb, eo))
            print(
                f"  {n}: {pairs} aligned entries; date only in {BASELINE}: {len(only_base)}, "
                f"only in {n}: {len(only_other)}, different instant: {len(differ)}"
            )
            for label, lst in (
                ("only-" + BASELINE, only_base),
                ("only-" + n, only_other),
                ("differ", differ),
            ):
                seen = set()
                for fid, eb, eo in lst:
                    if fid in seen:
                        continue  # one sample per feed
                    seen.add(fid)
                    print(
                        f"      {label:>22} {fid} raw={(eb.date_raw or eo.date_raw or '')[:40]!r} "
                        f"{BASELINE}={eb.date.isoformat() if eb.date else None} "
                        f"{n}={eo.date.isoformat() if eo.date else None}"
                    )
                    if len(seen) >= 3:
                        break

    # encodings
    print(
        "\nfeeds that are not plain UTF-8, first non-ASCII title (or first title) per parser:"
    )
    for fid, note in enc_feeds.items():
        print(f"  {fid} ({note})")
        for n in parsers:
            f = results[n][fid]
            if not f.ok:
                print(f"      {n:<22} FAILED {f.error}")
                continue
            titles = [e.title or "" for e in f.entries]
            pick = next(
                (t for t in titles if any(ord(ch) > 127 for ch in t)),
                titles[0] if titles else "",
            )
            bodies = " ".join((e.summary or "") + (e.content or "") for e in f.entries)
            print(
                f"      {n:<22} {len(f.entries):>3} entries, {pick[:60]!r}"
                f" C1/U+FFFD in bodies: {len(RE_BAD_CHARS.findall(bodies))}, em dashes: {bodies.count('—')}"
            )

    print("\nnon-ASCII titles with decoding problems (U+FFFD / C1 / mojibake), sample:")
    for n in parsers:
        bad = [
            (fid, e.title)
            for fid, f in results[n].items()
            for e in f.entries
            if e.title and (RE_BAD_CHARS.search(e.title) or RE_MOJIBAKE.search(e.title))
        ]
        print(
            f"  {n} [{len(bad)}]: "
            + "; ".join(f"{fid}: {t[:50]!r}" for fid, t in bad[:3])
        )
    print("\ntitles with undecoded HTML entities, sample:")
    for n in parsers:
        bad = [
            (fid, e.title)
            for fid, f in results[n].items()
            for e in f.entries
            if e.title and RE_ENTITY.search(e.title)
        ]
        print(
            f"  {n} [{len(bad)}]: "
            + "; ".join(f"{fid}: {t[:50]!r}" for fid, t in bad[:3])
        )

    # conclusion: correctness score, then speed
    print("\nconclusion:")

    def score(n):
        s = stats[n]
        return (
            s.feeds_with_entries,
            s.abs_link
            + s.dated
            + s.titled
            + s.content_kept
            + s.both_separate
            - 5
            * (
                s.bad_title_chars
                + s.mojibake_titles
                + s.entity_titles
                + s.bad_body_chars
            ),
        )

    ranked = sorted(parsers, key=score, reverse=True)
    for n in ranked:
        s = stats[n]
        speed = (
            f"{best[n] / base_t:.2f}x {BASELINE} time" if base_t else f"{best[n]:.3f}s"
        )
        print(
            f"  {n:<22} feeds with entries {s.feeds_with_entries}/{n_feeds}, entries {s.entries}, "
            f"abs links {pct(s.abs_link, s.entries).strip()}, tz dates {pct(s.dated, s.entries).strip()}, "
            f"full content kept {s.content_kept}/{s.src_content}, summary+content separate "
            f"{s.both_separate}/{s.src_both}, decoding issues "
            f"{s.bad_title_chars + s.mojibake_titles + s.entity_titles + s.bad_body_chars}, {speed}"
        )
    print(
        f"  ranked by correctness (feeds parsed, then titles+links+dates+content, minus 5x decoding issues): "
        f"{' > '.join(ranked)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
