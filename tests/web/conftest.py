import pytest

from django.contrib.sites.models import Site
from django.core.cache import cache

from briefings.web.caching import forget_newest_article
from briefings.web.context import forget_network_facts


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts cold: no cached pages (the database starts empty too), no
    newest-article id, network facts or current Site remembered from an earlier
    test, so query counts do not depend on which tests ran before or how long they
    took."""
    cache.clear()
    forget_newest_article()
    forget_network_facts()
    Site.objects.clear_cache()
    yield
    cache.clear()


@pytest.fixture
def small_cache(settings):
    """A local-memory cache of 60 entries: a flood that makes entries evicts."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "flood-test",
            "OPTIONS": {"MAX_ENTRIES": 60},
        }
    }
    cache.clear()
    yield cache
    cache.clear()
