"""Load the demo corpus, assign its items to papers and replay their dates.

The corpus is a JSON Lines file of Wikinews articles. Every function here is
deterministic: the same corpus, papers and ``now`` give the same result.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol

from briefings.demo.countries import country_code, region_slug

logger = logging.getLogger(__name__)

DEK_MAX_CHARS = 200
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(
    r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st sr jr prof gen maj col lt sgt capt cpl adm rep sen gov pres "
    "rev inc ltd co corp no vs etc jan feb mar apr jun jul aug sep sept oct nov "
    "dec mt ft approx est dept".split()
)


@dataclass(frozen=True)
class CorpusRecord:
    """One article of the corpus, as read from its JSON line."""

    id: str
    title: str
    date: date
    body: str
    url: str
    author: str
    license: str
    license_url: str
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    categories: tuple[str, ...] = ()


class PaperSlot(Protocol):
    """What assignment needs to know about a paper."""

    slug: str
    country: str
    region: str


def clean_text(text: str) -> str:
    """Remove characters that are invalid in XML and normalise line endings."""
    return _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _record_from_json(data: dict) -> CorpusRecord:
    """Build a record from one decoded line; raise ValueError/KeyError if unusable."""
    title = " ".join(clean_text(str(data["title"])).split())
    body = clean_text(str(data["body"])).strip()
    if not title or not body:
        raise ValueError("empty title or body")
    return CorpusRecord(
        id=str(data["id"]),
        title=title,
        date=date.fromisoformat(str(data["date"])[:10]),
        body=body,
        url=str(data.get("url") or ""),
        author=str(data.get("author") or "Wikinews contributors"),
        license=str(data.get("license") or "CC BY 2.5"),
        license_url=str(
            data.get("license_url") or "https://creativecommons.org/licenses/by/2.5/"
        ),
        countries=tuple(str(c) for c in data.get("asia_countries") or ()),
        regions=tuple(str(r) for r in data.get("asia_regions") or ()),
        categories=tuple(str(c) for c in data.get("categories") or ()),
    )


def iter_corpus(path: str | Path) -> Iterator[CorpusRecord]:
    """Stream records from a JSON Lines file, skipping and logging bad lines."""
    seen: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                record = _record_from_json(data)
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning("%s:%d: skipped bad record (%s)", path, number, exc)
                continue
            if record.id in seen:
                logger.warning("%s:%d: skipped duplicate %s", path, number, record.id)
                continue
            seen.add(record.id)
            yield record


def chronological(records: Sequence[CorpusRecord]) -> list[CorpusRecord]:
    """Return the records sorted by original date, then id."""
    return sorted(records, key=lambda r: (r.date, r.id))


def assign_papers(
    records: Sequence[CorpusRecord], papers: Sequence[PaperSlot]
) -> dict[str, list[CorpusRecord]]:
    """Assign each record to one paper and return the records per paper slug.

    A record goes to a paper of its first country that has one (papers sharing
    a country take turns). Records whose countries have no paper go, in a second
    pass, to the paper of their first served region that has the fewest items so
    far, so that small papers get stories too. Records are processed in
    chronological order; records matching neither are dropped.
    """
    by_country: dict[str, list[str]] = {}
    by_region: dict[str, list[str]] = {}
    for paper in papers:
        by_country.setdefault(paper.country.upper(), []).append(paper.slug)
        by_region.setdefault(paper.region, []).append(paper.slug)
    assigned: dict[str, list[CorpusRecord]] = {paper.slug: [] for paper in papers}
    turns: dict[str, int] = {}
    fallback: list[CorpusRecord] = []
    for record in chronological(records):
        codes = [country_code(name) for name in record.countries]
        code = next((c for c in codes if c and c in by_country), None)
        if code is None:
            fallback.append(record)
            continue
        slugs = by_country[code]
        turn = turns.get(code, 0)
        turns[code] = turn + 1
        assigned[slugs[turn % len(slugs)]].append(record)
    dropped = 0
    for record in fallback:
        region = next(
            (region_slug(r) for r in record.regions if region_slug(r) in by_region),
            None,
        )
        if region is None:
            dropped += 1
            continue
        slug = min(by_region[region], key=lambda s: len(assigned[s]))
        assigned[slug].append(record)
    if dropped:
        logger.info("%d corpus records match no paper and were left out", dropped)
    return assigned


def stable_fraction(key: str) -> float:
    """Return a pseudo-random number in [0, 1) derived only from ``key``."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def replay_times(
    records: Sequence[CorpusRecord], now: datetime, days: int = 30
) -> dict[str, datetime]:
    """Map the records' chronological order onto the last ``days`` days to ``now``.

    The n-th oldest record lands on day ``n * days // len(records)`` of the
    window (UTC calendar days, the last one being today), so every day gets a
    similar share. Each record gets a time of day derived from its id; the times
    within a day are handed out in chronological order, so the original order is
    kept, and today's times are never later than ``now``.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    now = now.astimezone(UTC).replace(microsecond=0)
    ordered = chronological(records)
    per_day: dict[int, list[CorpusRecord]] = {}
    for rank, record in enumerate(ordered):
        per_day.setdefault(rank * days // len(ordered), []).append(record)
    first_day = now.date() - timedelta(days=days - 1)
    seconds_today = now.hour * 3600 + now.minute * 60 + now.second
    result: dict[str, datetime] = {}
    for index, day_records in per_day.items():
        day = first_day + timedelta(days=index)
        span = seconds_today + 1 if day == now.date() else 86400
        offsets = sorted(int(stable_fraction(r.id) * span) for r in day_records)
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        for record, offset in zip(day_records, offsets, strict=True):
            result[record.id] = midnight + timedelta(seconds=offset)
    return result


def _sentence_end(text: str) -> int | None:
    """Return the index just after the first sentence of ``text``, if any."""
    for match in _SENTENCE_END.finditer(text):
        if text[match.start()] == ".":
            word = text[: match.start()].rsplit(None, 1)[-1].lower().lstrip("(\"'")
            if word in _ABBREVIATIONS or len(word) == 1 or "." in word:
                continue
        return match.end()
    return None


def trim_at_word(text: str, limit: int = DEK_MAX_CHARS) -> str:
    """Shorten ``text`` to at most ``limit`` characters at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


def split_dek(body: str) -> tuple[str, tuple[str, ...]]:
    """Split a body into a dek (its first sentence, trimmed) and the paragraphs left.

    If the first sentence had to be trimmed, or it is the whole body, it stays in
    the paragraphs as well, so no text is lost.
    """
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(body)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return "", ()
    first = paragraphs[0]
    end = _sentence_end(first)
    sentence = first[:end].strip() if end else first
    dek = trim_at_word(sentence)
    rest = first[end:].strip() if end else ""
    remaining = ([rest] if rest else []) + paragraphs[1:]
    if dek != sentence or not remaining:
        return dek, tuple(paragraphs)
    return dek, tuple(remaining)
