"""Staff users of the desk: an editor, an administrator, and an outsider."""

import pytest

from django.contrib.auth.models import Group, User


@pytest.fixture
def admin_user_logged_in(client, db):
    user = User.objects.create_superuser("root", "root@example.org", "pw-root-1")
    client.force_login(user)
    return user


def make_staff(username, group_name):
    user = User.objects.create_user(username, f"{username}@example.org", "pw-12345")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group_name))
    return user
