"""Assign each article to a story as it arrives (the ingest pipeline calls
`assign_article(article)` after every upsert).

Candidates come from the inverted index (StoryTerm) restricted to the time
window, never from a scan; they are scored with similarity.score and the
article joins the best story by cluster.choose_story, or starts its own.
Assigning an unchanged article again changes nothing; a changed article leaves
its old story first (an emptied story is deleted, so none is orphaned).
"""

import hashlib
import json
from collections import Counter
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction

from briefings.stories.cluster import (
    CANDIDATES,
    PROBE_TERMS,
    RECENT,
    Rule,
    choose_story,
)
from briefings.stories.models import (
    ArticlePlace,
    ArticleSignature,
    DocumentFrequency,
    Story,
    StoryMembership,
    StoryRedirect,
    StoryTerm,
)
from briefings.stories.places import by_country, find
from briefings.stories.recent import recent_candidates
from briefings.stories.similarity import (
    DEFAULT_WEIGHTS,
    Idf,
    Signature,
    Weights,
    signature,
    text_terms,
)

INDEXED_TERMS = PROBE_TERMS * 2  # postings stored per article
_CHUNK = 500
# PostgreSQL advisory lock key ("STOR"): one story decision at a time.
ASSIGNMENT_LOCK = 0x53544F52


def serialize_assignments():
    """Hold, until the current transaction ends, the network-wide lock on story
    decisions (issue #17), so that two workers storing reports of one event at
    once never each start a story: the second decides after the first's rows
    are committed, and sees them. On PostgreSQL a transaction-scoped advisory
    lock; SQLite's transactions begin IMMEDIATE (settings), which already lets
    one writer in at a time. Every writer of stories takes it first: the live
    assignment, the re-check and the editors' merges and splits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ASSIGNMENT_LOCK])


def rule():
    """Return the decision rule from the settings."""
    weights = Weights(
        names=DEFAULT_WEIGHTS.names,
        half_life_days=DEFAULT_WEIGHTS.half_life_days,
        window_days=settings.BRIEFINGS_STORY_WINDOW_DAYS,
    )
    return Rule(weights=weights, threshold=settings.BRIEFINGS_STORY_THRESHOLD)


def article_text(article):
    """Return (headline, body) as the similarity reads them."""
    return article.headline or "", f"{article.dek or ''}\n{article.body_text or ''}"


def content_key(article):
    headline, body = article_text(article)
    stamp = int(article.published_at.timestamp())
    return hashlib.sha256(f"{stamp}\0{headline}\0{body}".encode()).hexdigest()


def stored_idf(term_set):
    """Return an Idf holding the stored document frequencies of `term_set`."""
    wanted = sorted(term_set) + [""]
    table = DocumentFrequency._meta.db_table
    df = {}
    with connection.cursor() as cursor:
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT term, df FROM {table} WHERE term IN ({marks})", chunk
            )
            df.update(cursor.fetchall())
    return Idf(df, df.pop("", 0))


def count_documents(term_sets):
    """Add one document per set to the stored document frequencies."""
    counts = Counter(term for term_set in term_sets for term in term_set)
    counts[""] = len(term_sets)
    table = DocumentFrequency._meta.db_table
    sql = (
        f"INSERT INTO {table} (term, df) VALUES (%s, %s) ON CONFLICT (term) "
        f"DO UPDATE SET df = {table}.df + excluded.df"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, sorted(counts.items()))


def to_signature(row):
    """Return the Signature of a stored ArticleSignature."""
    return Signature(
        at=row.at,
        terms=row.terms,
        names=frozenset(row.names),
        simhash=row.simhash,
        countries=frozenset(row.countries),
        lead=row.lead,
    )


def _candidates(article, sig, window, in_memory=False):
    probe = sig.top(PROBE_TERMS)
    if not probe:
        return []
    ids = None
    if in_memory:
        ids = recent_candidates(probe, sig.at, window, article.pk, CANDIDATES)
    if ids is None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT article_id FROM {StoryTerm._meta.db_table} "
                f"WHERE term IN ({', '.join(['%s'] * len(probe))}) "
                "AND at >= %s AND at <= %s AND article_id <> %s "
                "GROUP BY article_id ORDER BY SUM(weight) DESC, article_id LIMIT %s",
                [*probe, sig.at - window, sig.at + window, article.pk, CANDIDATES],
            )
            ids = [row[0] for row in cursor.fetchall()]
    found = stored_signatures(ids)
    return [found[i] for i in ids if i in found]


_SIGNATURES_SQL = (
    "SELECT s.article_id, s.at, s.terms, s.names, s.simhash, s.countries, s.lead, "
    "m.story_id, "
    "t.first_published_at, t.last_published_at FROM {signatures} s "
    "JOIN {memberships} m ON m.article_id = s.article_id "
    "JOIN {stories} t ON t.id = m.story_id WHERE s.article_id IN ({marks})"
)


def stored_signatures(ids):
    """Return {article id: (article id, Signature, story id, (first, last))} of
    the assigned articles among `ids`, in one query read as raw rows: it is the
    assignment's hottest read, and the ORM's reading of it (JSON and time
    fields, a model per row) took twice as long as the query."""
    if not ids:
        return {}
    sql = _SIGNATURES_SQL.format(
        signatures=ArticleSignature._meta.db_table,
        memberships=StoryMembership._meta.db_table,
        stories=Story._meta.db_table,
        marks=", ".join(["%s"] * len(ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        rows = cursor.fetchall()
    found = {}
    for pk, at, terms, names, simhash, countries, lead, story, first, last in rows:
        sig = Signature(
            at=at,
            terms=_json(terms),
            names=frozenset(_json(names)),
            simhash=simhash,
            countries=frozenset(_json(countries)),
            lead=_json(lead),
        )
        found[pk] = (pk, sig, story, (_epoch(first), _epoch(last)))
    return found


_LATEST_SQL = (
    "SELECT s.at, s.terms, s.names, s.simhash, s.countries, s.lead "
    "FROM {signatures} s JOIN {memberships} m ON m.article_id = s.article_id "
    "WHERE m.story_id = %s ORDER BY s.at DESC, s.article_id DESC LIMIT %s"
)


def latest_members(story_id):
    """Return the signatures of story `story_id`'s RECENT latest members (one
    raw query: it runs for each candidate story an article would join)."""
    sql = _LATEST_SQL.format(
        signatures=ArticleSignature._meta.db_table,
        memberships=StoryMembership._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [story_id, RECENT])
        rows = cursor.fetchall()
    return [
        Signature(
            at=at,
            terms=_json(terms),
            names=frozenset(_json(names)),
            simhash=simhash,
            countries=frozenset(_json(countries)),
            lead=_json(lead),
        )
        for at, terms, names, simhash, countries, lead in rows
    ]


def _json(value):
    """A JSON column read raw: text on SQLite, decoded already on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def _epoch(moment):
    """Seconds since the epoch of a datetime read raw (SQLite's are naive UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _own_transaction():
    """Tell whether this assignment runs alone in its transaction (at most the
    upsert's own around it), where the in-memory postings (recent.py) can only
    have read committed rows. In a wider or a test case's transaction, which may
    roll back what they read, the candidates come from the database."""
    blocks = connection.atomic_blocks
    return len(blocks) <= 1 and not any(
        getattr(block, "_from_testcase", False) for block in blocks
    )


def _join(story_id, article):
    """Add `article` to story `story_id` with one UPDATE (count, bounds, and the
    first report when `article` is older than it); return whether the story
    was there to join. Raw SQL: the ORM's form of this UPDATE cost more to
    build than to run."""
    at = connection.ops.adapt_datetimefield_value(article.published_at)
    bigger, smaller = (
        ("MAX", "MIN") if connection.vendor == "sqlite" else ("GREATEST", "LEAST")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Story._meta.db_table} SET article_count = article_count + 1, "
            f"last_published_at = {bigger}(last_published_at, %s), "
            "first_report_id = CASE WHEN first_published_at > %s "
            "THEN %s ELSE first_report_id END, "
            "headline = CASE WHEN first_published_at > %s AND lead_id IS NULL "
            "THEN %s ELSE headline END, "
            f"first_published_at = {smaller}(first_published_at, %s) WHERE id = %s",
            [at, at, article.pk, at, (article.headline or "")[:500], at, story_id],
        )
        return cursor.rowcount > 0


def insert_rows(model, columns, rows):
    """Insert `rows` (tuples of `columns`) into `model`'s table in one statement."""
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def refresh_story(story):
    """Recompute a story's bounds, first report and count; delete it if empty."""
    members = list(
        StoryMembership.objects.filter(story=story)
        .select_related("article")
        .order_by("article__published_at", "article_id")
    )
    if not members:
        story.delete()
        return None
    first = members[0].article
    story.first_published_at = first.published_at
    story.last_published_at = max(m.article.published_at for m in members)
    story.first_report = first
    leads = [m.article for m in members if m.article_id == story.lead_id]
    story.lead = leads[0] if leads else None  # an editor's lead, while a member
    story.headline = (story.lead or first).headline[:500]
    story.article_count = len(members)
    story.save()
    return story


def withdraw_signature(article):
    """Delete what is stored of `article`'s text: postings, signature, places."""
    StoryTerm.objects.filter(article=article).delete()
    ArticleSignature.objects.filter(article=article).delete()
    ArticlePlace.objects.filter(article=article).delete()


def withdraw(article):
    """Take `article` out of the stories (its story survives only if not empty)."""
    membership = StoryMembership.objects.filter(article=article).first()
    withdraw_signature(article)
    if membership:
        story = membership.story
        membership.delete()
        refresh_story(story)


def place_rows(article, found=None):
    """Return (article id, kind, name, country, mentions, at) of each place and
    person `article` mentions, in a stable order (the rebuild inserts these);
    `found` is places.find's reading of its text when the caller has it."""
    if found is None:
        found = find(*article_text(article))
    at = int(article.published_at.timestamp())
    return [
        (article.pk, place.kind, place.name, place.country, mentions, at)
        for place, mentions in sorted(found.items())
    ]


PLACE_COLUMNS = ("article_id", "kind", "name", "country", "mentions", "at")
SIGNATURE_COLUMNS = (
    "article_id",
    "at",
    "content_key",
    "simhash",
    "terms",
    "names",
    "countries",
    "lead",
)
POSTING_COLUMNS = ("term", "at", "article_id", "weight")


def signature_row(pk, key, sig):
    """Return the SIGNATURE_COLUMNS row storing `sig`, article `pk`'s signature
    of content key `key` (the assignment, the rebuild and the re-check store it)."""
    return (
        pk,
        sig.at,
        key,
        sig.simhash,
        json.dumps(sig.terms),
        json.dumps(sorted(sig.names)),
        json.dumps(sorted(sig.countries)),
        json.dumps(sig.lead),
    )


def posting_rows(pk, sig):
    """Return the POSTING_COLUMNS rows indexing article `pk` by its strongest terms."""
    return [(t, sig.at, pk, sig.terms[t]) for t in sig.top(INDEXED_TERMS)]


def save_places(articles):
    """Store the places and people `articles` mention (none stored before)."""
    insert_rows(
        ArticlePlace,
        PLACE_COLUMNS,
        [row for article in articles for row in place_rows(article)],
    )


def _join_best(article, sig, current, in_memory):
    """Put `article` (signed `sig`) in the story it matches best, or a new one,
    by the rule `current`; return its new StoryMembership."""
    candidates = _candidates(article, sig, current.window, in_memory)
    scored = [
        (current.score(sig, other), story_id) for _, other, story_id, _ in candidates
    ]
    spans = {story_id: span for _, _, story_id, span in candidates}
    story_id, value = choose_story(sig.at, scored, spans, current, latest_members, sig)
    if story_id is not None and not _join(story_id, article):
        # Merged away (an editor's merge or a re-check) since the candidates
        # were read: join the story that took it, else start one.
        story_id = (
            StoryRedirect.objects.filter(old_id=story_id)
            .values_list("story_id", flat=True)
            .first()
        )
        if story_id is not None and not _join(story_id, article):
            story_id = None
    if story_id is None:
        story_id = Story.objects.create(
            first_published_at=article.published_at,
            last_published_at=article.published_at,
            first_report=article,
            headline=(article.headline or "")[:500],
            article_count=1,
        ).pk
        value = 1.0
    return StoryMembership.objects.create(
        article=article, story_id=story_id, score=round(value, 4)
    )


def assign_article(article):
    """Put `article` in its story and return its StoryMembership."""
    key = content_key(article)
    stored = (
        ArticleSignature.objects.filter(article=article)
        .values_list("content_key", flat=True)
        .first()
    )
    if stored == key:
        membership = StoryMembership.objects.filter(article=article).first()
        if membership:
            return membership
    current = rule()
    headline, body = article_text(article)
    term_list = text_terms(headline, body)
    term_set = set(term_list)
    at = int(article.published_at.timestamp())
    in_memory = _own_transaction()
    with transaction.atomic():
        serialize_assignments()
        # An article an editor placed (editing.py) stays in its story whatever
        # its new version says: only its signature is stored again.
        placed = (
            StoryMembership.objects.filter(article=article, pinned_by_editor=True)
            .select_related("story")
            .first()
            if stored
            else None
        )
        if placed:
            withdraw_signature(article)
        elif stored:
            withdraw(article)
        else:
            count_documents([term_set])
        found = find(headline, body)
        sig = signature(
            headline, body, at, stored_idf(term_set), term_list, by_country(found)
        )
        if placed:
            membership = placed
            refresh_story(placed.story)
        else:
            membership = _join_best(article, sig, current, in_memory)
        insert_rows(
            ArticleSignature, SIGNATURE_COLUMNS, [signature_row(article.pk, key, sig)]
        )
        insert_rows(StoryTerm, POSTING_COLUMNS, posting_rows(article.pk, sig))
        insert_rows(ArticlePlace, PLACE_COLUMNS, place_rows(article, found))
    return membership
