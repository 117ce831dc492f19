"""/healthz: is the feed poller alive, and how old is the last successful poll?
Are the database, the cache and (when configured) the broker reachable, and
how old is the newest stored article? (issue #18)

Issue #11: the poller's thread died, the site kept serving, and nothing said so.
The poller runs in the `briefings run` process and the site in granian's worker
processes, so this reads what the poller leaves in the database: its heartbeat
(network.Heartbeat) and the feeds' schedule. It answers 503 when degraded, so
that an uptime monitor notices; the site itself may be serving fine then.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from briefings.network.models import Feed, Heartbeat

# The poller beats at least every ~10 s (its interval), a little later when a
# database write waits on a lock (20 s busy timeout): silent for two minutes, it
# is not running.
STALE_HEARTBEAT = 120
# A free thread takes a due feed within seconds; a feed still waiting after
# this long means the poller's threads are all stuck or gone.
OVERDUE_AFTER = timedelta(minutes=15)
# Every feed is polled at least daily; when none has succeeded for two days,
# something is wrong beyond any one paper (the network, the poller).
STALE_POLL = 2 * 24 * 3600


# Each outside service gets this long to answer; /healthz answers in about a
# second even when one of them is gone.
SERVICE_TIMEOUT = 1.0


@require_safe
@never_cache
def healthz(request):
    now = timezone.now()
    database = _database()
    if not database["ok"]:
        body = {
            "status": "degraded",
            "problems": ["the database is unreachable"],
            "database": database,
        }
        return JsonResponse(body, status=503)
    heartbeat = Heartbeat.objects.filter(name=Heartbeat.POLLER).first()
    poller = _poller(now, heartbeat)
    enabled = Feed.objects.enabled()
    last_success = enabled.aggregate(last=Max("last_success_at"))["last"]
    due = Feed.objects.due(now)
    feeds = {
        "enabled": enabled.count(),
        "due": due.count(),
        "overdue": due.filter(next_check_at__lt=now - OVERDUE_AFTER).count(),
    }
    last_poll_age = _age(now, last_success)
    services = {"cache": _cache(), "broker": _broker()}
    problems = _problems(poller, last_poll_age, feeds) + [
        f"the {name} is unreachable"
        for name, state in (
            ("cache", services["cache"]),
            ("message broker", services["broker"]),
        )
        if state.get("ok") is False
    ]
    body = {
        "status": "degraded" if problems else "ok",
        "problems": problems,
        "last_successful_poll_age_seconds": last_poll_age,
        "last_article_stored_age_seconds": _age(now, _newest_stored()),
        "poller": poller,
        "feeds": feeds,
        "database": database,
        **services,
    }
    return JsonResponse(body, status=503 if problems else 200)


def _timed(check):
    """Run `check`; return {"ok", "latency_ms"} (no error text: this page is
    public, and an error may name a host or a password)."""
    started = time.perf_counter()
    try:
        check()
        ok = True
    except Exception:  # noqa: BLE001 - any failure means unreachable
        ok = False
    return {"ok": ok, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def _database():
    def check():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    return {"vendor": connection.vendor, **_timed(check)}


def _cache():
    key = "briefings:healthz"

    def check():
        value = str(time.time_ns())
        cache.set(key, value, 30)
        if cache.get(key) != value:
            raise DatabaseError("the cache did not keep a value")

    return {"backend": cache.__class__.__name__, **_timed(check)}


def _broker():
    if not settings.CELERY_BROKER_URL:
        return {"configured": False}
    from kombu import Connection

    def check():
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=SERVICE_TIMEOUT
        ) as broker:
            broker.ensure_connection(max_retries=0, timeout=SERVICE_TIMEOUT)

    return {"configured": True, **_timed(check)}


def _newest_stored():
    """When the newest article was stored (the highest id: stored last)."""
    from briefings.articles.models import Article

    return Article.objects.order_by("-pk").values_list("fetched_at", flat=True).first()


def _poller(now, heartbeat):
    """The poller's state; its last crash's text stays in the database (the
    admin), not on this public page."""
    beat_age = _age(now, heartbeat.beat_at if heartbeat else None)
    return {
        "alive": beat_age is not None and beat_age < STALE_HEARTBEAT,
        "heartbeat_age_seconds": beat_age,
        "started_at": _iso(heartbeat.started_at if heartbeat else None),
        "restarts": heartbeat.restarts if heartbeat else 0,
        "last_crash_at": _iso(heartbeat.last_crash_at if heartbeat else None),
    }


def _problems(poller, last_poll_age, feeds):
    problems = []
    if poller["heartbeat_age_seconds"] is None:
        problems.append("the feed poller has never run")
    elif not poller["alive"]:
        age = poller["heartbeat_age_seconds"]
        problems.append(f"the feed poller has not been seen for {age} s")
    if feeds["overdue"]:
        minutes = int(OVERDUE_AFTER.total_seconds() // 60)
        problems.append(f"{feeds['overdue']} feeds overdue by over {minutes} min")
    if feeds["enabled"] and last_poll_age is None:
        problems.append("no feed polled successfully yet")
    elif feeds["enabled"] and last_poll_age > STALE_POLL:
        problems.append("no feed polled successfully in two days")
    return problems


def _age(now, moment):
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def _iso(moment):
    return moment.isoformat() if moment else None
