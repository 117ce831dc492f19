"""Keyset pagination for rivers: stable while new stories arrive on top."""

from datetime import UTC, datetime

from django.db.models import Q
from django.http import Http404

from briefings.web import rivers

PAGE_SIZE = 30


def encode_cursor(article):
    micros = int(article.published_at.timestamp() * 1_000_000)
    return f"{micros}-{article.pk}"


def decode_cursor(value):
    """Return (published_at, pk) from a cursor; Http404 on anything malformed."""
    try:
        micros, pk = value.split("-", 1)
        when = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        pk = int(pk)
    except (ValueError, OverflowError, OSError):
        raise Http404("no such page") from None
    if pk < 0 or len(value) > 40:
        raise Http404("no such page")
    return when, pk


def page_after(queryset, cursor, size=PAGE_SIZE):
    """Return (articles, next_cursor) for the page after `cursor` ("" = first)."""
    if cursor:
        when, pk = decode_cursor(cursor)
        queryset = queryset.filter(
            Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk)
        )
    articles = rivers.load(queryset, size + 1)
    more = len(articles) > size
    articles = articles[:size]
    return articles, (encode_cursor(articles[-1]) if more else "")
