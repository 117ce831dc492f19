"""Fixtures shared across the suite: the network in the database, a browser."""

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEMO_CORPUS = SHARED / "demo-corpus" / "wikinews_asia.jsonl"
CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test's thread; Django's ORM
# refuses to run beside one unless told it is fine (the test is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def network(db):
    """Load the bundled network file (22 papers, their feeds) into the test database."""
    from briefings.network.networkfile import load_network
    from briefings.network.sync import sync_network

    network = load_network()
    sync_network(network)
    return network


def require_shared(path):
    """Return `path` under ../shared; skip when it is missing, but fail in CI
    (CI=true), where a missing shared directory is a broken checkout, not a
    reason to test less."""
    if not path.exists():
        message = f"the shared data is not at {path}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI must have ../shared beside the checkout)")
        pytest.skip(message)
    return path


def require_demo_corpus():
    return require_shared(DEMO_CORPUS)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright (skipped when absent locally;
    CI sets BRIEFINGS_REQUIRE_BROWSER=1 so a missing browser fails instead)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("BRIEFINGS_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing but BRIEFINGS_REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def subprocess_database_url():
    """The URL of the database this test runs on, for a `briefings` subprocess."""
    from django.db import connection

    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{config['NAME']}"


REDIS_FOR_TESTS = "redis://127.0.0.1:6379/2"


def redis_is_up(url=REDIS_FOR_TESTS):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """Django's cache as the default (local memory) and as a real Redis, the
    shared cache every web worker and sender counts in."""
    from django.core.cache import cache

    if request.param == "redis":
        if not redis_is_up():
            if os.environ.get("CI"):
                pytest.fail("Redis is not running on 127.0.0.1:6379")
            pytest.skip("no Redis on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_FOR_TESTS,
                "KEY_PREFIX": "briefings-test",
            }
        }
    cache.clear()
    yield request.param
    cache.clear()
