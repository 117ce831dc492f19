"""The stories that lead a front page: the most covered of the last days.

"Most covered" is the number of reports a story has gathered (Story.
article_count, kept by the assignment); a story counts as recent when it began
within RECENT. What is returned are the stories' first reports, published and
not hidden, ready for cards.
"""

from datetime import timedelta

from django.utils import timezone

from briefings.articles.models import Article
from briefings.stories.models import Story

RECENT = timedelta(days=2)


def most_covered(limit=100, since=None):
    """Return [(first report id, its publication id)] of the `limit` most
    covered recent stories, most covered first, newest first among equals
    (a front page picks its lead and each region's top from them).

    Two queries: the stories alone (the first_published_at index), then their
    first reports by id. One join let SQLite walk every article instead (a
    second at 100,000 articles with no story at all)."""
    now = timezone.now()
    ids = list(
        Story.objects.filter(
            first_published_at__gte=since or now - RECENT, first_report__isnull=False
        )
        .order_by("-article_count", "-last_published_at", "-id")
        .values_list("first_report_id", flat=True)[:limit]
    )
    shown = dict(
        Article.objects.published()
        .filter(pk__in=ids)
        .values_list("id", "publication_id")
    )
    return [(pk, shown[pk]) for pk in ids if pk in shown]
