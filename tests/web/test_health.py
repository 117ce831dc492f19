"""/healthz (issue #11): a stopped feed poller shows, though the site keeps serving.

The poller runs in the `briefings run` process and the web workers in others, so
what /healthz reads is in the database: the poller's heartbeat and the feeds.
"""

import threading
from datetime import timedelta

import pytest

from django.utils import timezone

from briefings.network.models import Feed, Publication

from ..ingest.conftest import LoopbackSite, Route

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
<item><title>A story</title><link>{base}/story-1</link><guid>s-1</guid>
<description>A story in brief.</description></item></channel></rss>"""


def health(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, response.json()


def beat(seconds_ago):
    from briefings.network.models import Heartbeat

    at = timezone.now() - timedelta(seconds=seconds_ago)
    Heartbeat.objects.update_or_create(
        name="poller", defaults={"started_at": at, "beat_at": at}
    )


@pytest.fixture
def feeds(network):
    """The network's feeds, none due: the next poll of each is an hour away."""
    Feed.objects.update(next_check_at=timezone.now() + timedelta(hours=1))
    return Feed.objects.all()


@pytest.mark.django_db(transaction=True)
def test_healthz_shows_the_age_of_the_poll_the_poller_just_made(client, network):
    from briefings.ingest.poller import poll_forever

    Feed.objects.update(enabled=False)  # no internet here
    site = LoopbackSite()
    site.routes["/feed"] = Route(FEED.replace(b"{base}", site.base_url.encode()))
    feed = Feed.objects.create(
        publication=Publication.objects.get(slug="dawn"),
        url=site.url("/feed"),
        allow_private_network=True,
    )
    stop = threading.Event()
    poller = threading.Thread(
        target=poll_forever, args=(stop,), kwargs={"interval": 0.2}
    )
    poller.start()
    try:
        for _ in range(300):
            if Feed.objects.get(pk=feed.pk).last_success_at:
                break
            stop.wait(0.1)
        status, body = health(client)
    finally:
        stop.set()
        poller.join(timeout=30)
        site.stop()
    assert status == 200 and body["status"] == "ok", body
    assert 0 <= body["last_successful_poll_age_seconds"] < 30
    assert body["poller"]["alive"] is True
    assert body["poller"]["heartbeat_age_seconds"] < 30
    assert body["feeds"] == {"enabled": 1, "due": 0, "overdue": 0}


def test_healthz_reports_the_age_of_the_last_successful_poll(client, feeds):
    beat(seconds_ago=5)
    feeds.update(last_success_at=timezone.now() - timedelta(hours=3))
    Feed.objects.filter(pk=feeds[0].pk).update(
        last_success_at=timezone.now() - timedelta(seconds=42)
    )
    status, body = health(client)
    assert status == 200 and body["status"] == "ok", body
    assert 42 <= body["last_successful_poll_age_seconds"] < 52
    assert body["poller"]["restarts"] == 0 and body["problems"] == []


def test_a_stopped_poller_and_overdue_feeds_are_degraded(client, feeds):
    beat(seconds_ago=600)
    feeds.update(last_success_at=timezone.now() - timedelta(hours=2))
    Feed.objects.filter(pk=feeds[0].pk).update(
        next_check_at=timezone.now() - timedelta(hours=1)
    )
    status, body = health(client)
    assert status == 503 and body["status"] == "degraded"
    assert body["poller"]["alive"] is False
    assert body["poller"]["heartbeat_age_seconds"] >= 600
    assert body["feeds"]["due"] == body["feeds"]["overdue"] == 1
    assert 7200 <= body["last_successful_poll_age_seconds"] < 7300
    assert len(body["problems"]) == 2


def test_a_poller_that_never_ran_is_degraded(client, feeds):
    status, body = health(client)
    assert status == 503 and body["status"] == "degraded"
    assert body["poller"]["alive"] is False
    assert body["poller"]["heartbeat_age_seconds"] is None
    assert body["last_successful_poll_age_seconds"] is None


def test_the_crash_text_is_for_the_admin_not_the_public(client, admin_client, feeds):
    from briefings.network.models import Heartbeat

    beat(seconds_ago=1)
    Heartbeat.objects.restarted("poller", timezone.now(), "OperationalError: secret")
    status, body = health(client)
    assert body["poller"]["restarts"] == 1 and body["poller"]["last_crash_at"]
    assert "secret" not in str(body)
    page = admin_client.get("/admin/network/heartbeat/")
    assert page.status_code == 200 and b"poller" in page.content


# ─── Issue #18: the database, the cache and the broker ─────────────────────────


def closed_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_healthz_reports_the_database_the_cache_and_no_broker(client, feeds):
    beat(5)
    status, body = health(client)
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["database"]["latency_ms"] >= 0
    assert body["cache"]["ok"] is True
    assert body["broker"] == {"configured": False}
    assert "last_article_stored_age_seconds" in body


@pytest.mark.django_db
def test_healthz_is_degraded_when_the_cache_server_is_down(client, feeds, settings):
    beat(5)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    status, body = health(client)
    assert status == 503
    assert body["cache"]["ok"] is False
    assert "the cache is unreachable" in body["problems"]
    assert "127.0.0.1" not in str(body)  # no addresses on a public page


@pytest.mark.django_db
def test_healthz_checks_the_broker_when_one_is_configured(client, feeds, settings):
    from tests.conftest import REDIS_FOR_TESTS, redis_is_up

    beat(5)
    if not redis_is_up():
        pytest.skip("Redis is not running here")
    settings.CELERY_BROKER_URL = REDIS_FOR_TESTS
    status, body = health(client)
    assert body["broker"]["configured"] is True
    assert body["broker"]["ok"] is True, body
    port = closed_port()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    status, body = health(client)
    assert status == 503
    assert body["broker"]["ok"] is False
    assert "the message broker is unreachable" in body["problems"]
    assert str(port) not in str(body) and "127.0.0.1" not in str(body)


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_gone(client, tmp_path):
    from django.db import connection

    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
    else:
        connection.settings_dict["PORT"] = closed_port()
    try:
        status, body = health(client)
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert status == 503
    assert body["database"]["ok"] is False
    assert body["problems"] == ["the database is unreachable"]


@pytest.mark.django_db
def test_healthz_says_how_old_the_newest_stored_article_is(client, feeds):
    from tests.factories import make_article

    beat(5)
    publication = Publication.objects.first()
    make_article(publication, fetched_at=timezone.now() - timedelta(minutes=7))
    status, body = health(client)
    assert 7 * 60 - 5 <= body["last_article_stored_age_seconds"] <= 7 * 60 + 60
