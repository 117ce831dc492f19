"""Data classes of the demo network and loading it from the corpus and network file."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from briefings.demo.corpus import (
    CorpusRecord,
    assign_papers,
    iter_corpus,
    replay_times,
    split_dek,
    stable_fraction,
)

# Layouts are handed out round-robin in network-file order; each has a feed format.
LAYOUTS: tuple[str, ...] = ("wordpress", "arc", "table", "modern")
FEED_KINDS: dict[str, str] = {
    "wordpress": "rss",
    "arc": "atom",
    "table": "rss",
    "modern": "atom",
}
# Layouts whose feeds carry the full article body.
FULL_TEXT_LAYOUTS = frozenset({"wordpress", "modern"})
SLUG_MAX_CHARS = 72
CC_BY_25_URL = "https://creativecommons.org/licenses/by/2.5/"


def slugify(text: str, limit: int = SLUG_MAX_CHARS) -> str:
    """Return a lowercase ASCII URL slug for ``text``, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode("ascii").lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "story"


def short_id(item_id: str) -> str:
    """Return a short, stable identifier for a corpus id."""
    return hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class DemoItem:
    """One story as published by a demo paper, with its replayed dates."""

    id: str
    title: str
    dek: str
    paragraphs: tuple[str, ...]
    published: datetime  # replayed, timezone-aware (UTC)
    modified: datetime  # replayed, timezone-aware (UTC), >= published
    original_date: date
    source_url: str
    author: str
    license: str
    license_url: str
    categories: tuple[str, ...]
    short_id: str
    url_slug: str

    @property
    def credit(self) -> str:
        """Return the per-article credit line for the Wikinews original."""
        return (
            f'"{self.title}", Wikinews, {self.original_date.isoformat()}, '
            f"{self.source_url}. Licensed under CC BY 2.5 ({CC_BY_25_URL}). "
            "Text modified."
        )


@dataclass
class DemoPaper:
    """One fake member-paper website of the demo network."""

    slug: str
    name: str
    country: str
    region: str
    language: str
    timezone: str
    description: str
    layout: str
    feed_kind: str  # "rss" or "atom"
    items: list[DemoItem] = field(default_factory=list)  # newest first

    @property
    def tzinfo(self) -> ZoneInfo:
        """Return the paper's own time zone."""
        return ZoneInfo(self.timezone)

    @property
    def full_text_feed(self) -> bool:
        """Tell whether the paper's feed carries whole article bodies."""
        return self.layout in FULL_TEXT_LAYOUTS

    def local(self, moment: datetime) -> datetime:
        """Return ``moment`` in the paper's own time zone."""
        return moment.astimezone(self.tzinfo)


@dataclass
class DemoNetwork:
    """The demo network: its papers with their replayed stories."""

    name: str
    site_name: str
    papers: list[DemoPaper]
    now: datetime
    days: int

    def paper(self, slug: str) -> DemoPaper | None:
        """Return the paper with this slug, or None."""
        return next((p for p in self.papers if p.slug == slug), None)

    @classmethod
    def load(
        cls,
        corpus_path: str | Path,
        network_file: str | Path,
        days: int = 30,
        now: datetime | None = None,
    ) -> DemoNetwork:
        """Build the network from a corpus file and a network YAML file."""
        now = (now or datetime.now(UTC)).astimezone(UTC)
        now = now.replace(microsecond=0)
        with open(network_file, encoding="utf-8") as handle:
            config = yaml.safe_load(handle) or {}
        papers = papers_from_config(config)
        records = list(iter_corpus(corpus_path))
        assigned = assign_papers(records, papers)
        times = replay_times([r for rs in assigned.values() for r in rs], now, days)
        for paper in papers:
            items = [build_item(r, times[r.id], now) for r in assigned[paper.slug]]
            paper.items = sorted(items, key=lambda i: (i.published, i.id), reverse=True)
        meta = config.get("network") or {}
        return cls(
            name=str(meta.get("name") or "Demo network"),
            site_name=str(meta.get("site_name") or meta.get("name") or "Demo network"),
            papers=papers,
            now=now,
            days=days,
        )


def papers_from_config(config: dict) -> list[DemoPaper]:
    """Create the (still empty) papers of a parsed network file, in file order."""
    papers = []
    for index, entry in enumerate(config.get("publications") or []):
        layout = LAYOUTS[index % len(LAYOUTS)]
        papers.append(
            DemoPaper(
                slug=str(entry["slug"]),
                name=str(entry.get("name") or entry["slug"]),
                country=str(entry.get("country") or "").upper(),
                region=str(entry.get("region") or ""),
                language=str(entry.get("language") or "en"),
                timezone=str(entry.get("timezone") or "UTC"),
                description=" ".join(str(entry.get("description") or "").split()),
                layout=layout,
                feed_kind=FEED_KINDS[layout],
            )
        )
    return papers


def build_item(record: CorpusRecord, published: datetime, now: datetime) -> DemoItem:
    """Turn a corpus record and its replayed time into a published story."""
    dek, paragraphs = split_dek(record.body)
    delay = timedelta(minutes=int(stable_fraction("modified:" + record.id) * 180))
    return DemoItem(
        id=record.id,
        title=record.title,
        dek=dek,
        paragraphs=paragraphs,
        published=published,
        modified=max(published, min(published + delay, now)),
        original_date=record.date,
        source_url=record.url,
        author=record.author,
        license=record.license,
        license_url=record.license_url,
        categories=record.categories,
        short_id=short_id(record.id),
        url_slug=slugify(record.title),
    )
