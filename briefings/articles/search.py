"""Full-text search over articles: SQLite FTS5 by default, PostgreSQL's own on
PostgreSQL. Both backends take the same query and return the same shape.

The index: on SQLite an FTS5 table with external content (the articles table
itself) kept in step by triggers; on PostgreSQL a weighted tsvector column kept
by a trigger, with a GIN index. The migrations `0003_search` and `0009_*`
install it; `ensure_index` puts back what a later table rebuild dropped (SQLite
drops a table's triggers when a migration remakes it), and runs after every
`migrate`.

The work of one search is bounded (issue #16): a query matching more than
CANDIDATES articles ranks the newest CANDIDATES of them, found by walking the
articles newest first, so a common word ("China": 23,000 of 100,000 articles)
costs about what a rare one does. Ranking every match took 0.3 s on SQLite
and 0.5-10 s on PostgreSQL (which parsed every match's body again to rank it).
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from briefings.articles.models import Article

# Private-use characters mark the matched words in snippets; the text around
# them is escaped before they turn into <mark> elements.
MARK_START, MARK_END = "\ue000", "\ue001"
MAX_TERMS = 12
_TERM = re.compile(r"\w+")
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)

FTS_TABLE = "articles_article_fts"
# At most this many matches are ranked: the newest, when there are more.
CANDIDATES = 500
# Weights of headline, dek and body in the ranking.
WEIGHTS = (10.0, 4.0, 1.0)

SQLITE_INDEX = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        headline, dek, body_text, content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON articles_article
    BEGIN
        INSERT INTO {FTS_TABLE}(rowid, headline, dek, body_text)
        VALUES (new.id, new.headline, new.dek, new.body_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON articles_article
    BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, headline, dek, body_text)
        VALUES ('delete', old.id, old.headline, old.dek, old.body_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au
    AFTER UPDATE OF headline, dek, body_text ON articles_article
    BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, headline, dek, body_text)
        VALUES ('delete', old.id, old.headline, old.dek, old.body_text);
        INSERT INTO {FTS_TABLE}(rowid, headline, dek, body_text)
        VALUES (new.id, new.headline, new.dek, new.body_text);
    END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

# PostgreSQL's text parser reads "<word>" as an XML tag and skips it, so a story
# saying "a <typhoon>" would never match "typhoon". Angle brackets are swapped
# for two private-use characters before parsing (and back in snippets; U+E000
# and U+E001 already mark the highlights).
_SAFE = "U&'\\E002\\E003'"
PG_TEXT = "translate({}, '<>', " + _SAFE + ")"


def _pg_vector(row):
    """The weighted tsvector of `row`'s (a table alias, or NEW) text."""
    return (
        "setweight(to_tsvector('english'::regconfig, "
        + PG_TEXT.format(f"{row}.headline")
        + "), 'A')"
        " || setweight(to_tsvector('english'::regconfig, "
        + PG_TEXT.format(f"{row}.dek")
        + "), 'B')"
        " || setweight(to_tsvector('english'::regconfig, "
        + PG_TEXT.format(f"{row}.body_text")
        + "), 'D')"
    )


# The vector is a column kept by a trigger, not an expression index: ranking
# reads it instead of parsing each match's body again (ts_rank_cd over the
# expression cost 0.4 ms a match). Not a generated column: PostgreSQL refuses
# to change the type of a column a generated one reads (a later AlterField).
PG_INDEX = [
    "DROP INDEX IF EXISTS articles_article_search",  # before angle brackets
    "DROP INDEX IF EXISTS articles_article_search_v2",  # the expression index
    "ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN NEW.search_vector := "
    + _pg_vector("NEW")
    + "; RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
    "CREATE TRIGGER articles_article_search_vector BEFORE INSERT OR UPDATE OF "
    "headline, dek, body_text ON articles_article FOR EACH ROW "
    "EXECUTE FUNCTION articles_article_search_vector()",
    # The index before the rows are filled: built after an UPDATE in the same
    # transaction, PostgreSQL marks it unusable to any query while a
    # transaction older than it runs anywhere on the server (indcheckxmin).
    "CREATE INDEX IF NOT EXISTS articles_article_search_v3 ON articles_article "
    "USING GIN (search_vector)",
    "UPDATE articles_article a SET search_vector = "
    + _pg_vector("a")
    + " WHERE search_vector IS NULL",
]
PG_DROP = [
    "DROP INDEX IF EXISTS articles_article_search",
    "DROP INDEX IF EXISTS articles_article_search_v2",
    "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
    "DROP FUNCTION IF EXISTS articles_article_search_vector()",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
]
_UNSAFE = str.maketrans("\ue002\ue003", "<>")


def install(conn):
    """Create the search index on `conn` (any vendor) and fill it."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for statement in SQLITE_INDEX:
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        elif conn.vendor == "postgresql":
            for statement in PG_INDEX:
                cursor.execute(statement)


def uninstall(conn):
    with conn.cursor() as cursor:
        for statement in {"sqlite": SQLITE_DROP, "postgresql": PG_DROP}.get(
            conn.vendor, []
        ):
            cursor.execute(statement)


def ensure_index(conn):
    """Install the index again when part of it is missing (after a table rebuild)."""
    if conn.vendor != "sqlite":
        if conn.vendor == "postgresql":
            install(conn)
        return
    names = {f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au", FTS_TABLE}
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
            sorted(names),
        )
        present = {row[0] for row in cursor.fetchall()}
    if "articles_article" in conn.introspection.table_names() and present != names:
        install(conn)


@dataclass(frozen=True)
class Query:
    """What a reader asked for: words and optional filters."""

    text: str
    region: str = ""
    publication: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def terms(self):
        return _TERM.findall(self.text)[:MAX_TERMS]


@dataclass
class Hit:
    article: object
    snippet: str
    rank: float

    @property
    def snippet_html(self):
        return highlight(self.snippet)


@dataclass
class Results:
    hits: list = field(default_factory=list)
    has_next: bool = False
    offset: int = 0

    @property
    def start(self):
        """The position of the first hit, counting from 1."""
        return self.offset + 1


def search(query, offset=0, limit=20):
    """Return the Results for `query`, best first, `limit` hits from `offset`."""
    if not query.terms:
        return Results(offset=offset)
    backend = _SQLITE if connection.vendor == "sqlite" else _POSTGRES
    ranked = backend.rank(query, offset, limit + 1)
    has_next = len(ranked) > limit
    ranked = ranked[:limit]
    ids = [pk for pk, _ in ranked]
    snippets = backend.snippets(query, ids) if ids else {}
    # A hit shows the headline, dek and snippet: not the bodies (most of a
    # row's bytes).
    articles = (
        Article.objects.river().defer("body_html", "body_text", "credit_html")
    ).in_bulk(ids)
    hits = [
        Hit(articles[pk], snippets.get(pk, ""), rank)
        for pk, rank in ranked
        if pk in articles
    ]
    return Results(hits, has_next, offset)


def highlight(snippet):
    """Return a snippet as HTML: the text escaped, the matched words in <mark>."""
    html = _MARKED.sub(r"<mark>\1</mark>", escape(snippet))
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308


def _filters(query):
    """Return SQL conditions on `a` (articles) and their params. The papers are
    subqueries, not a join: the conditions then read only what the index
    article_search_keys holds (date, status, paper)."""
    conditions = ["a.status != 'hidden'", "a.published_at <= %s"]
    params = [_moment(timezone.now())]
    if query.region:
        conditions.append(
            "a.publication_id IN (SELECT p.id FROM network_publication p "
            "JOIN network_region r ON r.id = p.region_id WHERE r.slug = %s)"
        )
        params.append(query.region)
    if query.publication:
        conditions.append(
            "a.publication_id IN (SELECT id FROM network_publication WHERE slug = %s)"
        )
        params.append(query.publication)
    if query.since:
        conditions.append("a.published_at >= %s")
        params.append(_moment(datetime.combine(query.since, time.min, tzinfo=UTC)))
    if query.until:
        # The day's last microsecond, not the next day's start: date.max has no
        # next day (an OverflowError, whoever built the query).
        conditions.append("a.published_at <= %s")
        params.append(_moment(datetime.combine(query.until, time.max, tzinfo=UTC)))
    return " AND ".join(conditions), params


def _moment(value):
    """Write a datetime as the backend stores one: SQLite compares the stored
    text, and "2024-09-02 00:00:00" sorts before "2024-09-02 00:00:00+00:00"."""
    return connection.ops.adapt_datetimefield_value(value)


class _SQLite:
    def rank(self, query, offset, limit):
        match = " ".join(f'"{term}"' for term in query.terms)
        where, params = _filters(query)
        among, among_params = "", []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]
            )
            if cursor.fetchone()[0] > CANDIDATES:
                ids = self._newest(cursor, match, where, params)
                if not ids:
                    return []
                # The FTS pass is limited to the candidates' id range (one
                # pass: bm25 asked row by row reads the doclist each time).
                marks = ", ".join(["%s"] * len(ids))
                among = (
                    f"AND {FTS_TABLE}.rowid BETWEEN %s AND %s "
                    f"AND +{FTS_TABLE}.rowid IN ({marks})"
                )
                among_params = [min(ids), max(ids), *ids]
            # INDEXED BY: SQLite would look each match up in the table by id,
            # reading its bodies' overflow pages to reach the date and status.
            sql = f"""
                SELECT a.id, bm25({FTS_TABLE}, %s, %s, %s) AS rank
                FROM {FTS_TABLE}
                JOIN articles_article a INDEXED BY article_search_keys
                  ON a.id = {FTS_TABLE}.rowid
                WHERE {FTS_TABLE} MATCH %s AND {where} {among}
                ORDER BY rank, a.published_at DESC
                LIMIT %s OFFSET %s"""
            cursor.execute(
                sql, [*WEIGHTS, match, *params, *among_params, limit, offset]
            )
            return [(pk, -score) for pk, score in cursor.fetchall()]

    def _newest(self, cursor, match, where, params):
        """Return the ids of the newest CANDIDATES matches: the date index is
        walked newest first (the `+` keeps SQLite on it) and stops there."""
        cursor.execute(
            f"""SELECT a.id FROM articles_article a
                INDEXED BY article_published_cover
                WHERE +a.id IN (
                    SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)
                  AND {where}
                ORDER BY a.published_at DESC, a.id DESC LIMIT %s""",
            [match, *params, CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]

    def snippets(self, query, ids):
        match = " ".join(f'"{term}"' for term in query.terms)
        marks = ", ".join(["%s"] * len(ids))
        sql = f"""
            SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, '…', 28)
            FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})"""
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, match, *ids])
            return dict(cursor.fetchall())


class _Postgres:
    def rank(self, query, offset, limit):
        where, params = _filters(query)
        # The newest CANDIDATES matches, then ranked. The tsquery is written
        # in the condition, not joined: the planner then reads it as a
        # constant and estimates how many articles match from the GIN index's
        # statistics, walking the date index for a common word and taking the
        # GIN index for a rare one (joined, it guessed, and walked 100,000
        # rows for a word found nowhere: 1.1 s).
        sql = f"""
            SELECT c.id, ts_rank_cd(c.search_vector, q) AS rank
            FROM (
                SELECT a.id, a.published_at, a.search_vector
                FROM articles_article a
                WHERE a.search_vector @@ plainto_tsquery('english'::regconfig, %s)
                  AND {where}
                ORDER BY a.published_at DESC, a.id DESC
                LIMIT %s
            ) c, plainto_tsquery('english'::regconfig, %s) q
            ORDER BY rank DESC, c.published_at DESC
            LIMIT %s OFFSET %s"""
        text = " ".join(query.terms)
        with connection.cursor() as cursor:
            cursor.execute(sql, [text, *params, CANDIDATES, text, limit, offset])
            return [(pk, float(score)) for pk, score in cursor.fetchall()]

    def snippets(self, query, ids):
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=15, "
            "MaxFragments=2, FragmentDelimiter=…"
        )
        body = PG_TEXT.format("a.body_text")
        sql = f"""
            SELECT a.id, ts_headline('english'::regconfig, {body}, q, %s)
            FROM articles_article a, plainto_tsquery('english'::regconfig, %s) q
            WHERE a.id = ANY(%s)"""
        with connection.cursor() as cursor:
            cursor.execute(sql, [options, " ".join(query.terms), list(ids)])
            return {pk: text.translate(_UNSAFE) for pk, text in cursor.fetchall()}


_SQLITE = _SQLite()
_POSTGRES = _Postgres()
