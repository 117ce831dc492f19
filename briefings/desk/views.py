"""The desk's staff pages, inside the admin's frame and login."""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from briefings.desk import health
from briefings.desk.charts import stacked_bars
from briefings.desk.forms import RuleTesterForm
from briefings.desk.sources import RuleTestError, fetch_page, try_rules
from briefings.network.models import Publication
from briefings.stories.models import Pin


def home(request):
    """Health at a glance: today's edition, what editors pinned, feeds needing
    attention, what each paper brought in over 24 hours, and 30 days of
    deliveries."""
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
        "pins": Pin.objects.active(now).select_related(
            "article__publication", "story", "pinned_by"
        )[:20],
        "actions": LogEntry.objects.select_related("user", "content_type")[:15],
    }
    return render(request, "desk/home.html", context)


def rule_tester(request):
    """Try a paper's extraction rules on one of its pages (a URL fetched as
    ingest would, or a saved page), see what they extract, then save them."""
    if not request.user.has_perm("network.change_publication"):
        raise PermissionDenied
    result, error = None, ""
    form = RuleTesterForm(request.POST or None, request.FILES or None)
    if request.method == "GET" and "publication" in request.GET:
        form = RuleTesterForm(initial=initial_rules(request.GET["publication"]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        publication = data["publication"]
        try:
            result = run_rule_test(publication, data)
        except RuleTestError as exc:
            error = str(exc)
        if result and "save" in request.POST:
            save_rules(request, publication, data["rules"])
            return redirect(
                reverse("desk:rule-tester") + f"?publication={publication.pk}"
            )
    context = {
        **admin.site.each_context(request),
        "title": "Rule tester",
        "form": form,
        "result": result,
        "error": error,
    }
    return render(request, "desk/rule_tester.html", context)


def initial_rules(publication_id):
    if not str(publication_id).isdigit():
        return {}
    publication = Publication.objects.filter(pk=int(publication_id)).first()
    if publication is None:
        return {}
    rules = publication.extraction_rules or {}
    return {
        "publication": publication,
        "rules": json.dumps(rules, indent=2) if rules else "",
    }


def run_rule_test(publication, data):
    """Fetch or read the page, then extract it with the form's rules."""
    if data["page"]:
        url = data["url"] or publication.homepage
        if data["url"] and not publication.owns(url):
            raise RuleTestError(f"{url} is not on {publication.name}'s own hosts")
        return try_rules(publication, data["rules"], url, data["page"].read())
    url, html = fetch_page(publication, data["url"])
    return try_rules(publication, data["rules"], url, html)


def save_rules(request, publication, rules):
    """Save the tried rules on the paper, in its history (the audit log)."""
    before = publication.extraction_rules
    publication.extraction_rules = rules
    publication.save(update_fields=["extraction_rules"])
    LogEntry.objects.log_actions(
        request.user.pk,
        [publication],
        CHANGE,
        change_message=f"Extraction rules changed from {json.dumps(before)} "
        f"to {json.dumps(rules)} (rule tester)",
        single_object=True,
    )
    messages.success(request, f"Rules saved for {publication.name}.")
