"""The edition editor in the admin: full-size blurbs, articles found by
headline, paper and region on each item, previews that work for drafts, refused
approvals that say why, a test sent to yourself, delivery progress."""

import pytest

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from briefings.newsletter.models import Delivery, Edition, EditionItem, Subscriber

from ..factories import make_article, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, network):
    user = User.objects.create_superuser("ed", "ed@example.org", "pw-ed-12345")
    client.force_login(user)
    return user


@pytest.fixture
def draft(network):
    edition = Edition.objects.create(date=timezone.localdate(), intro="Good morning.")
    for position, slug in enumerate(["the-korea-herald", "dawn"]):
        article = make_article(slug, headline=f"Headline from {slug}")
        EditionItem.objects.create(
            edition=edition, article=article, position=position, blurb="A blurb."
        )
    return edition


def approve(client, edition):
    return client.post(
        reverse("admin:newsletter_edition_changelist"),
        {"action": "approve_editions", "_selected_action": [edition.pk]},
        follow=True,
    )


def messages_of(answer):
    return [(m.level_tag, str(m)) for m in answer.context["messages"]]


def test_approving_a_skipped_edition_says_why_not(client, editor):
    edition = Edition.objects.create(
        date=timezone.localdate(),
        status=Edition.Status.SKIPPED,
        skip_reason="only 2 stories (fewer than 3)",
    )
    answer = approve(client, edition)
    assert messages_of(answer) == [
        (
            "error",
            f"{edition} was not approved: it was skipped: only 2 stories "
            "(fewer than 3).",
        )
    ]
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SKIPPED


def test_approving_a_draft_is_logged(client, editor, draft):
    answer = approve(client, draft)
    assert messages_of(answer) == [("success", f"{draft} approved.")]
    draft.refresh_from_db()
    assert draft.status == Edition.Status.APPROVED
    entry = LogEntry.objects.get(object_id=str(draft.pk))
    assert (entry.user, entry.get_change_message()) == (editor, "Approved")
    # Approving it again is refused, with the reason.
    assert messages_of(approve(client, draft))[0] == (
        "error",
        f"{draft} was not approved: it is approved already.",
    )


def test_the_editor_shows_each_items_paper_and_region_and_full_blurbs(
    client, editor, draft
):
    page = client.get(
        reverse("admin:newsletter_edition_change", args=[draft.pk])
    ).content.decode()
    assert "The Korea Herald" in page and "Northeast Asia" in page
    assert "Dawn" in page and "South Asia" in page
    assert '<textarea name="items-0-blurb"' in page
    # Articles are found by headline (autocomplete), not typed as raw ids.
    assert 'class="admin-autocomplete' in page
    assert "vForeignKeyRawIdAdminField" not in page
    # "papers" is counted, not typed.
    assert 'name="items-0-papers"' not in page


def test_view_on_site_of_a_draft_opens_its_preview(client, editor, draft):
    page = client.get(reverse("admin:newsletter_edition_change", args=[draft.pk]))
    # The link the change form shows (the public page of a draft is a 404).
    view_on_site = page.context["absolute_url"]
    assert f'href="{view_on_site}"' in page.content.decode()
    answer = client.get(view_on_site, follow=True)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Headline from the-korea-herald" in body
    email = client.get(
        reverse("admin:newsletter_edition_preview_email", args=[draft.pk])
    )
    assert email.status_code == 200
    assert "Headline from dawn" in email.content.decode()


def test_previews_are_for_staff_only(client, draft):
    url = reverse("admin:newsletter_edition_preview_web", args=[draft.pk])
    assert client.get(url).status_code == 302


def test_replacing_an_items_article_counts_its_storys_papers(client, editor, draft):
    one = make_article("the-straits-times", headline="Flood in the north")
    two = make_article("the-star", headline="Northern floods")
    make_story([one, two])
    item = draft.items.get(position=0)
    other = draft.items.get(position=1)
    data = {
        "date": draft.date.isoformat(),
        "intro": draft.intro,
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "2",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-id": item.pk,
        "items-0-edition": draft.pk,
        "items-0-position": "1",
        "items-0-article": one.pk,
        "items-0-blurb": "x" * 390,
        "items-1-id": other.pk,
        "items-1-edition": draft.pk,
        "items-1-position": "0",
        "items-1-article": other.article_id,
        "items-1-blurb": other.blurb,
    }
    url = reverse("admin:newsletter_edition_change", args=[draft.pk])
    answer = client.post(url, data)
    assert answer.status_code == 302
    item.refresh_from_db()
    assert (item.article, item.papers, item.blurb) == (one, 2, "x" * 390)
    # Reordered.
    assert [i.pk for i in draft.items.order_by("position")] == [other.pk, item.pk]


def test_send_a_test_to_yourself(client, editor, draft, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    answer = client.post(
        reverse("admin:newsletter_edition_changelist"),
        {"action": "send_test", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert messages_of(answer) == [
        ("success", f"Test of {draft} sent to ed@example.org.")
    ]
    (message,) = mail.outbox
    assert message.to == ["ed@example.org"] and message.subject.startswith("[Test] ")
    assert "Headline from dawn" in message.alternatives[0][0]
    # No subscriber was made or counted.
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_a_test_needs_your_address(client, editor, draft, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    editor.email = ""
    editor.save()
    answer = client.post(
        reverse("admin:newsletter_edition_changelist"),
        {"action": "send_test", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert messages_of(answer)[0][0] == "error"
    assert "no email address" in messages_of(answer)[0][1]
    assert mail.outbox == []


def test_the_edition_shows_its_delivery_progress(client, editor, draft):
    statuses = ["sent", "sent", "failed", "bounced", "queued", "sending"]
    for n, status in enumerate(statuses):
        subscriber = Subscriber.objects.create(email=f"s{n}@example.org")
        Delivery.objects.create(edition=draft, subscriber=subscriber, status=status)
    page = client.get(reverse("admin:newsletter_edition_changelist")).content.decode()
    assert "2 sent, 1 failed, 1 bounced, 2 remaining" in page


@pytest.fixture
def subscribers(db):
    from briefings.newsletter.models import Consent

    people = []
    for n, status in enumerate(["confirmed", "pending"]):
        subscriber = Subscriber.objects.create(email=f"p{n}@example.org", status=status)
        Consent.objects.create(
            subscriber=subscriber,
            action="signup",
            text="I agree.",
            privacy_version="2025-01",
            terms_version="2025-01",
            ip="203.0.113.0",
        )
        people.append(subscriber)
    return people


def test_subscribers_are_searched_and_exported_with_their_consents(
    client, editor, subscribers
):
    import json

    url = reverse("admin:newsletter_subscriber_changelist")
    found = client.get(url, {"q": "p1@"})
    assert list(found.context["cl"].result_list) == [subscribers[1]]
    answer = client.post(
        url,
        {
            "action": "export_subscribers",
            "_selected_action": [s.pk for s in subscribers],
        },
    )
    rows = json.loads(answer.content)
    assert {r["email"] for r in rows} == {"p0@example.org", "p1@example.org"}
    assert rows[0]["consents"][0]["ip"] == "203.0.113.0"
    assert answer["Content-Disposition"].startswith("attachment")
    assert LogEntry.objects.filter(change_message__contains="Exported").count() == 2


def test_suppressing_unsubscribes_and_revokes_links(client, editor, subscribers):
    first = subscribers[0]
    old_key = first.token_key
    client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "suppress_subscribers", "_selected_action": [first.pk]},
    )
    first.refresh_from_db()
    assert first.status == Subscriber.Status.UNSUBSCRIBED
    assert first.token_key != old_key and first.unsubscribed_at is not None
    assert LogEntry.objects.get(object_id=str(first.pk)).user == editor


def test_an_editor_cannot_export_subscribers(client, network, subscribers):
    from ..desk.conftest import make_staff

    client.force_login(make_staff("ed2", "Editors"))
    answer = client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "export_subscribers", "_selected_action": [subscribers[0].pk]},
    )
    assert answer.get("Content-Type", "").startswith("text/html")
    assert not LogEntry.objects.exists()
