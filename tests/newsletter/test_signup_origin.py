"""The signup form carries no CSRF token (cached pages are files nginx serves,
issue #17): a POST is taken only from this site's own pages, told by the Origin
header a browser sends, or the Referer without one."""

import pytest

from django.test import Client

from briefings.newsletter.models import QueuedSignup

pytestmark = pytest.mark.usefixtures("network")

SIGNUP = {"email": "reader@example.org", "frequency": "daily"}


def post(**headers):
    reader = Client(enforce_csrf_checks=True)  # as a browser: no test bypass
    return reader.post("/newsletter/", SIGNUP, REMOTE_ADDR="203.0.113.9", **headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "HTTP://TestServer"},
        {"HTTP_REFERER": "http://testserver/articles/7/a-story/"},
    ],
    ids=["origin", "origin-case", "referer-only"],
)
def test_a_post_from_this_site_is_taken(headers):
    response = post(**headers)
    assert (response.status_code, response["Location"]) == (302, "/newsletter/thanks/")
    assert QueuedSignup.objects.get().email == "reader@example.org"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},  # a sandboxed frame, a data: page
        {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another site
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        # Origin wins over a Referer that names this site.
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_REFERER": "http://testserver/"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_REFERER": "http://[testserver/"},  # not even a URL
        {"HTTP_REFERER": "/newsletter/"},  # no origin in it
        {},  # neither header: no browser sends that
    ],
    ids=[
        "other-origin",
        "null",
        "other-scheme",
        "suffix-host",
        "origin-over-referer",
        "other-referer",
        "bad-referer",
        "relative-referer",
        "none",
    ],
)
def test_a_post_from_another_site_is_refused(headers):
    response = post(**headers)
    assert response.status_code == 403
    assert b"from our own pages" in response.content
    assert not QueuedSignup.objects.exists()


def test_a_trusted_origin_is_taken(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.org"]
    assert post(HTTP_ORIGIN="https://www.example.org").status_code == 302
