"""Full-text search: ranking, snippets, filters, and an index that follows edits."""

from datetime import UTC, date, datetime

import pytest

from django.db import connection

from briefings.articles import search as search_module
from briefings.articles.search import Query, ensure_index, highlight, search

from ..factories import make_article


def headlines(results):
    return [hit.article.headline for hit in results.hits]


@pytest.fixture
def corpus(network):
    return {
        "typhoon": make_article(
            "the-japan-news",
            headline="Typhoon hits Okinawa",
            body_text="The typhoon brought heavy rain to Okinawa on Monday.",
            published_at=datetime(2024, 9, 2, tzinfo=UTC),
        ),
        "rain": make_article(
            "dawn",
            headline="Monsoon rains in Karachi",
            body_text="Streets flooded after a typhoon-like storm and heavy rain.",
            published_at=datetime(2024, 8, 1, tzinfo=UTC),
        ),
        "trade": make_article(
            "the-korea-herald",
            headline="Seoul and Tokyo talk trade",
            body_text="Exports and chips were on the table.",
            published_at=datetime(2024, 9, 3, tzinfo=UTC),
        ),
    }


def test_headline_matches_rank_above_body_matches(corpus):
    results = search(Query("typhoon"))
    assert headlines(results) == ["Typhoon hits Okinawa", "Monsoon rains in Karachi"]
    assert results.hits[0].rank > results.hits[1].rank


def test_words_are_stemmed_and_all_required(corpus):
    assert headlines(search(Query("rained Okinawa"))) == ["Typhoon hits Okinawa"]
    assert headlines(search(Query("typhoon chips"))) == []


def test_snippets_mark_the_matched_words_and_escape_the_rest(network):
    make_article(
        "dawn",
        headline="Markup",
        body_text='A <b>bold</b> claim & a "typhoon" warning.',
    )
    (hit,) = search(Query("typhoon")).hits
    html = str(hit.snippet_html)
    assert "claim &amp; a &quot;<mark>typhoon</mark>&quot; warning" in html
    assert "<b>" not in html


def test_highlight_drops_unpaired_markers():
    assert str(highlight("a \ue000b \ue001\ue001 <c>")) == "a <mark>b </mark> &lt;c&gt;"


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"region": "south-asia"}, ["Monsoon rains in Karachi"]),
        ({"publication": "the-japan-news"}, ["Typhoon hits Okinawa"]),
        ({"since": date(2024, 9, 1)}, ["Typhoon hits Okinawa"]),
        ({"until": date(2024, 8, 31)}, ["Monsoon rains in Karachi"]),
        ({"until": date(2024, 9, 2)}, ["Typhoon hits Okinawa",
                                       "Monsoon rains in Karachi"]),
        ({"region": "northeast-asia", "since": date(2024, 9, 3)}, []),
    ],
)  # fmt: skip
def test_filters(corpus, filters, expected):
    assert headlines(search(Query("typhoon", **filters))) == expected


def test_filters_at_the_ends_of_the_calendar(corpus):
    """date.max has no next day; a Query built anywhere must not overflow."""
    everything = Query("typhoon", since=date.min, until=date.max)
    assert len(search(everything).hits) == 2
    assert search(Query("typhoon", until=date.min)).hits == []
    assert search(Query("typhoon", since=date.max)).hits == []


def test_a_day_filter_takes_the_whole_day_from_midnight(network):
    """Midnight belongs to its day on every backend (SQLite compares the stored
    text, so parameters must be written as Django stores datetimes)."""
    for when in (
        datetime(2024, 9, 1, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 9, 2, tzinfo=UTC),
        datetime(2024, 9, 2, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 9, 3, tzinfo=UTC),
    ):
        make_article("dawn", headline=f"Typhoon at {when:%d %H:%M}", published_at=when)
    day = date(2024, 9, 2)
    found = headlines(search(Query("typhoon", since=day, until=day)))
    assert sorted(found) == ["Typhoon at 02 00:00", "Typhoon at 02 23:59"]


def test_index_follows_edits_and_deletes(corpus):
    trade = corpus["trade"]
    trade.headline = "Seoul and Tokyo talk semiconductors"
    trade.save()
    assert headlines(search(Query("semiconductors"))) == [trade.headline]
    assert headlines(search(Query("trade"))) == []
    trade.delete()
    assert headlines(search(Query("semiconductors"))) == []


def test_hidden_and_future_articles_are_not_found(network):
    make_article("dawn", headline="Hidden typhoon", status="hidden")
    make_article(
        "dawn", headline="Future typhoon", published_at=datetime(2999, 1, 1, tzinfo=UTC)
    )
    assert headlines(search(Query("typhoon"))) == []


def test_queries_without_words_find_nothing(corpus):
    for text in ["", '"', "*", "AND OR NOT", "(((", "\x00"]:
        results = search(Query(text))
        assert all(hit.article for hit in results.hits)
    assert headlines(search(Query('"typhoon*'))) == headlines(search(Query("typhoon")))
    # Query syntax is not passed through: OR is a word to find, not an operator.
    assert headlines(search(Query("typhoon OR trade"))) == []


def test_paging_with_offset(network):
    for n in range(5):
        make_article("dawn", headline=f"Cyclone update {n}")
    first = search(Query("cyclone"), offset=0, limit=3)
    second = search(Query("cyclone"), offset=3, limit=3)
    assert first.has_next and not second.has_next
    assert len(first.hits) == 3 and len(second.hits) == 2
    assert not set(headlines(first)) & set(headlines(second))


def test_a_common_word_ranks_its_newest_matches(network, monkeypatch):
    """Bounded work (issue #16): past CANDIDATES matches, the newest of them
    are ranked, and the filters choose the candidates."""
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    make_article(
        "the-japan-news",
        headline="Cyclone in January",
        published_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    for day, headline in [(1, "Report 1"), (3, "Report 3"), (4, "Report 4")]:
        make_article(
            "dawn",
            headline=headline,
            body_text="A cyclone passed the coast.",
            published_at=datetime(2024, 9, day, tzinfo=UTC),
        )
    make_article(
        "dawn",
        headline="Cyclone hits coast",
        body_text="A storm passed the coast.",
        published_at=datetime(2024, 9, 2, tzinfo=UTC),
    )
    results = search(Query("cyclone"))
    assert headlines(results) == ["Cyclone hits coast", "Report 4", "Report 3"]
    assert not search(Query("cyclone"), offset=3).hits
    assert headlines(search(Query("cyclone", region="northeast-asia"))) == [
        "Cyclone in January"
    ]
    assert headlines(search(Query("cyclone", publication="dawn"), limit=2)) == [
        "Cyclone hits coast",
        "Report 4",
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_ensure_index_restores_dropped_triggers(corpus):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER articles_article_fts_ai")
    ensure_index(connection)
    make_article("dawn", headline="Earthquake in Lahore")
    assert headlines(search(Query("earthquake"))) == ["Earthquake in Lahore"]
