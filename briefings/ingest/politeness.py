"""Be a polite client: per-host limits, Retry-After, adaptive polling, backoff.

A HostGate is shared by the scheduler's threads: every request goes through
`with gate.slot(url): ...`, which holds at most `concurrency` requests to one
host at a time and spaces their starts at least `spacing` seconds apart (plus
random jitter, so our requests don't fall into a rhythm). When a host answers
429 or 503 with Retry-After, `gate.defer(url, seconds)` closes the host until
then: later slots raise HostDeferred at once rather than hold a worker for
hours, and the caller reschedules its feed for `until`.

The rest are pure functions of numbers and headers.
"""

import random
import statistics
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from django.conf import settings

MAX_DEFER = 24 * 3600.0
MAX_SPACING = 60.0
MIN_INTERVAL = 5 * 60.0
MAX_INTERVAL = 24 * 3600.0
RECENT_ENTRIES = 20


class HostDeferred(Exception):
    """The host asked us to come back later (Retry-After); `until` says when."""

    def __init__(self, host, until):
        super().__init__(f"{host} asked us to wait until {until:%Y-%m-%d %H:%M:%S} UTC")
        self.host = host
        self.until = until


def host_of(url):
    """Return the host a URL's requests are counted against (name and port)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").lower()
    return f"{host}:{port}" if port else host


class _Host:
    def __init__(self):
        self.active = 0
        self.next_start = 0.0  # time.monotonic()
        self.deferred_until = 0.0  # time.time()
        self.spacing = None  # a per-host override (robots.txt Crawl-delay)


class HostGate:
    """Limit concurrent requests per host and space their starts; thread-safe."""

    def __init__(self, concurrency=2, spacing=1.0, jitter=0.5):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self.spacing = max(0.0, spacing)
        self.jitter = max(0.0, jitter)
        self._hosts = {}
        self._changed = threading.Condition()

    @classmethod
    def from_settings(cls):
        """Return a gate with BRIEFINGS_HOST_CONCURRENCY and BRIEFINGS_HOST_SPACING."""
        return cls(
            concurrency=settings.BRIEFINGS_HOST_CONCURRENCY,
            spacing=settings.BRIEFINGS_HOST_SPACING,
        )

    def _host(self, url):
        return self._hosts.setdefault(host_of(url), _Host())

    def _gap(self, host):
        spacing = max(self.spacing, host.spacing or 0.0)
        return spacing * (1 + random.uniform(0, self.jitter))

    @contextmanager
    def slot(self, url):
        """Wait for a free, well-spaced slot on the URL's host and hold it.

        Raise HostDeferred at once (and later, if a deferral arrives while
        waiting) when the host has asked us to come back later.
        """
        name = host_of(url)
        with self._changed:
            host = self._host(url)
            while True:
                if host.deferred_until > time.time():
                    until = datetime.fromtimestamp(host.deferred_until, tz=UTC)
                    raise HostDeferred(name, until)
                wait = host.next_start - time.monotonic()
                if host.active < self.concurrency and wait <= 0:
                    break
                self._changed.wait(timeout=wait if wait > 0 else None)
            host.active += 1
            host.next_start = time.monotonic() + self._gap(host)
        try:
            yield
        finally:
            with self._changed:
                host.active -= 1
                self._changed.notify_all()

    def defer(self, url, seconds):
        """Close the URL's host for `seconds` (capped to 24 h); return the end time."""
        seconds = min(max(0.0, float(seconds)), MAX_DEFER)
        with self._changed:
            host = self._host(url)
            host.deferred_until = max(host.deferred_until, time.time() + seconds)
            self._changed.notify_all()
            return datetime.fromtimestamp(host.deferred_until, tz=UTC)

    def deferred_until(self, url):
        """Return when the URL's host opens again, or None when it is open."""
        with self._changed:
            until = self._host(url).deferred_until
        if until <= time.time():
            return None
        return datetime.fromtimestamp(until, tz=UTC)

    def set_spacing(self, url, seconds):
        """Space this host's requests by at least `seconds` (robots.txt Crawl-delay).

        The longer of this and the gate's spacing applies; capped to a minute.
        """
        with self._changed:
            host = self._host(url)
            if seconds is None:
                host.spacing = None
            else:
                host.spacing = min(max(0.0, float(seconds)), MAX_SPACING)


def retry_after_seconds(headers, now=None):
    """Return the seconds a Retry-After header asks us to wait, capped to 24 h.

    RFC 9110 §10.2.3: either delta-seconds ("120") or an HTTP-date; a date in
    the past means 0. Return None when the header is absent or unreadable.
    """
    value = next(
        (str(v).strip() for k, v in headers.items() if k.lower() == "retry-after"),
        "",
    )
    if not value or len(value) > 100:
        return None
    if value.isascii() and value.isdigit():
        return min(float(value), MAX_DEFER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_DEFER)


def adaptive_interval(published, current, minimum=MIN_INTERVAL, maximum=MAX_INTERVAL):
    """Return the next poll interval (seconds) of a feed from its entries' dates.

    Half the median gap between the recent entries, so a story waits on
    average a quarter of the paper's usual gap; clamped to [minimum, maximum].
    With fewer than two dated entries, back off: double `current`, clamped.
    """
    dates = sorted({d for d in published if d is not None}, reverse=True)
    dates = dates[:RECENT_ENTRIES]
    if len(dates) < 2:
        return min(max(current * 2, minimum), maximum)
    gaps = [(a - b).total_seconds() for a, b in zip(dates, dates[1:], strict=False)]
    return min(max(statistics.median(gaps) / 2, minimum), maximum)


def backoff(error_count, base=MIN_INTERVAL, cap=MAX_INTERVAL):
    """Return the wait (seconds) after `error_count` consecutive errors.

    Exponential (base, 2 base, 4 base, ...) up to `cap`, with "equal jitter":
    a random point in the upper half, so failing feeds don't retry in step.
    """
    if error_count < 1:
        return 0.0
    delay = min(cap, base * 2 ** min(error_count - 1, 60))
    return delay / 2 + random.uniform(0, delay / 2)
