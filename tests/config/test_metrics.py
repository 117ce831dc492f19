"""/metrics (issue #17): the figures of `briefings queues`, in Prometheus's text
format, for a client holding BRIEFINGS_METRICS_TOKEN."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest

from django.core.management import call_command
from django.utils import timezone

from briefings.config.metrics import render
from briefings.config.queues import Figures
from briefings.network.models import Feed
from briefings.newsletter.models import Delivery, Edition, Subscriber

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-metrics-token"

# The text format 0.0.4, strictly: comment lines, then samples with a metric
# name, optional labels with quoted (escaped) values, and a float value.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
SAMPLE = re.compile(
    rf"^(?P<name>{NAME})(?:\{{(?P<labels>{LABEL}(?:,{LABEL})*)?\}})? "
    r"(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|NaN|[-+]Inf)$"
)
HELP = re.compile(rf"^# HELP (?P<name>{NAME}) \S.*$")
TYPE = re.compile(
    rf"^# TYPE (?P<name>{NAME}) (counter|gauge|histogram|summary|untyped)$"
)


def parse(text):
    """Return {(name, labels): value}, failing on any line out of the format:
    every sample after its family's TYPE, no family typed twice."""
    assert text.endswith("\n")
    typed, samples = set(), {}
    for line in text.splitlines():
        if line.startswith("# HELP"):
            assert HELP.match(line), line
        elif line.startswith("# TYPE"):
            name = TYPE.match(line)["name"]
            assert name not in typed, line
            typed.add(name)
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample: {line!r}"
            assert match["name"] in typed, f"sample before its TYPE: {line}"
            labels = tuple(
                sorted(re.findall(r'(\w+)="([^"]*)"', match["labels"] or ""))
            )
            key = (match["name"], labels)
            assert key not in samples, f"duplicate sample: {line}"
            samples[key] = float(match["value"])
    return samples


@pytest.fixture
def busy(network, settings):
    """Due feeds, a lease, an edition being sent: the figures of test_queues."""
    settings.CELERY_BROKER_URL = ""
    now = timezone.now()
    Feed.objects.update(next_check_at=now + timedelta(hours=1))
    overdue, leased, expired = Feed.objects.enabled().order_by("pk")[:3]
    Feed.objects.filter(pk=overdue.pk).update(
        next_check_at=now - timedelta(seconds=300)
    )
    Feed.objects.filter(pk=leased.pk).update(
        lease_token="t", lease_owner="w", lease_expires_at=now + timedelta(minutes=5)
    )
    Feed.objects.filter(pk=expired.pk).update(
        lease_token="u", lease_owner="x", lease_expires_at=now - timedelta(minutes=5)
    )
    edition = Edition.objects.create(date=date(2026, 1, 5), status="sending")
    for n, status in enumerate(["sent", "sent", "queued", "bounced"]):
        reader = Subscriber.objects.create(email=f"r{n}@example.test")
        Delivery.objects.create(edition=edition, subscriber=reader, status=status)


def test_unset_token_means_no_metrics(client, settings, busy):
    settings.BRIEFINGS_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer s3cret-metrics-tokén",
    ],
)
def test_a_missing_or_wrong_token_is_refused(client, settings, busy, header):
    settings.BRIEFINGS_METRICS_TOKEN = TOKEN
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get("/metrics", **extra)
    assert response.status_code == 403
    assert b"briefings_" not in response.content


def test_the_token_is_accepted_and_the_format_parses(client, settings, busy):
    settings.BRIEFINGS_METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "no-cache" in response["Cache-Control"]
    parse(response.content.decode())
    assert (
        client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405
    )


def queues_command():
    """The figures `briefings queues` prints, read back from its text."""
    out = StringIO()
    call_command("queues", stdout=out)
    text = out.getvalue()
    figures = {
        "feeds_due": int(re.search(r"feeds due: (\d+)", text)[1]),
        "leases": tuple(
            map(int, re.search(r"leases: (\d+) held, (\d+) expired", text).groups())
        ),
        "deliveries": {
            s: int(n)
            for n, s in re.findall(r"(\d+) (\w+)", text.split("being sent: ")[1])
        },
    }
    lag = re.search(r"waiting (\d+) s", text)
    figures["lag"] = int(lag[1]) if lag else None
    return figures


def test_the_figures_are_those_of_briefings_queues(client, settings, busy):
    settings.BRIEFINGS_METRICS_TOKEN = TOKEN
    shown = queues_command()
    samples = parse(
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    )
    assert shown["feeds_due"] == samples[("briefings_feeds_due", ())] == 1
    lag = samples[("briefings_oldest_due_feed_lag_seconds", ())]
    assert abs(lag - shown["lag"]) < 5 and 300 <= lag < 400
    held = samples[("briefings_feed_leases", (("state", "held"),))]
    expired = samples[("briefings_feed_leases", (("state", "expired"),))]
    assert shown["leases"] == (held, expired) == (1, 1)
    deliveries = {
        dict(labels)["status"]: value
        for (name, labels), value in samples.items()
        if name == "briefings_deliveries"
    }
    assert {s: n for s, n in deliveries.items() if n} == shown["deliveries"]
    assert shown["deliveries"] == {"sent": 2, "queued": 1, "bounced": 1}
    assert set(deliveries) == set(Delivery.Status.values)
    # no broker: no queue is sampled, as `briefings queues` shows none
    assert not [key for key in samples if key[0] == "briefings_queue_messages"]


def test_queue_depths_and_a_quiet_network_are_written_as_such():
    """Unknown depths and the lag with nothing due have no sample (absent is
    not zero); label values are written as given."""
    figures = Figures(queues={"ingest": 3, "mail": 0, "stories": None})
    samples = parse(render(figures))
    assert samples[("briefings_queue_messages", (("queue", "ingest"),))] == 3
    assert samples[("briefings_queue_messages", (("queue", "mail"),))] == 0
    assert ("briefings_queue_messages", (("queue", "stories"),)) not in samples
    assert ("briefings_oldest_due_feed_lag_seconds", ()) not in samples
    assert samples[("briefings_feeds_due", ())] == 0
