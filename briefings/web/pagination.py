"""Keyset pagination for rivers: stable while new stories arrive on top, and
interleaved so that one busy paper does not flood a page (issue #14).

A page takes the stories newest first, but a paper gets at most a third of the
page (`share_cap`) while other papers have stories from the same day (within a
day of its story); its
further stories are held back for the next pages, not lost. The cursor says
where the river goes on: "<boundary>" (everything older is still to come), and
for each paper held back "~<paper id>:<key>" (its stories from that key down to
the boundary are still to come as well). Keys are "<microseconds>-<id>".
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.http import Http404

from briefings.web import rivers

PAGE_SIZE = 30
# How far ahead a page looks for other papers' stories to interleave (in
# pages): each row costs (10 pages took 16 ms more per home page at 100,000
# articles; 4 finds the others behind a paper's burst of 3 pages' worth).
LOOKAHEAD = 4
DAY = timedelta(days=1)  # "the same day": within a day, whatever the zones
MAX_HELD = 64  # papers held back in one cursor; more is not a cursor we made


def share_cap(size):
    return max(1, size // 3)


def _key(article_row):
    _, _, published_at = article_row
    return (published_at, article_row[0])


def encode_key(published_at, pk):
    return f"{int(published_at.timestamp() * 1_000_000)}-{pk}"


def encode_cursor(article):
    return encode_key(article.published_at, article.pk)


def decode_key(value):
    """Return (published_at, pk) from a key; Http404 on anything malformed."""
    try:
        micros, pk = value.split("-", 1)
        when = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        pk = int(pk)
    except (ValueError, OverflowError, OSError):
        raise Http404("no such page") from None
    if pk < 0 or len(value) > 40:
        raise Http404("no such page")
    return when, pk


def decode_cursor(value):
    """Return (boundary key, {paper id: held key}); Http404 when malformed."""
    boundary, *held_parts = value.split("~")
    if len(held_parts) > MAX_HELD:
        raise Http404("no such page")
    held = {}
    for part in held_parts:
        paper, _, key = part.partition(":")
        if not paper.isdigit() or len(paper) > 12:
            raise Http404("no such page")
        held[int(paper)] = decode_key(key)
    return decode_key(boundary), held


def _older(key):
    when, pk = key
    return Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk)


def _rows(queryset, limit):
    return list(queryset.values_list("id", "publication_id", "published_at")[:limit])


def _candidates(queryset, cursor, limit):
    """Return (rows still to come newest first, the cursor's boundary key or
    None): the boundary's stream and each held paper's stories between its
    key (inclusive) and the boundary. Held rows are all newer than the
    boundary's, so the rows are a prefix of what is still to come."""
    if not cursor:
        return _rows(queryset, limit), None
    boundary, held = decode_cursor(cursor)
    rows = _rows(queryset.filter(_older(boundary)), limit)
    for paper, key in held.items():
        due = queryset.filter(publication_id=paper).exclude(_older(boundary))
        due = due.filter(_older(key) | Q(published_at=key[0], pk=key[1]))
        rows += _rows(due, limit)
    return sorted(set(rows), key=_key, reverse=True), boundary


def _others_within_a_day(rows, index):
    """Whether a paper other than rows[index]'s has a story still to come
    (later in `rows`, so older) within a day of it."""
    paper, at = rows[index][1], rows[index][2]
    for other in rows[index + 1 :]:
        if at - other[2] > DAY:
            return False
        if other[1] != paper:
            return True
    return False


def choose(rows, size):
    """Return (chosen rows, how many rows were examined).

    A paper that has its share of the page (share_cap) while another paper has
    a story still to come from within a day of it is held back from there on (its
    stories keep their order). When the rows run out before the page is full,
    the held stories fill it, newest first (each paper's in order)."""
    chosen, held, held_rows, counts, examined = [], set(), [], Counter(), 0
    cap = share_cap(size)
    for index, row in enumerate(rows):
        if len(chosen) == size:
            break
        examined += 1
        paper = row[1]
        if paper in held or (
            counts[paper] >= cap and _others_within_a_day(rows, index)
        ):
            held.add(paper)
            held_rows.append(row)
            continue
        chosen.append(row)
        counts[paper] += 1
    chosen += held_rows[: size - len(chosen)]
    return sorted(chosen, key=_key, reverse=True), examined


def next_cursor(rows, chosen, examined, boundary):
    """The cursor after a page: the boundary moves down to the last row
    examined (never up), and each paper with stories not shown above the
    boundary is held from its newest such story."""
    if not examined:
        return ""
    last = _key(rows[examined - 1])
    boundary = last if boundary is None else min(boundary, last)
    shown = {row[0] for row in chosen}
    held = {}
    for row in rows:  # newest first: the first one a paper has is its newest
        if row[0] not in shown and _key(row) >= boundary:
            held.setdefault(row[1], row)
    if not held and examined == len(rows):
        return ""
    return "~".join(
        [encode_key(*boundary)]
        + [f"{paper}:{encode_key(row[2], row[0])}" for paper, row in held.items()]
    )


def page_after(queryset, cursor, size=PAGE_SIZE):
    """Return (articles, next_cursor) for the page after `cursor` ("" = first)."""
    limit = size * LOOKAHEAD + 1
    rows, boundary = _candidates(queryset, cursor, limit)
    chosen, examined = choose(rows, size)
    following = next_cursor(rows, chosen, examined, boundary)
    found = rivers.cards([row[0] for row in chosen])
    return [found[row[0]] for row in chosen if row[0] in found], following
