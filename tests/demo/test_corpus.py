"""Loading the corpus, assigning stories to papers, deks and the date replay."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from briefings.demo.corpus import (
    CorpusRecord,
    assign_papers,
    iter_corpus,
    replay_times,
    split_dek,
    trim_at_word,
)
from briefings.demo.network import DemoNetwork, DemoPaper, papers_from_config

from .factories import NETWORK_YAML, NOW, make_record, write_corpus


def _papers() -> list[DemoPaper]:
    return papers_from_config(yaml.safe_load(NETWORK_YAML))


def _load(tmp_path: Path, raw: list[dict]) -> list[CorpusRecord]:
    return list(iter_corpus(write_corpus(tmp_path / "corpus.jsonl", raw)))


def test_iter_corpus_skips_malformed_and_duplicate_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = [make_record(n) for n in range(5)] + [make_record(2)]
    path = write_corpus(tmp_path / "c.jsonl", records, bad_lines=2)
    with caplog.at_level(logging.WARNING):
        loaded = list(iter_corpus(path))
    assert [r.id for r in loaded] == [f"wikinews-en-{1000 + n}" for n in range(5)]
    assert len([m for m in caplog.messages if "skipped" in m]) == 3


def test_country_first_then_region_fallback(tmp_path: Path) -> None:
    loaded = [
        make_record(1, asia_countries=["Japan"], asia_regions=["Northeast Asia"]),
        make_record(2, asia_countries=["Afghanistan", "Nepal"]),
        make_record(3, asia_countries=["Afghanistan"], asia_regions=["South Asia"]),
        make_record(4, asia_countries=["Kashmir"], asia_regions=["South Asia"]),
        make_record(5, asia_countries=["Mongolia"], asia_regions=["Europe"]),
    ]
    records = _load(tmp_path, loaded)
    assigned = assign_papers(records, _papers())
    ids = {slug: [r.id for r in rs] for slug, rs in assigned.items()}
    assert ids["beta-times"] == ["wikinews-en-1001"]
    # Nepal is the first country of record 2 that has a paper.
    assert ids["epsilon-post"][0] == "wikinews-en-1002"
    # Region fallbacks go to the least-loaded south-asia paper, ties to the
    # first in file order.
    assert ids["zeta-island"] == ["wikinews-en-1003"]
    assert ids["epsilon-post"] == ["wikinews-en-1002", "wikinews-en-1004"]
    # A record of no served country or region is left out.
    assert "wikinews-en-1005" not in sum(ids.values(), [])


def test_papers_sharing_a_country_alternate(tmp_path: Path) -> None:
    raw = [
        make_record(n, asia_countries=["Malaysia"], asia_regions=["Southeast Asia"])
        for n in range(6)
    ]
    assigned = assign_papers(_load(tmp_path, raw), _papers())
    assert [r.id[-1] for r in assigned["gamma-post"]] == ["0", "2", "4"]
    assert [r.id[-1] for r in assigned["delta-star"]] == ["1", "3", "5"]


def test_assignment_is_deterministic_and_independent_of_file_order(
    tmp_path: Path,
) -> None:
    raw = [make_record(n) for n in range(40)]
    first = assign_papers(_load(tmp_path, raw), _papers())
    second = assign_papers(_load(tmp_path, list(reversed(raw))), _papers())
    assert {k: [r.id for r in v] for k, v in first.items()} == {
        k: [r.id for r in v] for k, v in second.items()
    }
    assert all(first.values())


def test_replay_spreads_over_window_keeps_order_and_fills_today(tmp_path: Path) -> None:
    records = _load(tmp_path, [make_record(n) for n in range(90)])
    times = replay_times(records, NOW, days=30)
    ordered = sorted(records, key=lambda r: (r.date, r.id))
    replayed = [times[r.id] for r in ordered]
    assert replayed == sorted(replayed)
    assert all(NOW - timedelta(days=30) < t <= NOW for t in replayed)
    per_day = Counter(t.date() for t in replayed)
    assert len(per_day) == 30
    assert set(per_day.values()) == {3}
    assert per_day[NOW.date()] == 3
    assert replay_times(records, NOW, days=30) == times


def test_replay_changes_with_now_only_by_shift(tmp_path: Path) -> None:
    records = _load(tmp_path, [make_record(n) for n in range(60)])
    later = NOW.replace(hour=23)
    early = replay_times(records, NOW, days=10)
    late = replay_times(records, later, days=10)
    # Days before today do not depend on the time of day of `now`.
    before_today = [k for k, v in early.items() if v.date() < NOW.date()]
    assert before_today
    assert all(early[k] == late[k] for k in before_today)


def test_split_dek_takes_first_sentence_and_skips_abbreviations() -> None:
    dek, paragraphs = split_dek(
        "Dr. Smith met the U.S. envoy on Monday. They talked.\n\nSecond one."
    )
    assert dek == "Dr. Smith met the U.S. envoy on Monday."
    assert paragraphs == ("They talked.", "Second one.")


def test_split_dek_trims_long_sentence_and_keeps_the_text() -> None:
    sentence = "word " * 80 + "end."
    dek, paragraphs = split_dek(sentence + " Next sentence.")
    assert len(dek) <= 200 and dek.endswith("\u2026")
    assert not dek[:-1].endswith(" ")
    assert paragraphs[0].startswith("word word")


def test_trim_at_word_leaves_short_text_alone() -> None:
    assert trim_at_word("short text") == "short text"
    assert trim_at_word("alpha beta gamma", limit=12) == "alpha beta\u2026"


def test_network_load_builds_papers_in_file_order(network: DemoNetwork) -> None:
    assert [p.slug for p in network.papers][:2] == ["alpha-daily", "beta-times"]
    assert [p.layout for p in network.papers[:4]] == [
        "wordpress",
        "arc",
        "table",
        "modern",
    ]
    assert {p.feed_kind for p in network.papers} == {"rss", "atom"}
    for paper in network.papers:
        assert paper.items, paper.slug
        stamps = [i.published for i in paper.items]
        assert stamps == sorted(stamps, reverse=True)
        assert all(i.published <= i.modified <= NOW for i in paper.items)
    item = network.papers[0].items[-1]
    assert item.original_date.year == 2006
    assert item.credit.startswith('"')
    assert "Licensed under CC BY 2.5" in item.credit
