"""The front door answers page-cache hits before Django, exactly as Django would,
and never for signed-in editors; tested through a real server on loopback."""

import http.client
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from lxml import html as lxml_html

from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.http import HttpResponse
from django.middleware.csrf import _does_token_match
from django.test import Client

from briefings.web.caching import (
    CSRF_PLACEHOLDER,
    _store,
    forget_newest_article,
    generation,
    page_key,
)
from briefings.web.front import front_door

from ..factories import make_article


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadedServer(WSGIServer):
    daemon_threads = True


@pytest.fixture
def server(transactional_db):
    httpd = make_server(
        "127.0.0.1",
        0,
        front_door(WSGIHandler()),
        server_class=ThreadedServer,
        handler_class=QuietHandler,
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def stories(network):
    return [make_article("dawn") for _ in range(3)]


@pytest.fixture
def django_requests():
    """Count the requests that reached Django (the front door sends no signal)."""
    seen = []

    def count(**kwargs):
        seen.append(1)

    request_started.connect(count, dispatch_uid="test-front-door")
    yield seen
    request_started.disconnect(dispatch_uid="test-front-door")


def fetch(address, path, method="GET", **headers):
    connection = http.client.HTTPConnection(*address, timeout=10)
    headers.setdefault("Host", f"127.0.0.1:{address[1]}")
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def cookie_value(response, name):
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def comparable(response):
    """The headers a reader's browser acts on (not the date, cookie value, server)."""
    skip = {"date", "server", "set-cookie"}
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in skip}


def cookie_attributes(response, name):
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith(f"{name}="):
            return sorted(
                part.strip()
                for part in header.split(";")[1:]
                if not part.strip().lower().startswith("expires")
            )
    return None


@pytest.mark.parametrize("page", ["home", "article", "feed"])
def test_a_hit_from_the_front_door_matches_django_s(
    server, stories, django_requests, page
):
    path = {
        "home": "/",
        "article": stories[0].get_absolute_url(),
        "feed": "/feed/",
    }[page]
    first, _ = fetch(server, path)
    assert first.headers["X-Page-Cache"] == "miss"
    forget_newest_article()  # the next hit goes through Django once more
    django_hit, django_body = fetch(server, path)
    assert django_hit.headers["X-Page-Cache"] == "hit"
    reached = len(django_requests)
    front_hit, front_body = fetch(server, path)
    assert len(django_requests) == reached, "the hit reached Django"
    assert front_hit.status == django_hit.status == 200
    assert comparable(front_hit) == comparable(django_hit)
    assert cookie_attributes(front_hit, "csrftoken") == cookie_attributes(
        django_hit, "csrftoken"
    )
    assert "Content-Security-Policy" in front_hit.headers
    assert front_hit.headers["X-Frame-Options"] == "DENY"
    assert front_hit.headers["X-Content-Type-Options"] == "nosniff"
    assert front_body == django_body


def test_an_article_from_the_front_door_sets_no_cookie(server, stories):
    """The page every reader gets alike (what nginx serves as a file, edge)."""
    path = stories[0].get_absolute_url()
    fetch(server, path)
    bodies = [fetch(server, path) for _ in range(2)]
    for response, body in bodies:
        assert response.headers["X-Page-Cache"] == "hit"
        assert response.headers.get_all("Set-Cookie") is None
        assert b"csrfmiddlewaretoken" not in body
    assert bodies[0][1] == bodies[1][1]


def test_each_reader_gets_a_working_csrf_token_from_the_front_door(
    server, stories, django_requests
):
    """No reader's page renders a token now; one added later is not shared."""
    address = f"http://127.0.0.1:{server[1]}/form/"
    form = HttpResponse(f'<input name="t" value="{CSRF_PLACEHOLDER}">')
    cache.set(page_key(address, "", generation()), _store(form))
    secrets = []
    for _ in range(2):
        reached = len(django_requests)
        response, body = fetch(server, "/form/")
        assert len(django_requests) == reached
        (field,) = lxml_html.fromstring(body).cssselect("input[name=t]")
        secret = cookie_value(response, "csrftoken")
        assert _does_token_match(field.get("value"), secret)
        secrets.append(secret)
    assert secrets[0] != secrets[1]
    # A returning reader keeps their cookie's secret.
    response, body = fetch(server, "/form/", Cookie=f"csrftoken={secrets[0]}")
    (field,) = lxml_html.fromstring(body).cssselect("input[name=t]")
    assert _does_token_match(field.get("value"), secrets[0])
    assert cookie_value(response, "csrftoken") == secrets[0]


def test_signed_in_editors_never_get_a_cached_page(
    server, stories, admin_user, django_requests
):
    editor = Client()
    editor.force_login(admin_user)
    session = editor.cookies["sessionid"].value
    fetch(server, "/")
    fetch(server, "/")
    reached = len(django_requests)
    response, _ = fetch(server, "/", Cookie=f"theme=dark; sessionid={session}")
    assert len(django_requests) == reached + 1
    assert "X-Page-Cache" not in response.headers


def test_304_from_the_front_door(server, stories, django_requests):
    first, _ = fetch(server, "/")
    reached = len(django_requests)
    response, body = fetch(server, "/", **{"If-None-Match": first.headers["ETag"]})
    assert response.status == 304 and body == b""
    response, _ = fetch(
        server, "/", **{"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status == 304
    assert len(django_requests) == reached
    response, _ = fetch(server, "/", **{"If-None-Match": '"other"'})
    assert response.status == 200


def test_head_has_headers_and_no_body(server, stories):
    fetch(server, "/")
    response, body = fetch(server, "/", method="HEAD")
    assert response.status == 200 and body == b""
    assert int(response.headers["Content-Length"]) > 1000


def test_a_changed_article_is_not_served_stale(server, stories):
    article = stories[0]
    fetch(server, "/")
    fetch(server, "/")
    article.headline = "A corrected headline"
    article.save()
    _, body = fetch(server, "/")
    assert b"A corrected headline" in body


def test_a_spoofed_host_never_gets_a_page(server, stories):
    fetch(server, "/")
    response, _ = fetch(server, "/", Host="evil.example")
    assert response.status == 400
    response, _ = fetch(server, "/", Host="evil.example")
    assert response.status == 400


def test_posts_go_to_django(server, stories, django_requests):
    fetch(server, "/")
    reached = len(django_requests)
    response, _ = fetch(server, "/", method="POST")
    assert len(django_requests) == reached + 1
    assert "X-Page-Cache" not in response.headers


def test_the_front_door_and_django_agree_on_parameters(
    server, stories, django_requests, small_cache
):
    """Parameters in any order or encoding reach the same entry through the front
    door; parameters the page does not read go to Django, which answers from the
    page's entry and stores nothing."""
    first, body = fetch(server, "/search/?region=south-asia&q=paragraph")
    assert first.headers["X-Page-Cache"] == "miss"
    reached = len(django_requests)
    for path in (
        "/search/?q=paragraph&region=south-asia",
        "/search/?q=%70aragraph&region=south-asia",
    ):
        response, again = fetch(server, path)
        assert response.headers["X-Page-Cache"] == "hit" and again == body
    assert len(django_requests) == reached, "a hit reached Django"
    fetch(server, "/")
    keys = len(cache._cache)
    for n in range(50):
        response, _ = fetch(server, f"/?utm_x={n}")
        assert response.headers["X-Page-Cache"] == "hit"
    assert len(cache._cache) == keys


def test_too_many_parameters_are_django_s_400(server, stories):
    fetch(server, "/")
    fetch(server, "/")  # the generation is known: the front door answers /?…
    query = "&".join(f"a{n}=1" for n in range(1200))
    response, _ = fetch(server, f"/?{query}")
    assert response.status == 400
