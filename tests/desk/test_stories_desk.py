"""Stories and pins on the desk (issue #18 items 3 and 4): editors and
administrators merge, split, pick the lead and pin; anonymous users and staff
without a role cannot; every action is in the object's history."""

import zoneinfo
from datetime import timedelta

import pytest

from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from briefings.desk.roles import ADMINISTRATORS, EDITORS
from briefings.stories.models import Pin, Story, StoryMembership

from ..factories import make_article, make_story
from .conftest import make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:stories_story_changelist"


@pytest.fixture
def stories(network):
    at = timezone.now() - timedelta(hours=5)
    quake = make_article(
        "the-jakarta-post", headline="Quake hits Sumatra", published_at=at
    )
    toll = make_article(
        "dawn", headline="Sumatra toll rises", published_at=at + timedelta(hours=1)
    )
    third = make_article(
        "the-star", headline="Aid reaches Aceh", published_at=at + timedelta(hours=2)
    )
    return make_story([quake]), make_story([toll, third]), (quake, toll, third)


def _merge(client, ids, into):
    url = reverse(CHANGELIST)
    data = {"action": "merge_stories", "_selected_action": ids}
    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert b"Merge into the chosen story" in confirm.content
    return client.post(url, {**data, "apply": "1", "into": into})


@pytest.mark.parametrize("role", [EDITORS, ADMINISTRATORS])
def test_an_editor_or_administrator_merges_stories_and_it_is_logged(
    client, stories, role
):
    one, two, (quake, toll, third) = stories
    user = make_staff("ed", role)
    client.force_login(user)
    answer = _merge(client, [one.pk, two.pk], two.pk)
    assert answer.status_code == 302
    assert set(StoryMembership.objects.values_list("story_id", flat=True)) == {two.pk}
    assert client.get(f"/story/{one.pk}/")["Location"] == f"/story/{two.pk}/"
    entry = LogEntry.objects.get(object_id=str(two.pk))
    assert entry.user == user
    assert f"Merged stories {one.pk} (Quake hits Sumatra)" in entry.get_change_message()
    gone = LogEntry.objects.get(object_id=str(one.pk))
    assert gone.action_flag == DELETION
    assert f"Merged into story {two.pk}" in gone.get_change_message()
    history = client.get(reverse("admin:stories_story_history", args=[two.pk]))
    assert "Merged stories" in history.content.decode()


def test_merging_one_story_is_refused_with_a_reason(client, stories):
    one, _, _ = stories
    client.force_login(make_staff("ed", EDITORS))
    url = reverse(CHANGELIST)
    answer = client.post(
        url, {"action": "merge_stories", "_selected_action": [one.pk]}, follow=True
    )
    assert "Select two or more stories to merge." in answer.content.decode()
    assert Story.objects.count() == 2


def test_an_editor_splits_and_picks_the_lead_on_the_arrange_page(client, stories):
    _, two, (_, toll, third) = stories
    client.force_login(make_staff("ed", EDITORS))
    url = reverse("admin:stories_story_arrange", args=[two.pk])
    page = client.get(url).content.decode()
    assert "Aid reaches Aceh" in page and "Dawn" in page
    assert (
        reverse("admin:stories_story_arrange", args=[two.pk])
        in client.get(
            reverse("admin:stories_story_change", args=[two.pk])
        ).content.decode()
    )

    answer = client.post(url, {"lead": "1", "lead_article": str(third.pk)})
    assert answer.status_code == 302
    two.refresh_from_db()
    assert (two.lead_id, two.headline) == (third.pk, "Aid reaches Aceh")
    entry = LogEntry.objects.get(object_id=str(two.pk))
    assert f"Lead article set to {third.pk}" in entry.get_change_message()
    client.logout()
    coverage = client.get(f"/story/{two.pk}/").content.decode()
    assert "<h1>Aid reaches Aceh</h1>" in coverage and "Editors' lead" in coverage
    client.force_login(User.objects.get(username="ed"))

    answer = client.post(url, {"split": "1", "article": [str(third.pk)]})
    assert answer.status_code == 302
    new = StoryMembership.objects.get(article=third).story
    assert new.pk != two.pk and new.lead_id == third.pk
    assert StoryMembership.objects.get(article=toll).story_id == two.pk
    messages = [
        e.get_change_message()
        for e in LogEntry.objects.filter(object_id=str(two.pk)).order_by("pk")
    ]
    assert any(f"Split out into story {new.pk}" in m for m in messages)
    assert LogEntry.objects.filter(object_id=str(new.pk)).exists()


@pytest.mark.parametrize(
    "post, reason",
    [
        ({"split": "1", "article": ["x"]}, "Choose the articles to split out."),
        ({"lead": "1", "lead_article": "<script>"}, "Choose the article to lead"),
    ],
    ids=["split-nothing", "lead-garbage"],
)
def test_hostile_or_empty_arrange_forms_are_refused(client, stories, post, reason):
    _, two, _ = stories
    client.force_login(make_staff("ed", EDITORS))
    url = reverse("admin:stories_story_arrange", args=[two.pk])
    answer = client.post(url, post, follow=True)
    assert reason in answer.content.decode()
    assert StoryMembership.objects.filter(story=two).count() == 2


def test_anonymous_and_non_staff_users_reach_no_story_tool(client, stories):
    one, two, _ = stories
    arrange = reverse("admin:stories_story_arrange", args=[two.pk])
    changelist = reverse(CHANGELIST)
    for who in (None, "reader"):
        if who:
            client.force_login(User.objects.create_user(who, password="pw-12345-x"))
        for answer in (
            client.get(arrange),
            client.post(arrange, {"lead": "1", "lead_article": "1"}),
            client.post(
                changelist,
                {
                    "action": "merge_stories",
                    "_selected_action": [one.pk, two.pk],
                    "apply": "1",
                    "into": two.pk,
                },
            ),
        ):
            assert answer.status_code == 302
            assert answer["Location"].startswith(reverse("admin:login"))
    assert Story.objects.count() == 2 and Pin.objects.count() == 0


def test_staff_without_a_role_cannot_merge_split_or_pin(client, stories):
    one, two, (quake, _, _) = stories
    user = make_staff("ed", EDITORS)
    user.groups.clear()
    client.force_login(user)
    arrange = reverse("admin:stories_story_arrange", args=[two.pk])
    assert client.get(arrange).status_code == 403
    assert client.post(arrange, {"split": "1", "article": "1"}).status_code == 403
    answer = client.post(
        reverse(CHANGELIST),
        {"action": "merge_stories", "_selected_action": [one.pk, two.pk]},
    )
    assert answer.status_code == 403
    answer = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "pin_to_front", "_selected_action": [quake.pk]},
    )
    assert answer.status_code == 403
    assert Story.objects.count() == 2 and Pin.objects.count() == 0


def test_an_editor_pins_an_article_and_a_story_and_unpins(client, stories):
    _, two, (quake, _, _) = stories
    editor = make_staff("ed", EDITORS)
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "pin_to_front", "_selected_action": [quake.pk]},
    )
    pin = Pin.objects.get(article=quake)
    assert pin.place == Pin.Place.FRONT and pin.pinned_by == editor
    left = pin.expires_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < left <= timedelta(hours=24)
    entry = LogEntry.objects.get(object_id=str(quake.pk), content_type__model="article")
    assert "Pinned to the top of the front page until" in entry.get_change_message()

    client.post(
        reverse(CHANGELIST), {"action": "pin_to_region", "_selected_action": [two.pk]}
    )
    story_pin = Pin.objects.get(story=two)
    assert story_pin.place == Pin.Place.REGION
    assert story_pin.article_id == two.first_report_id

    assert client.get(reverse("admin:stories_pin_changelist")).status_code == 200
    client.post(
        reverse("admin:stories_pin_changelist"),
        {"action": "unpin", "_selected_action": [pin.pk, story_pin.pk]},
    )
    assert Pin.objects.count() == 0
    unpinned = LogEntry.objects.filter(change_message__contains="Unpinned")
    assert {(e.content_type.model, e.object_id) for e in unpinned} == {
        ("article", str(quake.pk)),
        ("story", str(two.pk)),
    }


def test_a_pin_s_expiry_is_set_on_its_page_and_must_be_in_the_future(client, stories):
    _, _, (quake, _, _) = stories
    client.force_login(make_staff("ed", EDITORS))
    add = reverse("admin:stories_pin_add")
    # The desk reads times in the network's zone (desk/middleware.py).
    zone = zoneinfo.ZoneInfo(settings.BRIEFINGS_DESK_TIMEZONE)
    past = timezone.localtime(timezone.now() - timedelta(hours=1), zone)
    data = {
        "article": quake.pk,
        "place": "front",
        "expires_at_0": past.strftime("%Y-%m-%d"),
        "expires_at_1": past.strftime("%H:%M:%S"),
    }
    answer = client.post(add, data)
    assert answer.status_code == 200
    assert "A pin must expire in the future." in answer.content.decode()
    later = timezone.localtime(timezone.now() + timedelta(hours=3), zone)
    data.update(
        expires_at_0=later.strftime("%Y-%m-%d"), expires_at_1=later.strftime("%H:%M:%S")
    )
    answer = client.post(add, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    pin = Pin.objects.get()
    assert timedelta(hours=2) < pin.expires_at - timezone.now() <= timedelta(hours=3)


def test_a_hidden_article_is_not_pinned(client, stories):
    _, _, (quake, _, _) = stories
    quake.status = quake.Status.HIDDEN
    quake.save()
    client.force_login(make_staff("ed", EDITORS))
    answer = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "pin_to_front", "_selected_action": [quake.pk]},
        follow=True,
    )
    assert "is hidden" in answer.content.decode()
    assert Pin.objects.count() == 0


def test_the_stories_list_shows_the_editors_stories(client, stories):
    one, two, _ = stories
    client.force_login(make_staff("ed", EDITORS))
    _merge(client, [one.pk, two.pk], two.pk)
    page = client.get(reverse(CHANGELIST) + "?locked_by_editor__exact=1")
    assert page.status_code == 200
    assert "Quake hits Sumatra" in page.content.decode()


def test_a_story_is_pinned_on_the_pins_page_by_its_id_alone(client, stories):
    _, two, _ = stories
    client.force_login(make_staff("ed", EDITORS))
    add = reverse("admin:stories_pin_add")
    zone = zoneinfo.ZoneInfo(settings.BRIEFINGS_DESK_TIMEZONE)
    later = timezone.localtime(timezone.now() + timedelta(hours=3), zone)
    data = {
        "place": "region",
        "expires_at_0": later.strftime("%Y-%m-%d"),
        "expires_at_1": later.strftime("%H:%M:%S"),
    }
    answer = client.post(add, data)
    assert "Choose an article or a story to pin." in answer.content.decode()
    answer = client.post(add, {**data, "story": two.pk})
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    pin = Pin.objects.get()
    assert (pin.story, pin.article_id) == (two, two.first_report_id)
    entry = LogEntry.objects.get(object_id=str(two.pk), content_type__model="story")
    assert "Pinned to the top of its region" in entry.get_change_message()


def test_no_story_is_made_empty_by_hand(client, stories):
    client.force_login(make_staff("ed", EDITORS))
    assert client.get(reverse("admin:stories_story_add")).status_code == 403


def test_the_desk_home_lists_what_is_pinned_now(client, stories):
    _, two, (quake, _, _) = stories
    editor = make_staff("ed", EDITORS)
    client.force_login(editor)
    desk = reverse("desk:home")
    assert "Nothing is pinned" in client.get(desk).content.decode()
    from briefings.stories import editing

    editing.pin(article=quake, by=editor)
    gone = editing.pin(story=two, place=Pin.Place.REGION)
    Pin.objects.filter(pk=gone.pk).update(expires_at=timezone.now())
    page = client.get(desk).content.decode()
    assert "Quake hits Sumatra" in page and "top of the front page" in page
    assert "Story: " not in page  # the expired story pin is not shown
