"""Editors and administrators as groups; who reaches what; the audit log of
editorial actions, on each object and on the desk."""

import pytest

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from briefings.desk.roles import ADMINISTRATORS, EDITORS, sync_roles
from briefings.network.models import Feed

from ..articles.test_admin import change_data
from ..factories import make_article
from .conftest import make_staff

pytestmark = pytest.mark.django_db


def test_the_migration_made_both_groups():
    editors = Group.objects.get(name=EDITORS)
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"change_article", "change_edition", "change_feed", "add_story"} <= codenames
    assert not codenames & {"change_user", "add_user", "change_group", "change_site"}
    assert not codenames & {"change_flatpage", "change_region", "delete_article"}
    assert "view_subscriber" in codenames and "change_subscriber" not in codenames
    administrators = Group.objects.get(name=ADMINISTRATORS)
    assert administrators.permissions.count() == Permission.objects.count()


def test_sync_is_idempotent_and_restores_a_removed_permission():
    editors = Group.objects.get(name=EDITORS)
    before = set(editors.permissions.all())
    editors.permissions.remove(Permission.objects.get(codename="change_article"))
    from django.apps import apps

    sync_roles(apps)
    sync_roles(apps)
    assert set(editors.permissions.all()) == before
    assert Group.objects.filter(name=EDITORS).count() == 1


# What an editor may open, and what not (settings, users, groups).
EDITOR_MAY = [
    "desk:home",
    "desk:rule-tester",
    "admin:network_feed_changelist",
    "admin:articles_article_changelist",
    "admin:newsletter_edition_changelist",
    "admin:stories_story_changelist",
    "admin:newsletter_subscriber_changelist",
]
EDITOR_MAY_NOT = [
    "admin:auth_user_changelist",
    "admin:auth_group_changelist",
    "admin:sites_site_changelist",
    "admin:flatpages_flatpage_changelist",
    "admin:auth_user_add",
    "admin:network_region_add",
]


@pytest.mark.parametrize("name", EDITOR_MAY)
def test_an_editor_reaches_the_desk_and_editorial_lists(client, network, name):
    client.force_login(make_staff("ed", EDITORS))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", EDITOR_MAY_NOT)
def test_an_editor_cannot_reach_settings_or_users(client, network, name):
    client.force_login(make_staff("ed", EDITORS))
    assert client.get(reverse(name)).status_code == 403


def test_an_editor_cannot_change_a_subscriber(client, network):
    from briefings.newsletter.models import Subscriber

    subscriber = Subscriber.objects.create(email="a@example.org")
    client.force_login(make_staff("ed", EDITORS))
    url = reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])
    answer = client.post(url, {"email": "b@example.org", "status": "confirmed"})
    assert answer.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.email == "a@example.org"


def test_an_administrator_reaches_users(client, network):
    client.force_login(make_staff("boss", ADMINISTRATORS))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_staff_without_a_role_reach_no_tool(client, network):
    user = make_staff("ed", EDITORS)
    user.groups.clear()
    client.force_login(user)
    assert client.get(reverse("desk:rule-tester")).status_code == 403
    assert client.get(reverse("admin:network_feed_changelist")).status_code == 403


@pytest.mark.parametrize(
    "name",
    [*EDITOR_MAY, "admin:index", "admin:auth_user_changelist"],
)
def test_anonymous_users_reach_nothing(client, network, name):
    answer = client.get(reverse(name))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))


def test_an_editors_change_is_in_the_objects_history_and_on_the_desk(client, network):
    editor = make_staff("ed", EDITORS)
    client.force_login(editor)
    feed = Feed.objects.first()
    changelist = reverse("admin:network_feed_changelist")
    client.post(changelist, {"action": "disable_feeds", "_selected_action": [feed.pk]})
    history = client.get(reverse("admin:network_feed_history", args=[feed.pk]))
    page = history.content.decode()
    assert "Disabled" in page and "ed" in page
    entry = LogEntry.objects.get(object_id=str(feed.pk))
    assert (entry.user, entry.get_change_message()) == (editor, "Disabled")
    desk = client.get(reverse("desk:home")).content.decode()
    assert "Latest editorial actions" in desk
    assert "changed feed" in desk and "Disabled" in desk


def test_an_article_edit_in_the_admin_is_logged_with_its_fields(client, network):
    editor = make_staff("ed", EDITORS)
    client.force_login(editor)
    article = make_article("the-korea-herald")
    url, data = change_data(client, article)
    data["headline"] = "Corrected headline"
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert entry.user == editor and "Headline" in entry.get_change_message()
