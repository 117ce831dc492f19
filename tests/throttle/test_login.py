"""Failed admin logins are throttled per account and per client address, in the
shared cache (issue #11: 300 wrong passwords, then the right one worked)."""

import time

import pytest

from django.core.cache import cache

LOCKED = b"Too many failed logins"
RIGHT = "right-password-123"


@pytest.fixture
def editor(db, settings, django_user_model):
    # A fast hasher: the test is about counting, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return django_user_model.objects.create_superuser("editor", "e@x.test", RIGHT)


def login(client, username, password, remote="203.0.113.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def test_300_wrong_passwords_then_the_right_one_is_refused(
    client, editor, shared_cache
):
    for n in range(300):
        response = login(client, "editor", f"guess-{n}", remote=f"198.51.{n}.1")
        assert response.status_code == 200
    response = login(client, "editor", RIGHT, remote="192.0.2.1")
    assert response.status_code == 200 and not logged_in(client)
    assert LOCKED in response.content


def test_the_right_password_waits_the_lockout_out(
    client, editor, shared_cache, settings
):
    settings.BRIEFINGS_LOGIN_LOCKOUT_SECONDS = 2
    for n in range(settings.BRIEFINGS_LOGIN_FAILURES_PER_ACCOUNT):
        assert LOCKED not in login(client, "Editor", f"guess-{n}").content
    assert LOCKED in login(client, "editor", RIGHT).content
    assert not logged_in(client)
    time.sleep(2.2)
    assert login(client, "editor", RIGHT).status_code == 302
    assert logged_in(client)


def test_a_successful_login_clears_the_account_s_failures(client, editor, settings):
    cache.clear()
    for _round in range(3):
        for n in range(settings.BRIEFINGS_LOGIN_FAILURES_PER_ACCOUNT - 1):
            login(client, "editor", f"guess-{n}")
        assert login(client, "editor", RIGHT).status_code == 302
        client.logout()


def test_one_address_trying_many_accounts_is_locked(
    client, editor, shared_cache, settings
):
    settings.BRIEFINGS_LOGIN_FAILURES_PER_ADDRESS = 6
    for n in range(6):
        login(client, f"user{n}", "guess")
    response = login(client, "editor", RIGHT)
    assert LOCKED in response.content and not logged_in(client)
    assert login(client, "editor", RIGHT, remote="192.0.2.1").status_code == 302


def test_behind_a_trusted_proxy_the_reader_not_the_proxy_is_locked(
    client, editor, shared_cache, settings
):
    settings.BRIEFINGS_TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.BRIEFINGS_LOGIN_FAILURES_PER_ADDRESS = 6
    for n in range(6):
        login(client, f"user{n}", "guess", "127.0.0.1", "203.0.113.5")
    assert LOCKED in login(client, "someone", "x", "127.0.0.1", "203.0.113.5").content
    response = login(client, "editor", RIGHT, "127.0.0.1", "6.6.6.6, 198.51.100.1")
    assert response.status_code == 302
