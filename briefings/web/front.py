"""The front door: answer anonymous readers' page-cache hits before Django.

A cached page costs Django's whole request cycle (middleware, URL resolver,
request and response objects) even though only a cache lookup is needed. The
front door wraps the WSGI application and answers a GET or HEAD from the page
cache itself when it safely can, with the same response Django would give:

- same cache keys and generations (caching.py), so invalidation is unchanged;
  when finding the generation needs the database (the once-a-second check for
  new articles) or the page is not cached, the request goes to Django, which
  renders and stores it;
- never for a request carrying the session cookie (signed-in editors, and any
  reader Django has a session for), nor for other methods;
- the same headers: ETag/Last-Modified with 304s (Django's conditional logic),
  Cache-Control, the security headers SecurityMiddleware, XFrameOptions and
  headers.py would add, and for pages with a form the reader's own CSRF token
  and cookie, as CsrfViewMiddleware would set them (tests compare both paths).

Requests the front door leaves alone carry the page's address in the environ,
so Django stores the page under the key the front door will look for. The front
door does not know which query parameters a page reads: it looks the page up
with all of them, sorted as caching.py sorts them. A request with a parameter
the page does not read then finds nothing here and goes to Django, which answers
it from the page's entry without storing another.
"""

import functools
import os
import time
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import get_str_from_wsgi
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, QueryDict
from django.http.cookie import parse_cookie
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from briefings.web.caching import (
    ADDRESS_KEY,
    canonical_query,
    csrf_offsets,
    generation,
    page_address,
    page_key,
    with_token,
)
from briefings.web.headers import SITE_POLICY

_CHAR_INDEX = {c: i for i, c in enumerate(CSRF_ALLOWED_CHARS)}
_UNIFORM_BELOW = 256 - 256 % len(CSRF_ALLOWED_CHARS)  # rejection sampling bound
# Bytes below _UNIFORM_BELOW map evenly onto the alphabet; the rest are dropped.
_BYTE_TO_CHAR = bytes(
    ord(CSRF_ALLOWED_CHARS[b % len(CSRF_ALLOWED_CHARS)]) for b in range(256)
)
_UNEVEN_BYTES = bytes(range(_UNIFORM_BELOW, 256))
_CONDITIONAL = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def front_door(application):
    """Wrap a WSGI application so page-cache hits skip Django."""

    def door(environ, start_response):
        address = page_address(environ)
        environ[ADDRESS_KEY] = address
        answer = _from_cache(environ, address)
        if answer is None:
            return application(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    return door


def _from_cache(environ, address):
    """Return (status, headers, body) for a cached page, or None for Django."""
    method = environ.get("REQUEST_METHOD")
    if method not in ("GET", "HEAD"):
        return None
    config = _settings()
    cookie_header = environ.get("HTTP_COOKIE")
    cookies = parse_cookie(cookie_header) if cookie_header else {}
    if config.session_cookie in cookies:
        return None
    current = generation(query=False)
    if current is None:
        return None
    query = _every_parameter(environ)
    if query is None:
        return None
    entry = cache.get(page_key(address, query, current))
    if entry is None:
        return None
    content = entry["content"]
    headers = [
        ("Content-Type", entry["content_type"]),
        ("ETag", entry["etag"]),
        ("Last-Modified", _http_date(entry["last_modified"])),
        ("Cache-Control", "max-age=0, must-revalidate"),
        ("X-Page-Cache", "hit"),
        *config.security_headers[address.startswith("https:")],
    ]
    secret = None
    offsets = csrf_offsets(entry)
    if offsets:
        if config.csrf_in_session:
            return None
        secret = cookies.get(config.csrf_cookie, "")
        if secret and not _is_secret(secret):
            return None  # Django replaces or unmasks an odd cookie; let it
        secret = secret or _random_chars(CSRF_SECRET_LENGTH)
        content = with_token(content, offsets, _masked(secret).encode())
        headers.append(("Vary", "Cookie"))
    if any(name in environ for name in _CONDITIONAL):
        return _conditional(environ, method, entry, content, headers, secret)
    headers.append(("Content-Length", str(len(content))))
    if secret:
        headers.append(("Set-Cookie", _csrf_cookie(config, secret)))
    return "200 OK", headers, b"" if method == "HEAD" else content


def _every_parameter(environ):
    """Return the request's query as caching.py writes it, read as Django reads
    it (request.GET); None for a query Django refuses (it answers the 400)."""
    if not environ.get("QUERY_STRING"):
        return ""
    try:
        query = QueryDict(get_str_from_wsgi(environ, "QUERY_STRING", ""))
    except SuspiciousOperation:  # more than DATA_UPLOAD_MAX_NUMBER_FIELDS
        return None
    return canonical_query(query)


def _conditional(environ, method, entry, content, headers, secret):
    """Answer a conditional request with Django's own logic (304, 412 or 200)."""
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    if secret:
        response.set_cookie(
            settings.CSRF_COOKIE_NAME,
            secret,
            max_age=settings.CSRF_COOKIE_AGE,
            domain=settings.CSRF_COOKIE_DOMAIN,
            path=settings.CSRF_COOKIE_PATH,
            secure=settings.CSRF_COOKIE_SECURE,
            httponly=settings.CSRF_COOKIE_HTTPONLY,
            samesite=settings.CSRF_COOKIE_SAMESITE,
        )
    response = get_conditional_response(
        SimpleNamespace(method=method, META=environ),
        etag=entry["etag"],
        last_modified=entry["last_modified"],
        response=response,
    )
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    headers = [
        *response.items(),
        *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
    ]
    body = b"" if method == "HEAD" else response.content
    return f"{response.status_code} {response.reason_phrase}", headers, body


class _Config:
    """The settings the front door reads, taken once (again after a test
    changes a setting): LazySettings lookups cost more than the rest of a hit."""

    def __init__(self):
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.csrf_in_session = settings.CSRF_USE_SESSIONS
        self.csrf_cookie = settings.CSRF_COOKIE_NAME
        self.csrf_age = settings.CSRF_COOKIE_AGE
        tail = []
        if settings.CSRF_COOKIE_DOMAIN:
            tail.append(f"Domain={settings.CSRF_COOKIE_DOMAIN}")
        if settings.CSRF_COOKIE_HTTPONLY:
            tail.append("HttpOnly")
        tail.append(f"Path={settings.CSRF_COOKIE_PATH}")
        if settings.CSRF_COOKIE_SAMESITE:
            tail.append(f"SameSite={settings.CSRF_COOKIE_SAMESITE}")
        if settings.CSRF_COOKIE_SECURE:
            tail.append("Secure")
        self.csrf_cookie_tail = "; ".join(tail)
        self.security_headers = {
            secure: self._security_headers(secure) for secure in (False, True)
        }

    @staticmethod
    def _security_headers(secure):
        """Return what SecurityMiddleware, XFrameOptionsMiddleware and headers.py
        add to a page."""
        headers = []
        if secure and settings.SECURE_HSTS_SECONDS:
            value = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                value += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                value += "; preload"
            headers.append(("Strict-Transport-Security", value))
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append(("X-Content-Type-Options", "nosniff"))
        referrer = settings.SECURE_REFERRER_POLICY
        if referrer:
            if not isinstance(referrer, str):
                referrer = ",".join(referrer)
            headers.append(("Referrer-Policy", referrer))
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            opener = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
            headers.append(("Cross-Origin-Opener-Policy", opener))
        frame = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
        headers.append(("X-Frame-Options", frame))
        headers.append(("Content-Security-Policy", SITE_POLICY))
        return tuple(headers)


_config = None


def _settings():
    global _config
    if _config is None:
        _config = _Config()
    return _config


@receiver(setting_changed)
def _forget_settings(**kwargs):
    global _config
    _config = None


def _csrf_cookie(config, secret):
    """Return the Set-Cookie value CsrfViewMiddleware would send for `secret`."""
    if config.csrf_age is None:
        return f"{config.csrf_cookie}={secret}; {config.csrf_cookie_tail}"
    age = int(config.csrf_age)
    return (
        f"{config.csrf_cookie}={secret}; expires={_expires(int(time.time()) + age)}; "
        f"Max-Age={age}; {config.csrf_cookie_tail}"
    )


_http_date = functools.lru_cache(maxsize=1024)(http_date)
_expires = functools.lru_cache(maxsize=4)(http_date)


def _is_secret(value):
    return len(value) == CSRF_SECRET_LENGTH and all(c in _CHAR_INDEX for c in value)


def _random_chars(length):
    """Return `length` characters drawn uniformly from the CSRF alphabet."""
    chars = ""
    while len(chars) < length:
        drawn = os.urandom(length * 2).translate(_BYTE_TO_CHAR, _UNEVEN_BYTES)
        chars += drawn.decode("ascii")
    return chars[:length]


def _masked(secret):
    """Return the form token for `secret`, masked as Django masks it."""
    mask = _random_chars(CSRF_SECRET_LENGTH)
    index = _CHAR_INDEX
    return mask + "".join(
        _SUMS[index[s] + index[m]] for s, m in zip(secret, mask, strict=True)
    )


_SUMS = CSRF_ALLOWED_CHARS * 2  # _SUMS[i + j] == CSRF_ALLOWED_CHARS[(i + j) % 62]
