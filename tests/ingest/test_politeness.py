import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from briefings.ingest.fetch import FetchError, FetchPolicy, fetch
from briefings.ingest.politeness import (
    MAX_DEFER,
    HostDeferred,
    HostGate,
    adaptive_interval,
    backoff,
    host_of,
    retry_after_seconds,
)

from .conftest import Route

LOOPBACK = FetchPolicy(allow_private=True)
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class Meter:
    """Count the requests the server is answering at the same time."""

    def __init__(self, hold=0.2):
        self.hold = hold
        self.active = self.peak = 0
        self.starts = []
        self.lock = threading.Lock()

    def __call__(self, handler):
        with self.lock:
            self.starts.append(time.monotonic())
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.hold)
        with self.lock:
            self.active -= 1
        return Route(b"ok")


def polite_get(gate, url):
    with gate.slot(url):
        return fetch(url, LOOPBACK)


def test_concurrency_per_host_is_limited(site):
    meter = site.routes["/slow"] = Meter()
    gate = HostGate(concurrency=2, spacing=0)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: polite_get(gate, site.url("/slow")), range(8)))
    assert len(meter.starts) == 8
    assert meter.peak == 2


def test_hosts_are_limited_separately(site):
    meter = site.routes["/slow"] = Meter()
    gate = HostGate(concurrency=1, spacing=0)
    port = site.server.server_port
    urls = [f"http://127.0.0.1:{port}/slow", f"http://localhost:{port}/slow"] * 3
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda url: polite_get(gate, url), urls))
    assert meter.peak == 2  # one per host, both hosts at once


def assert_spaced(starts, spacing):
    """Check server-side start times: no burst, and spaced on the whole.

    Generous on purpose: one request may reach the server late on a loaded
    machine, shortening the gap after it, but never to a burst.
    """
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= spacing / 3
    assert starts[-1] - starts[0] >= (len(starts) - 1) * spacing * 0.9


def warm_up(site):
    """Make one request first, so the client's setup is not counted."""
    site.routes["/warm"] = Route(b"ok")
    fetch(site.url("/warm"), LOOPBACK)


def test_request_starts_are_spaced(site):
    warm_up(site)
    meter = site.routes["/quick"] = Meter(hold=0)
    gate = HostGate(concurrency=2, spacing=0.4, jitter=0.5)
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: polite_get(gate, site.url("/quick")), range(5)))
    assert len(meter.starts) == 5
    assert_spaced(meter.starts, 0.4)


def test_crawl_delay_lengthens_the_spacing(site):
    warm_up(site)
    meter = site.routes["/quick"] = Meter(hold=0)
    gate = HostGate(concurrency=2, spacing=0)
    gate.set_spacing(site.url("/"), 0.4)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: polite_get(gate, site.url("/quick")), range(4)))
    assert_spaced(meter.starts, 0.4)
    gate.set_spacing(site.url("/"), 10**6)
    assert gate._hosts[host_of(site.url("/"))].spacing == 60.0  # capped


@pytest.mark.parametrize("form", ["delta-seconds", "http-date"])
def test_retry_after_closes_the_host(site, form):
    retry_after = "120"
    if form == "http-date":
        retry_after = format_datetime(datetime.now(UTC) + timedelta(seconds=120))
    site.routes["/busy"] = Route(b"slow down", 429, {"Retry-After": retry_after})
    gate = HostGate(spacing=0)
    url = site.url("/busy")
    with gate.slot(url):
        response = httpx.get(url)  # the guarded client keeps no error headers yet
    seconds = retry_after_seconds(response.headers)
    assert 100 <= seconds <= 121
    until = gate.defer(url, seconds)

    with pytest.raises(HostDeferred) as raised:
        polite_get(gate, site.url("/other-page-same-host"))
    assert raised.value.until == until
    assert gate.deferred_until(url) == until
    assert len(site.requests) == 1  # nothing more reached the server


def test_a_waiting_request_gives_up_when_the_host_is_deferred(site):
    site.routes["/page"] = Route(b"ok")
    gate = HostGate(concurrency=1, spacing=0)
    holding, release = threading.Event(), threading.Event()

    def hold():
        with gate.slot(site.url("/page")):
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(polite_get, gate, site.url("/page"))
        time.sleep(0.1)
        gate.defer(site.url("/"), 60)
        with pytest.raises(HostDeferred):
            waiting.result(timeout=5)
    release.set()
    holder.join()
    assert site.requests == []


def test_slots_are_released_when_the_request_fails(site):
    site.routes["/"] = Route(b"ok")
    gate = HostGate(concurrency=1, spacing=0)
    for _ in range(3):
        with pytest.raises(FetchError):
            polite_get(gate, site.url("/missing"))
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(polite_get, gate, site.url("/")).result(timeout=5)


def test_gate_from_settings(settings):
    settings.BRIEFINGS_HOST_CONCURRENCY = 3
    settings.BRIEFINGS_HOST_SPACING = 0.0
    gate = HostGate.from_settings()
    assert (gate.concurrency, gate.spacing) == (3, 0.0)


def test_deferral_is_capped_to_a_day():
    gate = HostGate()
    until = gate.defer("https://paper.example/feed", 10**9)
    assert until <= datetime.now(UTC) + timedelta(seconds=MAX_DEFER + 5)
    assert gate.deferred_until("https://other.example/") is None


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120),
        ({"retry-after": " 0 "}, 0),
        ({"Retry-After": "Wed, 01 May 2024 12:01:30 GMT"}, 90),
        ({"Retry-After": "Wed, 01 May 2024 11:00:00 GMT"}, 0),
        ({"Retry-After": "9999999999"}, MAX_DEFER),
        ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, MAX_DEFER),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "1.5"}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "x" * 10_000}, None),
        ({}, None),
    ],
)
def test_retry_after_seconds(headers, seconds):
    assert retry_after_seconds(headers, now=NOW) == seconds


def hours_apart(count, hours):
    return [NOW - timedelta(hours=hours * n) for n in range(count)]


@pytest.mark.parametrize(
    ("published", "current", "expected"),
    [
        (hours_apart(10, 1), 900, 1800),  # hourly paper: every half hour
        (hours_apart(10, 0.01), 900, 300),  # very busy: the minimum
        (hours_apart(5, 24 * 7), 900, 86400),  # weekly: the maximum
        ([], 900, 1800),  # nothing dated: back off
        ([NOW], 60_000, 86400),  # backing off stops at the maximum
        (hours_apart(4, 2) + [None, NOW], 900, 3600),  # no dates, repeats ignored
    ],
)
def test_adaptive_interval(published, current, expected):
    assert adaptive_interval(published, current) == expected


def test_adaptive_interval_reads_only_recent_entries():
    recent = hours_apart(20, 1)
    old = [NOW - timedelta(days=300 + n) for n in range(100)]
    assert adaptive_interval(recent + old, 900) == 1800


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    for count in range(1, 8):
        delay = 60 * 2 ** (count - 1)
        waits = {backoff(count, base=60, cap=10**6) for _ in range(50)}
        assert all(delay / 2 <= w <= delay for w in waits)
        assert len(waits) > 1  # jittered
    assert backoff(0, base=60, cap=3600) == 0
    assert all(backoff(10**6, base=60, cap=3600) <= 3600 for _ in range(20))
