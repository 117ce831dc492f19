"""Run extraction in worker processes, each call under a wall-clock limit.

Extraction is CPU-bound and its input hostile (200,000 nested divs, pathological
markup): a pool of processes uses every core, and a call past its deadline has
its worker killed and replaced, so one page can never stall an ingest.
"""

import atexit
import multiprocessing
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessPool
from pebble.common import ProcessExpired

from django.conf import settings

from briefings.ingest.extract import ExtractionError, extract_page

_lock = threading.Lock()
_pool = None


def worker_count():
    return max(1, settings.BRIEFINGS_EXTRACT_WORKERS)


def _get_pool():
    global _pool
    with _lock:
        if _pool is None or not _pool.active:
            # fork: workers share the loaded extractor. (forkserver and spawn
            # re-run the caller's main module, which scripts don't all guard.)
            # The workers run only extract_page: no database, no threads.
            context = multiprocessing.get_context("fork")
            _pool = ProcessPool(max_workers=worker_count(), context=context)
        return _pool


def shutdown():
    """Stop the worker processes (at exit, and between tests)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.stop()
            _pool.join(timeout=5)
            _pool = None


atexit.register(shutdown)


def extract_isolated(
    html, url, publication_rules=None, timeout=20.0, task=extract_page
):
    """Extract `html` in a worker process; raise ExtractionError past `timeout` s.

    `task` is the extraction function (a module-level callable with
    extract_page's signature).
    """
    future = _get_pool().schedule(
        task, args=(html, url, publication_rules), timeout=timeout
    )
    try:
        return future.result()
    except FutureTimeout:
        raise ExtractionError(f"extraction took longer than {timeout:g} s") from None
    except ProcessExpired as exc:
        raise ExtractionError(f"extraction worker died ({exc})") from None
    except ExtractionError:
        raise
    except Exception as exc:
        # The page is hostile input: whatever it makes the extractor raise
        # costs the page (the feed's content is kept), never the entry or feed.
        reason = f"extraction failed ({type(exc).__name__}: {exc})"
        raise ExtractionError(reason[:500]) from None
