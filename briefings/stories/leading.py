"""The stories that lead a front page: the most covered of the last days.

"Most covered" is the number of reports a story has gathered (Story.
article_count, kept by the assignment); a story counts as recent when it began
within RECENT. What is returned are the stories' first reports (or the lead an
editor chose), published and not hidden, ready for cards. Editors' pins
(`pinned`) go above them.
"""

from datetime import timedelta

from django.db.models.functions import Coalesce
from django.utils import timezone

from briefings.articles.models import Article
from briefings.stories.models import Pin, Story

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
        .values_list(Coalesce("lead_id", "first_report_id"), flat=True)[:limit]
    )
    shown = dict(
        Article.objects.published()
        .filter(pk__in=ids)
        .values_list("id", "publication_id")
    )
    return [(pk, shown[pk]) for pk in ids if pk in shown]


def pinned(now=None):
    """Return (front, {region id: ids}): the ids of the articles editors pinned
    to the top of the front page and to the top of a region's section (the
    article's paper's region), newest pin first, published, not hidden and not
    expired. A pinned story shows its lead (or first report) as it is now."""
    pins = Pin.objects.active(now).select_related("story").order_by("-pinned_at", "-id")
    wanted = [
        (pin.place, pin.story.leading_article_id if pin.story_id else pin.article_id)
        for pin in pins
    ]
    region_of = dict(
        Article.objects.published()
        .filter(pk__in=[pk for _, pk in wanted])
        .values_list("id", "publication__region_id")
    )
    front, regions = [], {}
    for place, pk in wanted:
        if pk not in region_of:
            continue
        if place == Pin.Place.FRONT:
            front.append(pk)
        else:
            regions.setdefault(region_of[pk], []).append(pk)
    return (
        list(dict.fromkeys(front)),
        {region: list(dict.fromkeys(ids)) for region, ids in regions.items()},
    )
