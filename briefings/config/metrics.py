"""/metrics: the figures of `briefings queues` in Prometheus's text format
(issue #17), for a scraper holding BRIEFINGS_METRICS_TOKEN.

One computation (queues.collect) serves both; this module only writes it out.
Without the setting the URL does not exist (404); a request without the token,
or with another, is refused (403), the token compared in constant time."""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from briefings.config.queues import collect
from briefings.newsletter.models import Delivery

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _family(name, help_text, samples):
    """Lines of one gauge: HELP, TYPE, then `samples` ((labels, value) pairs)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        label_text = ",".join(f'{key}="{val}"' for key, val in labels.items())
        lines.append(f"{name}{{{label_text}}} {value}" if labels else f"{name} {value}")
    return lines


def render(figures):
    """Write `figures` (a queues.Figures) in the Prometheus text format 0.0.4.

    A queue whose depth is unknown, and the lag when no feed is due, have no
    sample (absent, not zero); every delivery status has one."""
    lines = _family(
        "briefings_queue_messages",
        "Messages waiting on the broker, per Celery queue.",
        [({"queue": q}, n) for q, n in figures.queues.items() if n is not None],
    )
    lines += _family(
        "briefings_feeds_due",
        "Enabled feeds due for a poll.",
        [({}, figures.feeds_due)],
    )
    lag = figures.oldest_due_lag
    lines += _family(
        "briefings_oldest_due_feed_lag_seconds",
        "How long the most overdue feed has waited past its check time.",
        [] if lag is None else [({}, f"{lag:.3f}")],
    )
    lines += _family(
        "briefings_feed_leases",
        "Feed refresh leases in the database: held now, or expired (a dead worker's).",
        [
            ({"state": "held"}, figures.leases),
            ({"state": "expired"}, figures.expired_leases),
        ],
    )
    counts = figures.deliveries
    lines += _family(
        "briefings_deliveries",
        "Deliveries of the editions being sent or paused, by status.",
        [({"status": s}, counts.get(s, 0)) for s in Delivery.Status.values],
    )
    return "\n".join(lines) + "\n"


def authorized(request):
    """Whether `request` carries `Authorization: Bearer <the token>`."""
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() != "bearer":
        return False
    expected = settings.BRIEFINGS_METRICS_TOKEN.encode()
    return hmac.compare_digest(credentials.strip().encode("utf-8", "replace"), expected)


@never_cache
@require_GET
def metrics(request):
    if not settings.BRIEFINGS_METRICS_TOKEN:
        raise Http404("metrics are off (BRIEFINGS_METRICS_TOKEN is unset)")
    if not authorized(request):
        return HttpResponseForbidden("a metrics token is needed\n")
    return HttpResponse(render(collect()), content_type=CONTENT_TYPE)
