"""Whole-page caching: hits, invalidation on change, 304s, per-reader CSRF
tokens, and bounded query counts on every page type."""

import pytest
from lxml import html as lxml_html

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import _does_token_match
from django.template import engines
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from briefings.articles.models import Article
from briefings.network.models import Publication
from briefings.web.caching import (
    CSRF_PLACEHOLDER,
    PAGE_VARIANTS,
    cached_page,
    csrf_offsets,
    csrf_placeholder,
    placeholder_offsets,
    with_token,
)

from ..factories import make_article


@pytest.fixture
def stories(network):
    return [make_article("dawn") for _ in range(3)] + [
        make_article("the-korea-herald") for _ in range(3)
    ]


def test_second_visit_is_a_cache_hit_without_queries(
    client, stories, django_assert_max_num_queries
):
    url = stories[0].get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_max_num_queries(1):  # the newest-article check at most
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert stories[0].headline in response.content.decode()


def test_saving_an_article_refreshes_its_page_and_the_rivers(client, stories):
    article = stories[0]
    client.get(article.get_absolute_url())
    client.get("/")
    article.headline = "A corrected headline"
    article.save()
    page = client.get(article.get_absolute_url(), follow=True)
    assert "A corrected headline" in page.content.decode()
    assert "A corrected headline" in client.get("/").content.decode()


def test_a_new_article_shows_on_the_cached_home_page(client, stories):
    client.get("/")
    fresh = make_article("dawn", headline="Just in from Karachi")
    assert fresh.headline in client.get("/").content.decode()


def test_a_change_made_elsewhere_shows_once_the_generation_moves(client, stories):
    """A process without our signals (another worker) bumps the shared key."""
    client.get("/region/south-asia/")
    Article.objects.filter(pk=stories[0].pk).update(headline="Changed in bulk")
    cache.delete("web:generation")  # what a bump in another process amounts to
    assert "Changed in bulk" in client.get("/region/south-asia/").content.decode()


def test_etag_and_last_modified_give_304(client, stories):
    first = client.get("/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get("/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_cached_article_page_is_the_same_for_every_reader(stories):
    """No token and no cookie: the page can be a file nginx serves (edge)."""
    url = stories[0].get_absolute_url()
    pages = []
    for _ in range(2):
        response = Client().get(url)
        assert not response.cookies
        assert b"csrfmiddlewaretoken" not in response.content
        pages.append(response.content)
    assert response["X-Page-Cache"] == "hit"
    assert pages[0] == pages[1]
    tree = lxml_html.fromstring(pages[0])
    assert tree.cssselect(".newsletter form[method=post] input[name=email]")


def test_a_cached_page_with_a_csrf_token_gives_each_reader_their_own(db):
    """No reader's page renders a token now; one added later is not shared."""

    @cached_page
    def view(request):
        form = engines["django"].from_string("{% csrf_token %}")
        return HttpResponse(form.render(csrf_placeholder(request), request))

    secrets, contents = [], []
    for state in ("miss", "hit"):
        request = RequestFactory().get("/form/")
        response = view(request)
        assert response["X-Page-Cache"] == state
        (field,) = lxml_html.fromstring(response.content).cssselect("input")
        secret = request.META["CSRF_COOKIE"]
        assert _does_token_match(field.get("value"), secret)
        secrets.append(secret)
        contents.append(response.content)
    assert secrets[0] != secrets[1]
    assert CSRF_PLACEHOLDER.encode() not in contents[1]


def test_signed_in_editors_bypass_the_cache(admin_client, stories):
    admin_client.get("/")
    assert "X-Page-Cache" not in admin_client.get("/")


def test_bad_requests_are_not_cached(client, network):
    assert client.get("/publication/nope/").status_code == 404
    assert "X-Page-Cache" not in client.get("/publication/nope/")


@pytest.mark.parametrize(
    "path, most",
    [
        # The front (issue #14): + the most covered stories, the newest ids for
        # the regions' sections and their cards; + the editors' pins (#18).
        ("/", 12),
        ("/region/south-asia/", 9),
        ("/country/pk/", 12),  # + the stories about it: their ids, their cards
        ("/publication/dawn/", 9),
        # + counting the matches (SQLite: past CANDIDATES, the newest only).
        ("/search/?q=paragraph", 11),
        ("/feed/", 5),
        # Pages are runs of ids (issue #16): the lowest and highest, no count.
        ("/sitemap-articles.xml", 5),
        ("/privacy/", 7),
    ],
)
def test_query_counts_are_bounded(
    client, stories, path, most, django_assert_max_num_queries
):
    """Counted cold (see conftest): no cached page, newest article or Site."""
    for _ in range(20):  # more stories must not mean more queries
        make_article("dawn")
    cache.clear()
    with django_assert_max_num_queries(most):
        assert client.get(path).status_code == 200


def test_warm_pages_take_their_papers_from_the_memo(client, stories):
    """Cold counts above include reading the publications once per process and
    generation; after that, no page reads them again for its cards."""
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(stories[0].get_absolute_url()).status_code == 200
        assert client.get("/region/south-asia/").status_code == 200
    assert not [q for q in queries if '"network_publication"' in q["sql"]]


def test_a_renamed_paper_shows_on_its_cards_at_once(client, stories):
    assert "By Dawn" in client.get("/").content.decode()
    dawn = Publication.objects.get(slug="dawn")
    dawn.name = "Dawn Daily"
    dawn.save()
    page = client.get("/").content.decode()
    assert "By Dawn Daily" in page


def test_article_page_query_count_is_bounded(
    client, stories, django_assert_max_num_queries
):
    cache.clear()
    with django_assert_max_num_queries(12):
        assert client.get(stories[0].get_absolute_url()).status_code == 200


def test_the_newsletter_pitch_follows_a_paper_leaving_the_network(client, stories):
    """The shared page context is kept per generation; a changed paper ends it."""
    url = stories[0].get_absolute_url()  # a Dawn story
    assert (
        "curated stories from 22 Asian newspapers" in client.get(url).content.decode()
    )
    herald = Publication.objects.get(slug="the-korea-herald")
    herald.enabled = False
    herald.save()
    page = client.get(url).content.decode()
    assert "curated stories from 21 Asian newspapers" in page


def test_each_placeholder_of_a_stored_page_gets_the_token():
    """A stored page keeps where its placeholders are, so a hit puts the reader's
    token in without searching the page; pages stored before are searched."""
    mark = CSRF_PLACEHOLDER.encode()
    page = b"<form>" + mark + b"</form><p>text</p><form>" + mark + b"</form>"
    offsets = placeholder_offsets(page)
    assert len(offsets) == 2
    filled = with_token(page, offsets, b"TOKEN")
    assert filled == b"<form>TOKEN</form><p>text</p><form>TOKEN</form>"
    assert csrf_offsets({"content": page}) == offsets  # stored before offsets
    assert with_token(
        b"<p>no form</p>", placeholder_offsets(b"<p>no form</p>"), b"T"
    ) == (b"<p>no form</p>")


def stored_keys():
    return len(cache._cache)  # LocMemCache's entries (small_cache, conftest)


@pytest.mark.parametrize(
    "variant",
    [
        "/?utm_x={n}",
        "/?fbclid={n}&utm_source=x",
        "/?BEFORE={n}",
        "/?before=&x={n}",
    ],
)
def test_unknown_parameters_never_make_an_entry(client, stories, small_cache, variant):
    """A reader (or a bot) adding parameters a page does not read gets the page
    stored for its address without them, and stores nothing new."""
    assert client.get("/")["X-Page-Cache"] == "miss"
    before = stored_keys()
    for n in range(200):
        response = client.get(variant.format(n=n))
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit"
    assert stored_keys() == before
    assert client.get("/")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "variant",
    [
        "/?before={micros}-{n}",
        "/search/?q=word{n}",
        "/search/?q=typhoon&since=2024-01-{day:02}&until=2024-{month:02}-01",
    ],
)
def test_the_variants_of_a_page_are_bounded(client, stories, small_cache, variant):
    """Values of parameters a page reads are cached up to PAGE_VARIANTS per
    page and generation; a flood of them evicts no other page."""
    for path in ("/", "/region/south-asia/"):
        assert client.get(path)["X-Page-Cache"] == "miss"
    before = stored_keys()
    for n in range(200):
        path = variant.format(
            n=n, micros=1_700_000_000_000_000 + n, day=n % 28 + 1, month=n % 12 + 1
        )
        assert client.get(path).status_code in (200, 404)
    assert stored_keys() <= before + PAGE_VARIANTS + 1  # + the page's counter
    for path in ("/", "/region/south-asia/"):
        assert client.get(path)["X-Page-Cache"] == "hit"


def test_parameters_in_any_order_share_one_entry(client, stories):
    first = client.get("/search/?q=paragraph&region=south-asia&page=1")
    assert first["X-Page-Cache"] == "miss"
    again = client.get("/search/?page=1&region=south-asia&q=paragraph&utm=1")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content


def test_a_page_never_shows_parameters_it_does_not_read(client, network):
    """The stored page is the one for its key: links carry no foreign parameters."""
    for n in range(25):
        make_article("dawn", headline=f"Cyclone update {n}")
    page = client.get("/search/?q=cyclone&evil=%22%3Ex&utm_source=feed")
    assert page["X-Page-Cache"] == "miss"
    assert b"evil" not in page.content and b"utm_source" not in page.content
    tree = lxml_html.fromstring(page.content)
    assert tree.cssselect('a[rel="next"]')[0].get("href") == "?q=cyclone&page=2"


def test_the_variant_bound_holds_on_a_shared_redis_cache(client, stories, settings):
    """The variant counter works on Redis too (incr there is Redis's own)."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/8"
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=1)
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        }
    }
    server.flushdb()
    try:
        assert client.get("/")["X-Page-Cache"] == "miss"
        before = server.dbsize()
        for n in range(60):
            assert client.get(f"/?utm_x={n}")["X-Page-Cache"] == "hit"
            client.get(f"/?before={1_700_000_000_000_000 + n}-{n}")
        assert server.dbsize() <= before + PAGE_VARIANTS + 1
        assert client.get("/")["X-Page-Cache"] == "hit"
    finally:
        server.flushdb()
