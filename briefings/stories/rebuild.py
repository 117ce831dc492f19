"""Recompute stories from the stored articles: all of them (`rebuild`) or the
recent ones (`recheck`, the periodic re-check that merges and splits what the
one-at-a-time assignment got wrong).

Articles are grouped in memory in publication order (cluster.Clusterer), then
the result is reconciled with the stored stories: each new group keeps the id of
the stored story that holds most of its articles, so rerunning changes nothing.
"""

import multiprocessing
import os
from collections import Counter, deque
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, connections, transaction
from django.db.models import Q

from briefings.articles.models import Article
from briefings.stories.assign import (
    PLACE_COLUMNS,
    POSTING_COLUMNS,
    SIGNATURE_COLUMNS,
    article_text,
    content_key,
    count_documents,
    insert_rows,
    place_rows,
    posting_rows,
    rule,
    serialize_assignments,
    signature_row,
    stored_idf,
    withdraw_signature,
)
from briefings.stories.cluster import Clusterer
from briefings.stories.models import (
    ArticlePlace,
    ArticleSignature,
    DocumentFrequency,
    Pin,
    Story,
    StoryMembership,
    StoryRedirect,
    StoryTerm,
)
from briefings.stories.places import by_country, find
from briefings.stories.recent import forget
from briefings.stories.similarity import Idf, signature, text_terms

_FIELDS = ("id", "headline", "dek", "body_text", "published_at")
_BATCH = 2000
_CHUNK = 500  # articles a worker reads and signs at a time
PARALLEL_FROM = 4000  # articles; a smaller rebuild stays in this process
WORKERS = max(1, min(4, os.cpu_count() or 1))
AHEAD = 2 * WORKERS  # chunks handed to the workers ahead of the one being stored


def _articles(since=None):
    articles = Article.objects.only(*_FIELDS).order_by("published_at", "id")
    if since is not None:
        articles = articles.filter(published_at__gte=since)
    return articles


def held_by_editors():
    """Return the ids of the articles no regrouping may move: the members of a
    story an editor locked, and those an editor placed (stories/editing.py)."""
    return set(
        StoryMembership.objects.filter(
            Q(story__locked_by_editor=True) | Q(pinned_by_editor=True)
        ).values_list("article_id", flat=True)
    )


def _group(articles, idf_for, on_signature, held=frozenset()):
    """Sign `articles` and group them in order, except those `held` (only
    signed): they and their stories stay as they are."""
    clusterer = Clusterer(rule())
    scores, meta = {}, {}
    for article in articles:
        headline, body = article_text(article)
        term_list = text_terms(headline, body)
        at = int(article.published_at.timestamp())
        found = find(headline, body)
        idf = idf_for(set(term_list))
        sig = signature(headline, body, at, idf, term_list, by_country(found))
        on_signature(article, sig, found)
        if article.pk in held:
            continue
        _, value = clusterer.add(article.pk, sig)
        scores[article.pk] = round(value, 4)
        meta[article.pk] = (article.published_at, (article.headline or "")[:500])
    return clusterer.stories(), scores, meta


_STORY_FIELDS = (
    "first_published_at",
    "last_published_at",
    "first_report_id",
    "headline",
    "article_count",
)


def _story_fields(members, meta):
    ordered = sorted(members, key=lambda pk: (meta[pk][0], pk))
    first = ordered[0]
    return {
        "first_published_at": meta[first][0],
        "last_published_at": max(meta[pk][0] for pk in members),
        "first_report_id": first,
        "headline": meta[first][1],
        "article_count": len(members),
    }


class _Reconciler:
    """Store groups of articles as stories, keeping story ids: each group takes
    the stored story holding most of its articles and not taken yet. Groups are
    stored batch by batch, oldest first (a streaming rebuild hands over each
    batch of stories once they are closed); `finish()` then deletes the stored
    stories no group took, and returns the number of stored changes."""

    def __init__(self):
        self.claimed = set()  # stored story ids a group took
        self.touched = set()  # stored story ids holding an article regrouped
        self.went_to = {}  # stored story id -> Counter of the ids its articles took
        self.changes = 0

    def store(self, groups, scores, meta):
        """Store `groups` ({seed article id: [article ids]}); `scores` and
        `meta` give each article's joining score and (published_at, headline)."""
        ids = [pk for members in groups.values() for pk in members]
        current = {}
        for i in range(0, len(ids), 900):
            current.update(
                StoryMembership.objects.filter(
                    article_id__in=ids[i : i + 900]
                ).values_list("article_id", "story_id")
            )
        stored = Story.objects.in_bulk(set(current.values()))
        self.touched.update(stored)
        new_stories, updated, target = [], [], {}
        for seed in sorted(groups, key=lambda s: (meta[s][0], s)):
            members = groups[seed]
            fields = _story_fields(members, meta)
            votes = Counter(current[m] for m in members if m in current)
            ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0]))
            story_id = next((s for s, _ in ranked if s not in self.claimed), None)
            if story_id is None:
                story = Story(**fields)
                new_stories.append((story, members))
                continue
            self.claimed.add(story_id)
            story = stored[story_id]
            if any(getattr(story, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(story, k, v)
                updated.append(story)
            for member in members:
                target[member] = story_id
        Story.objects.bulk_create([story for story, _ in new_stories], batch_size=2000)
        for story, members in new_stories:
            for member in members:
                target[member] = story.pk
        if updated:
            Story.objects.bulk_update(updated, list(_STORY_FIELDS), 2000)
        for pk in ids:
            if pk in current:
                self.went_to.setdefault(current[pk], Counter())[target[pk]] += 1
        moved = [pk for pk in ids if pk in current and current[pk] != target[pk]]
        moved_set = set(moved)
        for i in range(0, len(moved), 900):
            StoryMembership.objects.filter(article_id__in=moved[i : i + 900]).delete()
        StoryMembership.objects.bulk_create(
            [
                StoryMembership(article_id=pk, story_id=target[pk], score=scores[pk])
                for pk in ids
                if pk not in current or pk in moved_set
            ],
            batch_size=5000,
        )
        self.changes += len(new_stories) + len(updated) + len(moved)

    def finish(self):
        emptied = sorted(self.touched - self.claimed)
        self._redirect(emptied)
        for i in range(0, len(emptied), 900):
            Story.objects.filter(pk__in=emptied[i : i + 900]).delete()
        return self.changes + len(emptied)

    def _redirect(self, emptied):
        """Point each emptied story's address (and the addresses already
        pointing to it, and its pins) at the story that took most of its
        articles."""
        for old in emptied:
            counts = self.went_to.get(old)
            if not counts:
                continue
            new = min(counts, key=lambda s: (-counts[s], s))
            StoryRedirect.objects.filter(story_id=old).update(story_id=new)
            Pin.objects.filter(story_id=old).update(story_id=new)  # pins follow
            StoryRedirect.objects.update_or_create(
                old_id=old, defaults={"story_id": new}
            )


def _reconcile(groups, scores, meta):
    """Store `groups` in one go (see _Reconciler); return the stored changes."""
    reconciler = _Reconciler()
    reconciler.store(groups, scores, meta)
    return reconciler.finish()


def _read(ids):
    """Return the articles of `ids`, in that order."""
    found = Article.objects.only(*_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _count_chunk(ids):
    """Return (documents, document frequencies) of the articles `ids`."""
    df, n = Counter(), 0
    for article in _read(ids):
        df.update(set(text_terms(*article_text(article))))
        n += 1
    return n, df


_IDF = None  # the rebuild's Idf, inherited by the signing workers


def _sign_chunk(ids):
    """Return ([(article id, content key, signature, published_at, headline)],
    the place rows of those articles)."""
    out, places = [], []
    for article in _read(ids):
        headline, body = article_text(article)
        found = find(headline, body)
        places.extend(place_rows(article, found))
        at = int(article.published_at.timestamp())
        sig = signature(headline, body, at, _IDF, countries=by_country(found))
        out.append(
            (
                article.pk,
                content_key(article),
                sig,
                article.published_at,
                headline[:500],
            )
        )
    return out, places


@contextmanager
def _mapper(chunks):
    """Give a map(function) that yields function(chunk) for every chunk, in
    order: in worker processes (forked here, each opening its own database
    connection) when there are many chunks, else in this process."""
    if len(chunks) * _CHUNK < PARALLEL_FROM or WORKERS < 2:
        yield lambda function: map(function, chunks)
        return
    connections.close_all()  # forked workers must not share this connection
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        yield lambda function: _in_order(pool, function, chunks)


def _in_order(pool, function, chunks):
    """Yield function(chunk) for every chunk, in order, computed by `pool` at
    most AHEAD chunks ahead of the consumer (Pool.imap would queue every result
    the workers make faster than this process stores them: the whole archive)."""
    pending = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(function, (chunk,)))
        if len(pending) >= AHEAD:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def rebuild():
    """Recompute every story from all stored articles; return the number of
    stored changes (0 when nothing needed to change).

    Reading and signing the articles runs in WORKERS processes (twice: document
    frequencies first, then the signatures with them); grouping and writing run
    here, in one transaction, streamed: signatures, postings and places are
    inserted batch by batch as they come, and each story is stored once it is
    closed (no later article can join it), so memory holds the open stories and
    the document frequencies, not the whole archive."""
    global _IDF
    ids = list(
        Article.objects.order_by("published_at", "id").values_list("id", flat=True)
    )
    chunks = [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    del ids
    idf = Idf()
    with _mapper(chunks) as mapped:
        for n, df in mapped(_count_chunk):
            idf.n += n
            for term, count in df.items():
                idf.df[term] = idf.df.get(term, 0) + count
    _IDF = idf  # set before the signing workers fork, so they inherit it
    clusterer = Clusterer(rule(), streaming=True)
    held = held_by_editors()
    reconciler = _Reconciler()
    scores, meta = {}, {}

    def store(groups):
        if groups:
            members = [pk for group in groups.values() for pk in group]
            reconciler.store(groups, scores, meta)
            for pk in members:
                del scores[pk], meta[pk]

    try:
        with _mapper(chunks) as mapped, transaction.atomic():
            serialize_assignments()
            for model in (DocumentFrequency, StoryTerm, ArticleSignature, ArticlePlace):
                model.objects.all().delete()
            df_rows = sorted(idf.df.items())
            df_rows.append(("", idf.n))
            insert_rows(DocumentFrequency, ("term", "df"), df_rows)
            del df_rows
            for batch, places in mapped(_sign_chunk):
                signatures, terms = [], []
                for pk, key, sig, published_at, headline in batch:
                    signatures.append(signature_row(pk, key, sig))
                    terms.extend(posting_rows(pk, sig))
                    if pk in held:  # stays where an editor put it
                        continue
                    _, value = clusterer.add(pk, sig)
                    scores[pk] = round(value, 4)
                    meta[pk] = (published_at, headline)
                insert_rows(ArticleSignature, SIGNATURE_COLUMNS, signatures)
                insert_rows(StoryTerm, POSTING_COLUMNS, terms)
                insert_rows(ArticlePlace, PLACE_COLUMNS, places)
                store(clusterer.take_closed())
            store(clusterer.take_closed(everything=True))
            changes = reconciler.finish()
            Story.objects.filter(members__isnull=True).delete()
    finally:
        _IDF = None
        forget()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # Fold the rebuild's large write-ahead log into the database now, so
        # that the next live assignments do not pay for it at a checkpoint.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return changes


def recheck(days=3, now=None):
    """Regroup the articles of the `days` days to `now` (plus one window before,
    so their stories are seen whole) by the live rule, which splits a story
    whose members no longer hold together; return the number of stored changes.
    The stories an editor locked, and the articles an editor placed, are left
    as they are (held_by_editors)."""
    from django.utils import timezone

    since = (
        (now or timezone.now())
        - timedelta(days=days)
        - timedelta(days=rule().weights.window_days)
    )
    with transaction.atomic():
        serialize_assignments()  # read the stories as the last decision left them
        articles = list(_articles(since))
        fresh = [a for a in articles if not _stored(a)]
        fresh_ids = {a.pk for a in fresh}
        for article in fresh:
            withdraw_signature(article)
        count_documents([set(text_terms(*article_text(a))) for a in fresh])
        signatures, terms, places = [], [], []

        def keep(article, sig, found):
            if article.pk in fresh_ids:
                signatures.append(signature_row(article.pk, content_key(article), sig))
                terms.extend(posting_rows(article.pk, sig))
                places.extend(place_rows(article, found))

        groups, scores, meta = _group(articles, stored_idf, keep, held_by_editors())
        insert_rows(ArticleSignature, SIGNATURE_COLUMNS, signatures)
        insert_rows(StoryTerm, POSTING_COLUMNS, terms)
        insert_rows(ArticlePlace, PLACE_COLUMNS, places)
        return _reconcile(groups, scores, meta)


def _stored(article):
    """Tell whether `article`'s stored signature is of its current text and
    complete (signatures stored before stories/0006 have no lead: signed again)."""
    return (
        ArticleSignature.objects.filter(
            article=article, content_key=content_key(article)
        )
        .exclude(lead={})
        .exists()
    )


def recheck_recent(now):
    """The scheduler's periodic job: regroup the last 3 days' stories."""
    return recheck(days=3, now=now)
