"""An edition every day, whatever the start time: drafted once the day's stories
are in, retried while thin, redrafted on request, never over an editor's work."""

from datetime import date, datetime, timedelta
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from briefings.network.models import Feed
from briefings.newsletter import curate as curation
from briefings.newsletter.curate import RedraftRefused, draft, send_moment
from briefings.newsletter.models import Edition
from briefings.newsletter.schedule import run_due_newsletter_jobs
from tests.newsletter.conftest import make_day_of_articles

pytestmark = pytest.mark.usefixtures("network")
SGT = ZoneInfo("Asia/Singapore")
DAY = date(2024, 3, 14)


def at(day, hour, minute):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SGT)


def feeds_polled(when):
    """Every feed polled, and the newest article stored well before `when`."""
    from briefings.articles.models import Article

    Feed.objects.update(last_checked_at=when - timedelta(minutes=5))
    Article.objects.update(fetched_at=when - timedelta(minutes=5))


@pytest.fixture
def unattended(settings):
    settings.NEWSLETTER_AUTO_APPROVE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def test_a_start_at_0559_waits_for_the_stories_then_sends_at_six(unattended):
    start = at(DAY, 5, 59)
    assert run_due_newsletter_jobs(start) is None  # no feed polled yet
    assert not Edition.objects.exists()
    make_day_of_articles(DAY)
    feeds_polled(start)
    edition = run_due_newsletter_jobs(start)
    assert edition.status == Edition.Status.DRAFT  # not before its send time
    edition = run_due_newsletter_jobs(at(DAY, 6, 0))
    assert edition.status == Edition.Status.SENT and edition.items.count() >= 3


def test_a_start_at_2359_publishes_the_day_on_the_site(unattended, client):
    start = at(DAY, 23, 59)
    make_day_of_articles(DAY)
    assert run_due_newsletter_jobs(start) is None  # the feeds are being polled
    feeds_polled(start)
    edition = run_due_newsletter_jobs(start)
    # 18 hours late: no email, but the day has its edition on the site.
    assert edition.date == DAY and edition.status == Edition.Status.PUBLISHED
    lead = edition.items.first().article.headline
    assert lead in client.get("/newsletter/today/").content.decode()


def test_before_the_drafting_window_yesterdays_edition_is_current(unattended):
    make_day_of_articles(DAY - timedelta(days=1))
    start = at(DAY, 3, 0)
    feeds_polled(start)
    edition = run_due_newsletter_jobs(start)
    assert edition.date == DAY - timedelta(days=1)
    # 21 hours past its send time: on the site only.
    assert edition.status == Edition.Status.PUBLISHED


def test_a_start_while_todays_is_drafted_ahead_publishes_yesterdays(unattended):
    """At 04:30 today's edition is being drafted (not due until 06:00);
    yesterday's, missing, is made and put on the site meanwhile."""
    make_day_of_articles(DAY - timedelta(days=1))
    make_day_of_articles(DAY)
    start = at(DAY, 4, 30)
    feeds_polled(start)
    today = run_due_newsletter_jobs(start)
    assert today.date == DAY and today.status == Edition.Status.DRAFT
    yesterday = Edition.objects.get(date=DAY - timedelta(days=1))
    assert yesterday.status == Edition.Status.PUBLISHED


def test_a_skipped_draft_is_retried_as_stories_arrive_until_send_time(settings):
    start = at(DAY, 4, 30)
    feeds_polled(start)
    edition = run_due_newsletter_jobs(start)
    assert edition.status == Edition.Status.SKIPPED
    make_day_of_articles(DAY)
    feeds_polled(start)
    edition = run_due_newsletter_jobs(start + timedelta(minutes=1))
    assert edition.status == Edition.Status.DRAFT and edition.items.count() >= 3
    assert edition.revision == 2


def test_a_timely_thin_draft_is_not_redrafted_after_its_send_time(settings):
    start = at(DAY, 5, 0)
    feeds_polled(start)
    assert run_due_newsletter_jobs(start).status == Edition.Status.SKIPPED
    make_day_of_articles(DAY)
    edition = run_due_newsletter_jobs(at(DAY, 6, 1))
    assert edition.status == Edition.Status.SKIPPED and edition.revision == 1


def test_redo_redrafts_an_unsent_edition(capsys):
    skipped = draft(DAY)
    assert skipped.status == Edition.Status.SKIPPED
    make_day_of_articles(DAY)
    out = StringIO()
    call_command("newsletter", "draft", "--date", DAY.isoformat(), stdout=out)
    assert "skipped" in out.getvalue()  # without --redo: as it was
    call_command("newsletter", "draft", "--redo", "--date", DAY.isoformat(), stdout=out)
    edition = Edition.objects.get(date=DAY)
    assert edition.status == Edition.Status.DRAFT and edition.items.exists()


def test_redo_refuses_an_edited_edition_unless_told_to_discard(settings):
    make_day_of_articles(DAY)
    edition = draft(DAY)
    item = edition.items.first()
    item.blurb = "An editor's own words."
    item.save()
    Edition.objects.filter(pk=edition.pk).update(edited_at=F("created_at"))
    with pytest.raises(CommandError, match="changed by an editor"):
        call_command("newsletter", "draft", "--redo", "--date", DAY.isoformat())
    assert edition.items.filter(blurb="An editor's own words.").exists()
    call_command(
        "newsletter",
        "draft",
        "--redo",
        "--discard-edits",
        "--date",
        DAY.isoformat(),
        stdout=StringIO(),
    )
    assert not edition.items.filter(blurb="An editor's own words.").exists()


def test_redo_refuses_an_edition_that_started_sending():
    make_day_of_articles(DAY)
    edition = draft(DAY)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    with pytest.raises(RedraftRefused, match="only an unsent edition"):
        draft(DAY, redo=True)


def test_preview_of_a_skipped_edition_fails_with_the_reason():
    draft(DAY)
    with pytest.raises(CommandError, match="skipped .0 stories; at least 3"):
        call_command("newsletter", "preview", "--date", DAY.isoformat())


def test_an_editor_saving_during_a_redraft_keeps_the_change():
    make_day_of_articles(DAY)
    edition = draft(DAY)
    real_choose = curation.choose

    def editor_saves_meanwhile(day):
        chosen = real_choose(day)
        edition.items.filter(position=1).update(blurb="Edited meanwhile.")
        Edition.objects.filter(pk=edition.pk).update(
            edited_at=F("created_at"), revision=F("revision") + 1
        )
        return chosen

    with mock.patch.object(curation, "choose", editor_saves_meanwhile):
        kept = draft(DAY, redo=True)
    assert kept.items.filter(blurb="Edited meanwhile.").exists()
    with pytest.raises(RedraftRefused):
        draft(DAY, redo=True)


def test_two_schedulers_racing_draft_once():
    make_day_of_articles(DAY)
    real_choose = curation.choose
    calls = []

    def other_scheduler_first(day):
        chosen = real_choose(day)
        if not calls:
            calls.append(day)
            draft(day)  # the other scheduler, faster, writes its draft
        return chosen

    with mock.patch.object(curation, "choose", other_scheduler_first):
        edition = draft(DAY)
    assert edition.revision == 1  # one draft written, the slower one dropped
    assert edition.items.count() >= 3
    positions = list(edition.items.values_list("position", flat=True))
    assert positions == sorted(set(positions))


def test_send_moment_is_in_the_newsletter_time_zone():
    assert send_moment(DAY) == at(DAY, 6, 0)


def _change_form_data(edition, **changes):
    items = list(edition.items.order_by("position"))
    data = {
        "date": edition.date.isoformat(),
        "intro": edition.intro,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data |= {
            f"items-{n}-id": str(item.pk),
            f"items-{n}-edition": str(edition.pk),
            f"items-{n}-position": str(item.position),
            f"items-{n}-article": str(item.article_id),
            f"items-{n}-blurb": item.blurb,
            f"items-{n}-papers": str(item.papers),
        } | ({f"items-{n}-is_lead": "on"} if item.is_lead else {})
    return data | changes


def test_an_editors_change_in_the_admin_is_kept_and_said_so(admin_client):
    make_day_of_articles(DAY)
    edition = draft(DAY)
    url = f"/admin/newsletter/edition/{edition.pk}/change/"
    data = _change_form_data(edition, **{"items-0-blurb": "The editor's words."})
    data["seen_revision"] = str(edition.revision)
    assert admin_client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.edited_at is not None and edition.revision == 2
    answer = admin_client.post(
        "/admin/newsletter/edition/",
        {"action": "redraft_editions", "_selected_action": [edition.pk]},
        follow=True,
    )
    assert "Not redrafted" in answer.content.decode()
    assert edition.items.filter(blurb="The editor's words.").exists()


def test_a_redraft_while_the_editor_edits_fails_their_save_with_the_reason(
    admin_client,
):
    make_day_of_articles(DAY)
    edition = draft(DAY)
    url = f"/admin/newsletter/edition/{edition.pk}/change/"
    assert 'name="seen_revision" value="1"' in admin_client.get(url).content.decode()
    data = _change_form_data(edition, **{"items-0-blurb": "The editor's words."})
    data["seen_revision"] = "1"
    draft(DAY, redo=True)  # the scheduler, while the form is open
    answer = admin_client.post(url, data)
    assert answer.status_code == 200  # the form again, with the reason
    assert "changed while you edited it" in answer.content.decode()
    assert not Edition.objects.get(pk=edition.pk).edited_at


def test_an_editors_save_keeps_an_approval_made_meanwhile(admin_client):
    from briefings.newsletter.deliver import approve

    make_day_of_articles(DAY)
    edition = draft(DAY)
    url = f"/admin/newsletter/edition/{edition.pk}/change/"
    data = _change_form_data(edition, intro="Good morning.")
    data["seen_revision"] = str(edition.revision)
    assert approve(edition)
    assert admin_client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.intro == "Good morning." and edition.status == "approved"


# ─── Issue #18: an editor schedules the send ───────────────────────────────────


def test_an_approved_edition_waits_for_the_time_the_editor_set(settings):
    from briefings.newsletter.deliver import approve

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_day_of_articles(DAY)
    edition = draft(DAY)
    Edition.objects.filter(pk=edition.pk).update(send_after=at(DAY, 9, 30))
    assert approve(edition)
    assert run_due_newsletter_jobs(at(DAY, 6, 5)).status == Edition.Status.APPROVED
    assert run_due_newsletter_jobs(at(DAY, 9, 29)).status == Edition.Status.APPROVED
    assert run_due_newsletter_jobs(at(DAY, 9, 31)).status == Edition.Status.SENT


def test_a_scheduled_send_later_than_six_hours_is_not_an_overdue_edition(unattended):
    make_day_of_articles(DAY)
    feeds_polled(at(DAY, 5, 0))
    edition = draft(DAY)
    Edition.objects.filter(pk=edition.pk).update(send_after=at(DAY, 14, 0))
    assert run_due_newsletter_jobs(at(DAY, 13, 0)).status == Edition.Status.APPROVED
    assert run_due_newsletter_jobs(at(DAY, 14, 1)).status == Edition.Status.SENT


def test_the_editor_sets_the_send_time_in_the_admin_within_reason(admin_client):
    make_day_of_articles(DAY)
    edition = draft(DAY)
    url = f"/admin/newsletter/edition/{edition.pk}/change/"
    data = _change_form_data(edition)
    data["seen_revision"] = str(edition.revision)
    data |= {"send_after_0": "2024-03-14", "send_after_1": "09:30:00"}
    assert admin_client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.send_after == at(DAY, 9, 30)
    # A week after the edition's day is no schedule but a mistake.
    data = _change_form_data(edition)
    data["seen_revision"] = str(edition.revision)
    data |= {"send_after_0": "2024-03-25", "send_after_1": "09:30:00"}
    answer = admin_client.post(url, data)
    assert answer.status_code == 200
    assert "within two days of the edition" in answer.content.decode()
