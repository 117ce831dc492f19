"""What the desk's home shows: the network's health, read from the other apps.

Each function answers one question with a few aggregate queries, however many
articles and deliveries there are.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q

from briefings.articles.models import Article
from briefings.network.models import Feed, Publication
from briefings.newsletter.curate import send_moment
from briefings.newsletter.models import Delivery, Edition
from briefings.newsletter.schedule import edition_day

DAY = timedelta(hours=24)


@dataclass
class TodaysEdition:
    day: object
    send_at: object
    edition: Edition | None
    progress: dict

    @property
    def state(self):
        if self.edition is None:
            return "not drafted yet"
        return self.edition.get_status_display()


def todays_edition(now):
    """Return the edition of the day `now` falls on (network time), its send
    time and how many of its deliveries are in each state."""
    day = edition_day(now)
    edition = Edition.objects.filter(date=day).first()
    return TodaysEdition(day, send_moment(day), edition, delivery_progress(edition))


def delivery_progress(edition):
    """Return {status: count} of the edition's deliveries, every status present."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    if edition is not None:
        rows = edition.deliveries.values_list("status").annotate(n=Count("pk"))
        counts.update(dict(rows))
    return counts


@dataclass
class FeedHealth:
    feed: Feed
    problem: str  # "failing", "stale", "never read" or "" (fine)


def feed_problem(feed, now):
    """Return what is wrong with an enabled feed, "" when nothing is."""
    if feed.health == Feed.Health.FAILING:
        return "failing"
    if feed.last_success_at is None:
        return "never read"
    if now - feed.last_success_at > timedelta(
        hours=settings.BRIEFINGS_DESK_STALE_HOURS
    ):
        return "stale"
    return ""


ATTENTION_ORDER = {"failing": 0, "never read": 1, "stale": 2}


def feeds_needing_attention(now):
    """Return the enabled feeds that fail or went stale, failing first (most
    consecutive errors first), then never read, then stale (oldest success first)."""
    feeds = Feed.objects.enabled().select_related("publication")
    rows = [FeedHealth(feed, feed_problem(feed, now)) for feed in feeds]
    rows = [row for row in rows if row.problem]
    oldest = now - timedelta(days=36500)
    rows.sort(
        key=lambda row: (
            ATTENTION_ORDER[row.problem],
            -row.feed.error_count,
            row.feed.last_success_at or oldest,
            row.feed.url,
        )
    )
    return rows


def feed_counts():
    """Return how many feeds are enabled, healthy and disabled."""
    return Feed.objects.aggregate(
        active=Count("pk", filter=Q(enabled=True, publication__enabled=True)),
        healthy=Count(
            "pk",
            filter=Q(enabled=True, publication__enabled=True, health=Feed.Health.OK),
        ),
        off=Count("pk", filter=Q(enabled=False) | Q(publication__enabled=False)),
    )


@dataclass
class PaperDay:
    publication: Publication
    articles: int
    summary_only: int
    date_flagged: int


def papers_last_day(now):
    """Return, for every enabled paper (none left out, a silent paper is news),
    the articles it brought in over the last 24 hours and how many of those fell
    back: only the feed's summary kept, or the date missing or unreadable."""
    since = now - DAY
    recent = Q(articles__fetched_at__gte=since)
    papers = (
        Publication.objects.enabled()
        .annotate(
            n=Count("articles", filter=recent),
            summary=Count(
                "articles",
                filter=recent & Q(articles__status=Article.Status.SUMMARY_ONLY),
            ),
            flagged=Count("articles", filter=recent & Q(articles__date_flagged=True)),
        )
        .order_by("-n", "name")
    )
    return [PaperDay(p, p.n, p.summary, p.flagged) for p in papers]


@dataclass
class DeliveryDay:
    day: object
    sent: int
    bounced: int
    failed: int


def deliveries_by_day(now, days=30):
    """Return the last `days` edition days (network time), oldest first, each
    with its deliveries sent, bounced and failed; a day without an edition is
    there with zeros, so the chart's days are evenly spaced."""
    last = edition_day(now)
    first = last - timedelta(days=days - 1)
    rows = (
        Delivery.objects.filter(edition__date__range=(first, last))
        .values("edition__date")
        .annotate(
            sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            bounced=Count("pk", filter=Q(status=Delivery.Status.BOUNCED)),
            failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        )
    )
    found = {row["edition__date"]: row for row in rows}
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = found.get(day, {})
        result.append(
            DeliveryDay(
                day, row.get("sent", 0), row.get("bounced", 0), row.get("failed", 0)
            )
        )
    return result
