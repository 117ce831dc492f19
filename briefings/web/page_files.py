"""Cached pages as files, for nginx to serve without entering Python (issue #17).

With BRIEFINGS_PAGE_FILES_DIR set, each page the page cache stores that every
anonymous reader gets alike is also written as a file: an HTML page (no
per-reader CSRF token, no cookie) at an address ending in "/", on the site's
own origin (BRIEFINGS_SITE_URL), without a query. `/articles/7/slug/` becomes
`<dir>/current/articles/7/slug/index.html`; deploy/nginx/briefings.conf serves
it to anonymous GETs and sends everything else to the application.

Invalidation follows the page cache's. `current` is a symlink to an epoch
folder under `epochs/`; each new generation (caching.bump_generation) makes a
new empty epoch and points `current` at it (a symlink made beside it and
renamed over it: atomic), then removes the other epochs. The epoch is part of
the page cache's generation, so a change made in another process (the
scheduler) also starts a new generation in the web workers' own caches. A page
is written to the epoch that was current *before* it was rendered: a page
rendered from data older than a change can only land in an epoch made before
that change, which nginx no longer reads. A file is written to a temporary
name beside it and renamed into place, so nginx never serves half a page.
"""

import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

CURRENT = "current"
EPOCHS = "epochs"
PAGE_NAME = "index.html"
# One path segment nginx's $uri and Django's PATH_INFO spell the same and a
# file system takes as a plain name: no "..", no "%", no slash, no NUL.
SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*\Z")


def root():
    """Return the folder pages are written under, or None when files are off."""
    folder = settings.BRIEFINGS_PAGE_FILES_DIR
    return Path(folder) if folder else None


def epoch():
    """Return the current epoch's name ("" when files are off), making the
    first epoch when there is none yet."""
    folder = root()
    if folder is None:
        return ""
    try:
        return os.path.basename(os.readlink(folder / CURRENT))
    except OSError:  # none yet (or no folder: new_epoch says why)
        pass
    try:
        return new_epoch()
    except OSError as error:  # pages are then served by the application only
        logger.error("page files: no epoch in %s: %s", folder, error)
        return ""


def new_epoch():
    """Point `current` at a new empty epoch and remove the others; return its
    name ("" when files are off)."""
    folder = root()
    if folder is None:
        return ""
    name = f"{time.time_ns()}-{secrets.token_hex(4)}"
    (folder / EPOCHS / name).mkdir(parents=True, mode=0o755)
    link = folder / f".{CURRENT}-{name}"
    os.symlink(f"{EPOCHS}/{name}", link)
    os.replace(link, folder / CURRENT)
    _remove_old_epochs(folder)
    return name


def _remove_old_epochs(folder):
    """Remove every epoch but the current one (read again: another process may
    have made a newer one meanwhile; a writer recreates a folder removed under
    it, which nginx never reads and the next change removes)."""
    current = os.path.basename(os.readlink(folder / CURRENT))
    for entry in os.scandir(folder / EPOCHS):
        if entry.name != current:
            shutil.rmtree(entry.path, ignore_errors=True)


def invalidate():
    """Start a new epoch now, and again when the current transaction commits:
    a page rendered in between may have read the data before the change."""
    if root() is None:
        return
    _new_epoch_or_none()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_epoch_or_none)


def _new_epoch_or_none():
    """Start a new epoch; when that fails, take `current` away so that nginx
    sends every reader to the application rather than serve stale pages (the
    change being saved must not fail for it)."""
    try:
        new_epoch()
    except OSError as error:
        logger.error("page files: cannot start an epoch: %s", error)
        try:
            os.unlink(root() / CURRENT)
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.critical("page files: %s may now be stale: %s", root(), error)


def expire(now=None):
    """Periodic job (BRIEFINGS_PERIODIC_JOBS): start a new epoch once the
    current one is older than BRIEFINGS_PAGE_CACHE_SECONDS, as the page cache's
    entries expire, so that a page that changes with time alone (a story
    scheduled for later) is not served older than the cache would serve it."""
    folder = root()
    if folder is None:
        return
    try:
        name = os.path.basename(os.readlink(folder / CURRENT))
        born = int(name.split("-", 1)[0])
    except (OSError, ValueError):
        return  # none yet: the next page makes one
    if time.time_ns() - born >= settings.BRIEFINGS_PAGE_CACHE_SECONDS * 10**9:
        _new_epoch_or_none()


def file_path(address):
    """Return the page's file under an epoch (a relative Path) for a page
    `address` (scheme://host/path) nginx may serve, or None."""
    site = urlsplit(settings.BRIEFINGS_SITE_URL)
    page = urlsplit(address)
    if (page.scheme, page.netloc.lower()) != (site.scheme, site.netloc.lower()):
        return None  # another host's page: the application answers it
    if not page.path.endswith("/") or page.query or page.fragment:
        return None
    segments = page.path.strip("/").split("/") if page.path != "/" else []
    if not all(SAFE_SEGMENT.match(segment) for segment in segments):
        return None
    return Path(*segments, PAGE_NAME)


def write(address, at_epoch, entry):
    """Write a stored page (caching._store's entry) as a file in `at_epoch`,
    when every anonymous reader of `address` gets the page alike."""
    folder = root()
    if folder is None or not at_epoch:
        return
    relative = file_path(address)
    if relative is None or entry["csrf_at"]:
        return
    if not entry["content_type"].startswith("text/html"):
        return
    epoch_folder = folder / EPOCHS / at_epoch
    if not epoch_folder.is_dir() and epoch() != at_epoch:
        return  # a newer epoch replaced this one while the page was rendered
    # (A current epoch without its folder: two processes' new epochs crossed
    # and one removed the other's; the page was rendered after it became
    # current, so it may go in.)
    target = epoch_folder / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".page-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(entry["content"])
            os.chmod(temporary, 0o644)  # nginx's workers run as another user
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:  # the application still serves the page
        logger.warning("page file %s not written: %s", target, error)
