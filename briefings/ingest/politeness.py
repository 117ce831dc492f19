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
import uuid
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


# One host's state in Redis, timed by Redis's clock (TIME), so the workers'
# clocks never matter. KEYS: slots (a sorted set: holder token -> lease end, ms),
# next start (ms), deferred until (ms), crawl delay (s). ARGV: token,
# concurrency, spacing (s), jitter factor, slot lease (ms). Returns {1, 0} when
# the slot is taken, {0, ms to wait} when not yet, {-1, deferred until (ms)}.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local deferred = tonumber(redis.call('GET', KEYS[3]) or '0')
if deferred > now then return {-1, deferred} end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {0, 50} end
if now < next_start then return {0, next_start - now} end
local lease = tonumber(ARGV[5])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease)
local spacing = math.max(tonumber(ARGV[3]), tonumber(redis.call('GET', KEYS[4]) or '0'))
local gap = math.floor(spacing * tonumber(ARGV[4]) * 1000)
if gap > 0 then redis.call('SET', KEYS[2], now + gap, 'PX', gap) end
return {1, 0}
"""
# KEYS: deferred until. ARGV: seconds. Returns the end (ms, Redis clock) and now.
_DEFER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = math.floor(tonumber(ARGV[1]) * 1000)
local until_ms = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now + ms)
if until_ms > now then redis.call('SET', KEYS[1], until_ms, 'PX', until_ms - now) end
return {until_ms, now}
"""


class RedisHostGate:
    """HostGate's limits held in Redis, for every worker on every machine
    (issue #17): at most `concurrency` requests in flight to a host, their
    starts `spacing` apart (or a longer Crawl-delay), and a Retry-After closing
    the host for all. A slot is leased: a killed holder's returns after
    SLOT_LEASE seconds (a fetch ends well before, at its deadline)."""

    SLOT_LEASE = 120.0
    PREFIX = "briefings:host:"

    def __init__(self, url, concurrency=2, spacing=1.0, jitter=0.5):
        import redis

        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.redis = redis.Redis.from_url(url, socket_timeout=10)
        self.concurrency = concurrency
        self.spacing = max(0.0, spacing)
        self.jitter = max(0.0, jitter)
        self.take = self.redis.register_script(_TAKE)
        self.push_back = self.redis.register_script(_DEFER)

    def _keys(self, url):
        base = self.PREFIX + host_of(url)
        return [f"{base}:slots", f"{base}:next", f"{base}:deferred", f"{base}:delay"]

    @contextmanager
    def slot(self, url):
        """Wait for a free, well-spaced slot on the URL's host across all
        workers and hold it; raise HostDeferred when the host is closed."""
        keys, token = self._keys(url), uuid.uuid4().hex
        while True:
            factor = 1 + random.uniform(0, self.jitter)
            lease_ms = int(self.SLOT_LEASE * 1000)
            state, value = self.take(
                keys, [token, self.concurrency, self.spacing, factor, lease_ms]
            )
            if state == 1:
                break
            if state == -1:
                until = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
                raise HostDeferred(host_of(url), until)
            time.sleep(min(int(value), 1000) / 1000)
        try:
            yield
        finally:
            self.redis.zrem(keys[0], token)

    def defer(self, url, seconds):
        """Close the URL's host for `seconds` (capped to 24 h), for every worker;
        return the end time."""
        seconds = min(max(0.0, float(seconds)), MAX_DEFER)
        until_ms, _ = self.push_back([self._keys(url)[2]], [seconds])
        return datetime.fromtimestamp(int(until_ms) / 1000, tz=UTC)

    def deferred_until(self, url):
        """Return when the URL's host opens again, or None when it is open."""
        key = self._keys(url)[2]
        until = int(self.redis.get(key) or 0)
        seconds, micros = self.redis.time()
        if until <= seconds * 1000 + micros // 1000:
            return None
        return datetime.fromtimestamp(until / 1000, tz=UTC)

    def set_spacing(self, url, seconds):
        """Space this host's requests by at least `seconds` (Crawl-delay), for
        every worker; capped to a minute."""
        key = self._keys(url)[3]
        if seconds is None:
            self.redis.delete(key)
        else:
            self.redis.set(key, min(max(0.0, float(seconds)), MAX_SPACING), ex=86400)


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
