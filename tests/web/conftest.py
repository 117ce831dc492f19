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
