"""The newsletter's scheduled jobs: an edition every day, whatever the start time.

The current edition is today's from DRAFT_AHEAD before its send time, else
yesterday's; until today's send time, yesterday's is made too if missing. It
is drafted once the day's stories are in (every feed polled and no new article
for QUIET, or any article once GRACE past the send time), redrafted while
skipped or thin as stories arrive until its send time, approved when
NEWSLETTER_AUTO_APPROVE, and sent once approved. An edition drafted more than
OVERDUE past its send time is too late for an email: with auto-approval it is
published on the site only, so the day still has its edition."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from briefings.articles.models import Article
from briefings.network.models import Feed
from briefings.newsletter.curate import (
    RedraftRefused,
    draft,
    is_thin,
    send_moment,
    window_articles,
)
from briefings.newsletter.deliver import approve, send_edition
from briefings.newsletter.models import Edition
from briefings.newsletter.subscribe import send_reminders

log = logging.getLogger(__name__)

OVERDUE = timedelta(hours=6)
# Drafting starts this long before the send time, so an editor has the draft
# to read and the scheduler time to retry a thin one as stories come in.
DRAFT_AHEAD = timedelta(hours=2)
# Ingest has caught up when every feed has been polled and no article arrived
# for this long; past the send time by GRACE, the edition waits no longer.
QUIET = timedelta(seconds=60)
GRACE = timedelta(minutes=30)


def edition_day(now):
    """Return the edition date `now` falls on, in NEWSLETTER_TIMEZONE."""
    return now.astimezone(ZoneInfo(settings.NEWSLETTER_TIMEZONE)).date()


def current_day(now):
    """Return the date of the edition being made at `now`: today's from
    DRAFT_AHEAD before its send time, yesterday's before that."""
    day = edition_day(now)
    if now < send_moment(day) - DRAFT_AHEAD:
        day -= timedelta(days=1)
    return day


def stories_in(now, due):
    """Whether ingest has caught up: every enabled feed polled at least once
    (a failed poll counts) and no article stored in the last QUIET (the newest
    row, by the primary key's index: no scan); from GRACE past the send time a
    steady trickle of articles is no reason to wait longer."""
    feeds = Feed.objects.filter(enabled=True)
    if not feeds.exists() or feeds.filter(last_checked_at__isnull=True).exists():
        return False
    if now >= due + GRACE:
        return True
    newest = Article.objects.order_by("-pk").values_list("fetched_at", flat=True)
    newest = newest.first()
    return newest is None or now - newest >= QUIET


def _wants_draft(edition, now, due):
    """Whether to (re)draft now: not drafted yet, or a skipped or thin draft no
    editor touched, before its send time, with more articles than it saw."""
    if edition is None or edition.drafted_at is None:
        return True
    if edition.status not in (Edition.Status.DRAFT, Edition.Status.SKIPPED):
        return False
    if edition.edited_at or not is_thin(edition):
        return False
    # A timely edition is retried until its send time; one drafted late (a
    # start after the send time) until it goes out.
    late = edition.drafted_at >= due
    if now >= due and not late:
        return False
    return window_articles(edition.date).count() > edition.window_count


def _publish(edition, now, due):
    """Approve when configured; send an approved edition (not before the time
    an editor set), or publish it on the site only when it is too late for an
    email."""
    if settings.NEWSLETTER_AUTO_APPROVE and now >= due and approve(edition):
        edition.refresh_from_db()
    if edition.send_after:
        due = max(due, edition.send_after)
        if edition.status == Edition.Status.APPROVED and now < due:
            return edition  # scheduled by an editor: not yet
    if edition.status == Edition.Status.APPROVED and now - due > OVERDUE:
        if settings.NEWSLETTER_AUTO_APPROVE:
            Edition.objects.filter(
                pk=edition.pk, status=Edition.Status.APPROVED
            ).update(status=Edition.Status.PUBLISHED, sent_at=now)
            log.info("%s is on the site; too late to mail", edition)
            edition.refresh_from_db()
        return edition
    if edition.status in (Edition.Status.APPROVED, Edition.Status.SENDING):
        if settings.CELERY_BROKER_URL:
            # Past one machine: senders as tasks on the `mail` queue.
            from briefings.newsletter.tasks import start_senders

            start_senders(edition)
        else:
            send_edition(edition)  # this process is a sender; others may join
        edition.refresh_from_db()
    return edition


def run_due_newsletter_jobs(now=None):
    """Do what is due at `now` (aware datetime); call it every minute or so.

    Pending subscribers get their one reminder. While today's edition is being
    drafted ahead of its send time, yesterday's is the one readers see, so it
    is made too if missing (a start in those hours). Return the current
    edition, or None while it waits for the day's stories."""
    now = now or timezone.now()
    send_reminders(now)
    day = current_day(now)
    if now < send_moment(day):
        run_edition(day - timedelta(days=1), now)
    return run_edition(day, now)


def run_edition(day, now):
    """Draft, redraft, approve, send or publish the edition of `day` as due."""
    due = send_moment(day)
    edition = Edition.objects.filter(date=day).first()
    if _wants_draft(edition, now, due):
        fresh = edition is None or edition.drafted_at is None
        if fresh and not stories_in(now, due):
            log.debug("the edition of %s waits for the day's stories", day)
            return edition
        try:
            edition = draft(day, redo=not fresh, now=now)
        except RedraftRefused as refused:  # an editor or a sender got there first
            log.info("not redrafting: %s", refused)
            edition.refresh_from_db()
    if edition.status == Edition.Status.DRAFT and _wants_draft(edition, now, due):
        return edition  # thin, stories still arriving: wait for them
    return _publish(edition, now, due)
