"""The desk's home: today's edition, feeds needing attention first, what each
paper brought in over 24 hours, 30 days of deliveries as an SVG chart; times in
the network's time zone with UTC on hover; staff only."""

from datetime import UTC, datetime, timedelta

import pytest

from django.contrib.auth.models import User
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from briefings.desk import health
from briefings.desk.charts import nice_peak, stacked_bars
from briefings.network.models import Feed
from briefings.newsletter.models import Delivery, Edition, Subscriber
from briefings.newsletter.schedule import edition_day

from ..factories import make_article

pytestmark = pytest.mark.django_db


def test_anonymous_and_non_staff_users_reach_nothing(client, network):
    url = reverse("desk:home")
    answer = client.get(url)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))
    reader = User.objects.create_user("reader", "r@example.org", "pw-12345")
    client.force_login(reader)
    assert client.get(url).status_code == 302


def test_failing_feeds_come_first_then_never_read_then_stale(network):
    now = timezone.now()
    feeds = list(Feed.objects.enabled().order_by("pk")[:4])
    Feed.objects.enabled().update(health=Feed.Health.OK, last_success_at=now)
    failing, stale, never, fine = feeds
    Feed.objects.filter(pk=failing.pk).update(
        health=Feed.Health.FAILING, error_count=3, last_error="HTTP 500"
    )
    Feed.objects.filter(pk=stale.pk).update(last_success_at=now - timedelta(days=3))
    Feed.objects.filter(pk=never.pk).update(
        health=Feed.Health.NEW, last_success_at=None
    )
    rows = health.feeds_needing_attention(now)
    assert [(r.feed.pk, r.problem) for r in rows] == [
        (failing.pk, "failing"),
        (never.pk, "never read"),
        (stale.pk, "stale"),
    ]
    assert fine.pk not in {r.feed.pk for r in rows}


def test_a_disabled_feed_needs_no_attention(network):
    now = timezone.now()
    Feed.objects.update(health=Feed.Health.OK, last_success_at=now)
    Feed.objects.filter(pk=Feed.objects.first().pk).update(
        enabled=False, health=Feed.Health.FAILING
    )
    assert health.feeds_needing_attention(now) == []


def test_papers_last_day_counts_recent_articles_and_their_fallbacks(network):
    now = timezone.now()
    make_article("the-korea-herald", status="summary")
    make_article("the-korea-herald", date_flagged=True)
    make_article("the-korea-herald", fetched_at=now - timedelta(days=2))
    make_article("the-straits-times")
    rows = {r.publication.slug: r for r in health.papers_last_day(now)}
    herald = rows["the-korea-herald"]
    assert (herald.articles, herald.summary_only, herald.date_flagged) == (2, 1, 1)
    assert rows["the-straits-times"].articles == 1
    # Every enabled paper is listed, a silent one too, busiest first.
    assert len(rows) == 22
    assert rows["china-daily"].articles == 0
    assert health.papers_last_day(now)[0].publication.slug == "the-korea-herald"


def deliveries(edition, **counts):
    for status, n in counts.items():
        for _ in range(n):
            subscriber = Subscriber.objects.create(
                email=f"s{Subscriber.objects.count()}@example.org", status="confirmed"
            )
            Delivery.objects.create(
                edition=edition, subscriber=subscriber, status=status
            )


def test_deliveries_by_day_has_thirty_days_with_zeros_between(db):
    now = timezone.now()
    today = edition_day(now)
    deliveries(Edition.objects.create(date=today, status="sent"), sent=3, bounced=1)
    deliveries(
        Edition.objects.create(date=today - timedelta(days=5), status="sent"),
        sent=2,
        failed=1,
    )
    # Older than 30 days: outside the chart.
    deliveries(
        Edition.objects.create(date=today - timedelta(days=30), status="sent"), sent=9
    )
    days = health.deliveries_by_day(now)
    assert len(days) == 30
    assert days[-1].day == today and days[0].day == today - timedelta(days=29)
    assert (days[-1].sent, days[-1].bounced, days[-1].failed) == (3, 1, 0)
    assert (days[-6].sent, days[-6].failed) == (2, 1)
    assert sum(d.sent for d in days) == 5


def test_stacked_bars_scale_to_a_round_peak():
    assert [nice_peak(v) for v in (0, 1, 3, 7, 12, 250, 1001)] == [
        1,
        1,
        5,
        10,
        20,
        500,
        2000,
    ]

    class Day:
        def __init__(self, name, sent, bounced):
            self.name, self.sent, self.bounced = name, sent, bounced

    chart = stacked_bars(
        [Day("a", 6, 2), Day("b", 0, 0), Day("c", 10, 0)],
        ["sent", "bounced"],
        lambda d: d.name,
    )
    assert chart.peak == 10
    titles = [bar.title for bar in chart.bars]
    assert titles == ["a: 6 sent", "a: 2 bounced", "c: 10 sent"]
    full = chart.bars[2]
    assert full.y == chart.top and full.y + full.height == chart.base
    # The bounced bar sits on the sent one.
    assert chart.bars[1].y + chart.bars[1].height == chart.bars[0].y


def test_desk_time_shows_network_time_with_utc_on_hover(settings):
    moment = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    template = Template("{% load desk %}{{ moment|desk_time }}|{{ none|desk_time }}")
    with timezone.override("Asia/Singapore"):
        html = template.render(Context({"moment": moment, "none": None}))
    assert html == (
        '<time datetime="2026-03-01T22:30:00Z" title="2026-03-01 22:30 UTC">'
        "2026-03-02 06:30 +08</time>|never"
    )


def test_the_home_page_shows_the_network_at_a_glance(client, network, settings):
    settings.BRIEFINGS_DESK_TIMEZONE = "Asia/Singapore"
    staff = User.objects.create_superuser("root", "root@example.org", "pw-root-1")
    client.force_login(staff)
    now = timezone.now()
    Feed.objects.update(health=Feed.Health.OK, last_success_at=now)
    broken = Feed.objects.filter(publication__slug="dawn").first()
    Feed.objects.filter(pk=broken.pk).update(
        health=Feed.Health.FAILING, error_count=4, last_error="HTTP 503 from host"
    )
    edition = Edition.objects.create(
        date=edition_day(now), status="sending", pause_reason=""
    )
    deliveries(edition, sent=2, bounced=1, queued=3)
    make_article("the-korea-herald")

    page = client.get(reverse("desk:home")).content.decode()
    assert "Today&#x27;s edition" in page or "Today's edition" in page
    assert '<strong class="desk-state desk-state-sending">Sending</strong>' in page
    assert "2 sent · 1 bounced · 0 failed · 3 remaining" in page
    assert "HTTP 503 from host" in page and broken.url[:40] in page
    # Network time, UTC on hover.
    assert " +08</time>" in page and ' UTC">' in page
    assert '<svg class="desk-chart"' in page
    assert "<title>" in page and ": 2 sent</title>" in page
    assert "The Korea Herald</td><td>1</td>" in page


def test_the_admin_index_leads_to_the_desk(client, admin_user_logged_in):
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("desk:home") in page


def test_the_charts_day_labels_stay_inside_it():
    class Day:
        def __init__(self, name):
            self.name, self.sent = name, 1

    chart = stacked_bars([Day("01 Nov"), Day("30 Nov")], ["sent"], lambda d: d.name)
    assert chart.labels == [
        (chart.left, "01 Nov", "start"),
        (chart.width, "30 Nov", "end"),
    ]
