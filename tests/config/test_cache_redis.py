"""CACHE_URL=redis:// against the real Redis these machines run (127.0.0.1:6379)."""

import os
import subprocess
import sys
import uuid

import pytest

REDIS = "redis://127.0.0.1:6379/15"


def redis_is_up():
    import redis

    try:
        return redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def test_page_cache_is_shared_through_redis(tmp_path):
    if not redis_is_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    key, value = f"briefings-test-{uuid.uuid4()}", "shared between processes"
    script = (
        "import django, sys; django.setup(); from django.core.cache import caches; "
        "cache = caches['default']; print(type(cache).__name__); "
        "cache.set(sys.argv[1], sys.argv[2]) if sys.argv[2] else "
        "print(cache.get(sys.argv[1]))"
    )
    env = dict(
        os.environ,
        CACHE_URL=REDIS,
        BRIEFINGS_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="briefings.config.settings",
    )
    run = [sys.executable, "-c", script, key]
    writer = subprocess.run([*run, value], env=env, capture_output=True, text=True)
    reader = subprocess.run([*run, ""], env=env, capture_output=True, text=True)
    assert writer.stdout.splitlines() == ["RedisCache"], writer.stderr
    assert reader.stdout.splitlines() == ["RedisCache", value], reader.stderr
