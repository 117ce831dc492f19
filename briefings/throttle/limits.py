"""Counters in Django's cache: how many times a key was hit in a window, and
locks that last a set time. Keys are hashed, so no address or mailbox is
stored in the cache in clear."""

import hashlib
import time

from django.core.cache import cache


def cache_key(scope, value):
    digest = hashlib.sha256(f"{scope}\0{value}".encode()).hexdigest()[:40]
    return f"throttle:{scope}:{digest}"


def hit(scope, value, seconds):
    """Count one hit of `value` in `scope`; return the hits in the window, which
    starts at the first hit and lasts `seconds`."""
    key = cache_key(scope, value)
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)  # atomic in Redis and in local memory
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def over(scope, value, limit, seconds):
    """Count one hit; return True when it is past `limit` for the window."""
    return hit(scope, value, seconds) > limit


def hits(scope, value):
    return cache.get(cache_key(scope, value), 0)


def forget(scope, value):
    cache.delete(cache_key(scope, value))


def lock(scope, value, seconds):
    """Lock `value` for `seconds` from now (a running lock is not extended)."""
    cache.add(cache_key("lock:" + scope, value), time.time() + seconds, seconds)


def locked_for(scope, value):
    """Return the seconds left on the lock of `value`, 0 when unlocked."""
    until = cache.get(cache_key("lock:" + scope, value))
    return max(0.0, until - time.time()) if until else 0.0
