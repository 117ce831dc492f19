from datetime import UTC, datetime, timedelta, timezone

import pytest

from briefings.ingest.normalize import (
    DateResult,
    canonical_url,
    clean_byline,
    clean_text,
    normalize_date,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "HTTPS://Paper.Example/a?utm_source=x&id=3#top",
            "https://paper.example/a?id=3",
        ),
        ("https://paper.example/a?fbclid=1&gclid=2", "https://paper.example/a"),
        ("https://paper.example", "https://paper.example/"),
        ("http://paper.example:80/a", "http://paper.example/a"),
        ("javascript:alert(1)", ""),
        ("/relative", ""),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_clean_text_strips_tags_controls_and_entities():
    assert clean_text("  <b>Hello</b>\x00 &amp;\n world\x07 ") == "Hello & world"


def test_clean_text_caps_length():
    assert len(clean_text("x" * 1000, 500)) == 500


@pytest.mark.parametrize("raw", ["By Jane Roe", "by: Jane Roe", "Written by Jane Roe"])
def test_byline_loses_its_by(raw):
    assert clean_byline(raw) == "Jane Roe"


def test_future_dates_are_clamped_and_flagged():
    result = normalize_date(NOW + timedelta(days=3), NOW)
    assert result.value == NOW and result.flagged


def test_missing_dates_become_fetch_time_flagged():
    assert normalize_date(None, NOW).flagged


def test_offsets_become_utc():
    from zoneinfo import ZoneInfo

    local = datetime(2026, 11, 28, 14, 0, tzinfo=ZoneInfo("Asia/Singapore"))
    assert normalize_date(local, NOW).value == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url", ["http://paper.example:99999/a", "http://[::1/a", "http://[::1]:x/"]
)
def test_canonical_url_of_a_broken_authority_is_empty(url):
    assert canonical_url(url) == ""


def test_canonical_url_keeps_ipv6_brackets():
    assert canonical_url("http://[::1]:8080/a") == "http://[::1]:8080/a"


@pytest.mark.parametrize(
    "value",
    [
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1899, 12, 31, tzinfo=UTC),
    ],
)
def test_dates_off_the_calendar_become_fetch_time_flagged(value):
    assert normalize_date(value, NOW) == DateResult(NOW, flagged=True)


# Embeddings, overrides and isolates (they reorder what follows them); the
# implicit marks LRM, RLM and ALM are kept (they reorder nothing beyond a
# neutral next to them, and right-to-left text needs them).
@pytest.mark.parametrize(
    "control", [*"\u202a\u202b\u202c\u202d\u202e", *"\u2066\u2067\u2068\u2069"]
)
def test_bidi_controls_are_stripped(control):
    assert clean_text(f"Ballot {control}gnp.exe{control} counted") == (
        "Ballot gnp.exe counted"
    )
    assert clean_byline(f"By {control}Jane Roe") == "Jane Roe"


def test_implicit_direction_marks_are_kept():
    assert (
        clean_text("\u05e9\u05dc\u05d5\u05dd\u200f (AFP)")
        == "\u05e9\u05dc\u05d5\u05dd\u200f (AFP)"
    )
