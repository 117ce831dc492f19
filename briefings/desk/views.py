"""The desk's staff pages, inside the admin's frame and login."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone

from briefings.desk import health
from briefings.desk.charts import stacked_bars


def home(request):
    """Health at a glance: today's edition, feeds needing attention, what each
    paper brought in over 24 hours, and 30 days of deliveries."""
    now = timezone.now()
    days = health.deliveries_by_day(now)
    context = {
        **admin.site.each_context(request),
        "title": "Editors' desk",
        "now": now,
        "desk_timezone": settings.BRIEFINGS_DESK_TIMEZONE,
        "today": health.todays_edition(now),
        "attention": health.feeds_needing_attention(now),
        "feed_counts": health.feed_counts(),
        "papers": health.papers_last_day(now),
        "delivery_days": days,
        "delivery_chart": stacked_bars(
            days, ["sent", "bounced", "failed"], lambda d: f"{d.day:%d %b}"
        ),
        "stale_hours": settings.BRIEFINGS_DESK_STALE_HOURS,
    }
    return render(request, "desk/home.html", context)
