"""The newsletter's scheduled jobs: draft at send time, send when approved."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from briefings.newsletter.curate import curate, send_moment
from briefings.newsletter.deliver import approve, send_edition
from briefings.newsletter.models import Edition
from briefings.newsletter.subscribe import send_reminders

log = logging.getLogger(__name__)

OVERDUE = timedelta(hours=6)


def edition_day(now):
    """Return the edition date `now` falls on, in NEWSLETTER_TIMEZONE."""
    return now.astimezone(ZoneInfo(settings.NEWSLETTER_TIMEZONE)).date()


def run_due_newsletter_jobs(now):
    """Do what is due at `now` (aware datetime); call it every minute or so.

    From the send time on, draft the day's edition (approving it when
    NEWSLETTER_AUTO_APPROVE), and send it once approved. More than 6 hours past
    the send time an edition is not sent automatically (the CLI still can).
    Pending subscribers get their one reminder. Return the edition or None."""
    send_reminders(now)
    day = edition_day(now)
    due = send_moment(day)
    if now < due:
        return None
    if now - due > OVERDUE:
        log.debug("the edition of %s is over 6 hours overdue; not sending", day)
        return Edition.objects.filter(date=day).first()
    edition = curate(day)
    if settings.NEWSLETTER_AUTO_APPROVE and approve(edition):
        edition.refresh_from_db()
    if edition.status in (Edition.Status.APPROVED, Edition.Status.SENDING):
        send_edition(edition)
        edition.refresh_from_db()
    return edition
