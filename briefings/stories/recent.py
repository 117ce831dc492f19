"""A per-process, in-memory copy of the inverted index (StoryTerm) for the
articles published since a moment (a couple of windows back), so that finding a
live article's candidates costs no GROUP BY query.

The range is read once (the signatures in it by their time index, then their
postings), then kept current incrementally: postings get increasing ids as any
process writes them (AUTOINCREMENT; on SQLite writers are serialized, so ids
become visible in order), so each use reads only the rows past the last id seen,
usually none or one article's worth. Postings of a withdrawn or changed article
stay until the range is read again (at most TTL seconds): they can only propose
a candidate, which is then scored from its stored signature or skipped. As time
moves on, postings older than a window behind the newest article are dropped, so
memory holds about two windows of postings (capped at MAX_POSTINGS, ~150 bytes
each; a busier range is left to the database).

Used only for live articles (within a window of the newest stored one) and
outside an enclosing transaction; backfills and tests take the SQL path.
"""

import time
from collections import defaultdict

from django.db import connection

from briefings.stories.models import ArticleSignature, StoryTerm

MAX_POSTINGS = 1_000_000  # a range holding more is not kept in memory
REFRESH_LIMIT = 5_000  # more new postings than this: read the range afresh
TTL = 600  # seconds before the range is read afresh
_CHUNK = 900


class RecentPostings:
    """Postings of the articles published at or after `low`."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.low = None
        self.by_term = defaultdict(list)  # term -> [(at, article id, weight)]
        self.last_id = 0
        self.size = 0
        self.loaded = 0.0

    def covers(self, low):
        return (
            self.low is not None
            and self.low <= low
            and time.monotonic() - self.loaded < TTL
        )

    def load(self, low):
        """Read the postings of the articles published at or after `low`;
        return False (and keep nothing) when there are too many."""
        self.reset()
        last = StoryTerm.objects.order_by("-id").values_list("id", flat=True).first()
        ids = list(
            ArticleSignature.objects.filter(at__gte=low).values_list(
                "article_id", flat=True
            )
        )
        for i in range(0, len(ids), _CHUNK):
            rows = StoryTerm.objects.filter(
                article_id__in=ids[i : i + _CHUNK], id__lte=last or 0
            ).values_list("term", "at", "article_id", "weight")
            for term, at, article_id, weight in rows:
                self.by_term[term].append((at, article_id, weight))
                self.size += 1
            if self.size > MAX_POSTINGS:
                self.reset()
                return False
        self.low = low
        self.last_id = last or 0
        self.loaded = time.monotonic()
        return True

    def refresh(self):
        """Add the postings written since the last look (by any process); return
        False when there were too many to add one by one."""
        # Raw SQL: this runs on every live assignment, usually to find nothing
        # or one article's postings, and the ORM took longer to build it.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, term, at, article_id, weight FROM "
                f"{StoryTerm._meta.db_table} WHERE id > %s ORDER BY id LIMIT %s",
                [self.last_id, REFRESH_LIMIT + 1],
            )
            rows = cursor.fetchall()
        if len(rows) > REFRESH_LIMIT:
            return False
        for posting_id, term, at, article_id, weight in rows:
            if at >= self.low:
                self.by_term[term].append((at, article_id, weight))
                self.size += 1
            self.last_id = posting_id
        return self.size <= MAX_POSTINGS

    def evict(self, before):
        """Drop the postings of articles published before `before`."""
        size = 0
        for term in list(self.by_term):
            kept = [posting for posting in self.by_term[term] if posting[0] >= before]
            if kept:
                self.by_term[term] = kept
                size += len(kept)
            else:
                del self.by_term[term]
        self.low, self.size = before, size

    def candidates(self, probe, low, high, exclude, limit):
        """Return up to `limit` article ids with postings of the `probe` terms
        within [low, high], by summed posting weight (ties: smaller id), as the
        SQL lookup ranks them."""
        totals = defaultdict(float)
        for term in probe:
            for at, article_id, weight in self.by_term.get(term, ()):
                if low <= at <= high and article_id != exclude:
                    totals[article_id] += weight
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return [article_id for article_id, _ in ranked[:limit]]


_recent = RecentPostings()


def recent_candidates(probe, at, window, exclude, limit):
    """Return candidate article ids from the in-memory postings, or None when
    the caller must ask the database (see the module's docstring)."""
    low, high = at - window, at + window
    if not _recent.covers(low):
        newest = (
            ArticleSignature.objects.order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        if newest is None or at < newest - window:
            return None  # a backfill: not worth a range in memory
        if not _recent.load(at - 2 * window):
            return None
    elif not _recent.refresh():
        _recent.reset()
        return None
    elif low - _recent.low > 2 * window:
        _recent.evict(low - window)
    return _recent.candidates(probe, low, high, exclude, limit)


def forget():
    """Drop the in-memory postings (after a rebuild, and between tests)."""
    _recent.reset()
