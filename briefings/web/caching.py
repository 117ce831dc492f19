"""Whole-page caching for anonymous readers, with ETag/Last-Modified and 304s.

Every cached page is stored under a *generation*: saving or deleting an
article, a publication or a flat page starts a new generation (signals in
apps.py), so every page a change could appear on (the article, the rivers,
feeds, search) is rendered afresh. The generation lives in Django's cache, so
with a shared cache (Redis) a change in the scheduler's process reaches every
web worker at once. With the per-process local-memory cache, a new article
still shows everywhere within a second: the generation also carries the newest
article id, which each process reads at most once a second.

A page whose template renders a CSRF token is cached with a placeholder in its
place, and each response gets the reader's own token. No reader's page renders
one now (the newsletter form is checked by its origin instead, so that pages can
be files: newsletter/views.py); the placeholder keeps a token added to a cached
page later from being shared by every reader, and such a page is never written
as a file.

With BRIEFINGS_PAGE_FILES_DIR set, a stored page every anonymous reader gets
alike is also written as a file for nginx (page_files.py); the files' epoch is
part of the generation, and a new generation starts a new epoch.

A page is stored under its address (scheme, host, path) and the query
parameters its view reads, and only those (each view names them): `/?utm_x=1`
is the page `/`, and the view is handed those parameters alone, so what is
stored depends on nothing the key leaves out. Names are sorted, so the order a
link gives them in does not matter. Values of the parameters a view reads
(a search, a cursor) make at most PAGE_VARIANTS entries per page and
generation; further ones are rendered and not stored, so a flood of them
cannot push the real pages out of the cache.
"""

import hashlib
import threading
import time
from functools import partial, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from briefings.articles.models import Article
from briefings.web import page_files

GENERATION_KEY = "web:generation"
CSRF_PLACEHOLDER = "csrf-token-placeholder-9d0f5c"
NEWEST_CHECK_SECONDS = 1.0
ADDRESS_KEY = "briefings.page_address"
# Parameter values stored per page and generation: a river's next pages and the
# common searches, not whatever a bot makes up.
PAGE_VARIANTS = 32

_newest = {"checked": float("-inf"), "id": 0}
_newest_lock = threading.Lock()


def bump_generation(**kwargs):
    """Start a new generation: every cached page is stale from now on (and
    every page file, page_files.py)."""
    cache.set(GENERATION_KEY, time.time_ns(), None)
    page_files.invalidate()


def generation(query=True):
    """Return the current generation, or None when finding it needs the database
    and `query` is false (the front door then leaves the request to Django)."""
    if not query and _newest_check_due():
        return None
    stored = cache.get(GENERATION_KEY)
    if stored is None:
        if not query:
            return None
        cache.add(GENERATION_KEY, time.time_ns(), None)
        stored = cache.get(GENERATION_KEY, 0)
    files = page_files.epoch()  # shared by every process on the machine
    return f"{stored}.{_newest_article_id()}" + (f".{files}" if files else "")


def forget_newest_article():
    """Make the next page look up the newest article id (tests start cold)."""
    with _newest_lock:
        _newest["checked"] = float("-inf")


def _newest_check_due():
    return time.monotonic() - _newest["checked"] >= NEWEST_CHECK_SECONDS


def _newest_article_id():
    now = time.monotonic()
    if now - _newest["checked"] >= NEWEST_CHECK_SECONDS:
        with _newest_lock:
            newest = Article.objects.order_by("-id").values_list("id", flat=True)
            _newest["id"] = newest.first() or 0
            _newest["checked"] = now
    return _newest["id"]


def _cacheable_request(request):
    return request.method in ("GET", "HEAD") and (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def page_address(environ):
    """Return the scheme, host and path a page is cached under, read from the
    WSGI environ as the server gave it (the host as Django reads it, before
    Django validates it; only valid hosts' pages are ever stored)."""
    scheme = environ.get("wsgi.url_scheme", "http")
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        if header in environ:
            value = environ[header].split(",", 1)[0].strip()
            scheme = "https" if value == secure_value else "http"
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST") or (
            f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
        )
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"{scheme}://{host}{path}"


def canonical_query(query):
    """Return a QueryDict as text, names sorted, each name's values in order."""
    return urlencode(sorted(query.lists()), doseq=True)


def page_key(address, query, generation):
    page = f"{address}?{query}"
    digest = hashlib.sha256(page.encode("utf-8", "surrogatepass")).hexdigest()
    return f"web:page:{generation}:{digest}"


def _address(request):
    request.get_host()  # a spoofed Host is refused (400) before anything is stored
    # The front door (front.py) reads the address before Django rewrites PATH_INFO.
    return request.META.get(ADDRESS_KEY) or page_address(request.META)


def _only(query, names):
    """Return a read-only QueryDict of `query`'s parameters named in `names`, in
    sorted order (the page's links then come out the same for every order),
    without empty values (every view reads an empty value as none)."""
    kept = (
        (name, [value for value in query.getlist(name) if value])
        for name in sorted(names & query.keys())
    )
    return QueryDict(urlencode([(name, v) for name, v in kept if v], doseq=True))


def _room_for_variant(address, generation):
    """Count a stored variant of the page at `address`; False past PAGE_VARIANTS."""
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()
    key = f"web:variants:{generation}:{digest}"
    cache.add(key, 0, settings.BRIEFINGS_PAGE_CACHE_SECONDS)
    try:
        return cache.incr(key) <= PAGE_VARIANTS
    except ValueError:  # the counter expired between add and incr
        return False


def placeholder_offsets(content):
    """Return where the CSRF placeholder starts in `content`, each time (stored
    with the page, so that a hit does not search 25 KB for it: 10-20 us)."""
    placeholder = CSRF_PLACEHOLDER.encode()
    offsets, at = [], content.find(placeholder)
    while at != -1:
        offsets.append(at)
        at = content.find(placeholder, at + len(placeholder))
    return tuple(offsets)


def with_token(content, offsets, token):
    """Return `content` with `token` (bytes) in place of the placeholder at each
    of `offsets`."""
    if not offsets:
        return content
    parts, start = [], 0
    for at in offsets:
        parts += (content[start:at], token)
        start = at + len(CSRF_PLACEHOLDER)
    parts.append(content[start:])
    return b"".join(parts)


def csrf_offsets(entry):
    """Return the placeholder offsets of a stored page (searched for in entries
    stored before they were kept)."""
    offsets = entry.get("csrf_at")
    return placeholder_offsets(entry["content"]) if offsets is None else offsets


def _store(response):
    content = response.content
    return {
        "content": content,
        "csrf_at": placeholder_offsets(content),
        "content_type": response["Content-Type"],
        "etag": '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"',
        "last_modified": int(time.time()),
    }


def _respond(request, entry, state):
    content = entry["content"]
    offsets = csrf_offsets(entry)
    if offsets:
        content = with_token(content, offsets, get_token(request).encode())
    response = HttpResponse(content, content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["last_modified"])
    response["Cache-Control"] = "max-age=0, must-revalidate"
    response["X-Page-Cache"] = state
    return get_conditional_response(
        request,
        etag=entry["etag"],
        last_modified=entry["last_modified"],
        response=response,
    )


def cached_page(view=None, *, params=()):
    """Serve `view`'s pages from the page cache to anonymous readers; `params`
    names the query parameters the view reads (the view sees no others)."""
    if view is None:
        return partial(cached_page, params=params)
    names = frozenset(params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        address = _address(request)
        request.GET = _only(request.GET, names)
        query, current = canonical_query(request.GET), generation()
        key = page_key(address, query, current)
        entry = cache.get(key)
        if entry is not None:
            return _respond(request, entry, "hit")
        request.csrf_placeholder = CSRF_PLACEHOLDER
        files_epoch = page_files.epoch()  # before rendering: see page_files.py
        response = view(request, *args, **kwargs)
        if getattr(response, "is_rendered", True) is False:
            response.render()  # a TemplateResponse (sitemaps)
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        entry = _store(response)
        if query and not _room_for_variant(address, current):
            return _respond(request, entry, "bypass")
        cache.set(key, entry, settings.BRIEFINGS_PAGE_CACHE_SECONDS)
        if not query:
            page_files.write(address, files_epoch, entry)
        return _respond(request, entry, "miss")

    return wrapper


def csrf_placeholder(request):
    """Context processor: render a placeholder for the CSRF token on cached pages."""
    placeholder = getattr(request, "csrf_placeholder", "")
    return {"csrf_token": placeholder} if placeholder else {}
