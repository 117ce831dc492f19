"""robots.txt: may we fetch this URL? Fetched once per origin, cached, per RFC 9309.

What a robots.txt answer means (RFC 9309 §2.3.1):
- 200: its rules apply, matched for our product token "Briefings";
- 401 or 403: we treat the site as closed to us (§2.3.1.3 says a crawler *may*
  fetch anything when robots.txt is unavailable; a paper that refuses us its
  robots.txt is taken at its word, and the reason shows on the feed);
- any other 4xx (404, 410...): no rules, everything allowed (§2.3.1.3);
- 429, 5xx, a network error or a refused address: "unreachable", complete
  disallow (§2.3.1.4), retried after RETRY_TTL; the last good rules keep
  applying meanwhile (§2.4), and after 30 days unreachable we assume no rules.
Rules are cached for TTL seconds (§2.4: no more than 24 hours); only the first
500 KiB are parsed (§2.5).
"""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from protego import Protego

from briefings.ingest.fetch import FetchError, FetchPolicy, fetch

PRODUCT_TOKEN = "Briefings"
TTL = 3600.0
RETRY_TTL = 600.0
GIVE_UP_AFTER = 30 * 24 * 3600.0
PARSE_BYTES = 500 * 1024
FETCH_BYTES = 2_000_000
MAX_SITEMAPS = 50


@dataclass
class _Rules:
    parser: Protego | None  # None: no parsed rules
    allow_all: bool
    reason: str
    expires: float
    unreachable_since: float | None = None

    def allowed(self, url):
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, PRODUCT_TOKEN)


def origin_of(url):
    """Return scheme://host[:port] of a URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _status(error):
    """Return the HTTP status a FetchError carries, if the server answered."""
    return getattr(error, "status", None)


class RobotsCache:
    """Answer robots.txt questions, fetching each origin's file once per TTL."""

    def __init__(self, fetcher=fetch, ttl=TTL, clock=time.time):
        self._fetcher = fetcher
        self._ttl = ttl
        self._clock = clock
        self._rules = {}
        self._locks = {}
        self._lock = threading.Lock()

    def allowed(self, url, allow_private=False):
        """Tell whether robots.txt lets Briefings fetch `url`."""
        return self.rules(url, allow_private).allowed(url)

    def reason(self, url, allow_private=False):
        """Say in words why `url` is allowed or not (for the feed's last error)."""
        rules = self.rules(url, allow_private)
        if rules.reason.startswith("unreachable: ") and not rules.allowed(url):
            detail = rules.reason.removeprefix("unreachable: ")
            return (
                f"cannot read {origin_of(url)}/robots.txt ({detail}); "
                "nothing is fetched from the site until it can be (RFC 9309)"
            )
        verdict = "allows" if rules.allowed(url) else "disallows"
        return f"{origin_of(url)}/robots.txt {verdict} it ({rules.reason})"

    def crawl_delay(self, url, allow_private=False):
        """Return the Crawl-delay (seconds) for Briefings on url's origin, or None."""
        parser = self.rules(url, allow_private).parser
        if parser is None:
            return None
        delay = parser.crawl_delay(PRODUCT_TOKEN)
        return float(delay) if delay is not None else None

    def sitemaps(self, url, allow_private=False):
        """Return the http(s) Sitemap URLs url's robots.txt names (at most 50)."""
        parser = self.rules(url, allow_private).parser
        if parser is None:
            return []
        found = []
        for sitemap in parser.sitemaps:
            absolute = urljoin(url, sitemap.strip())
            if urlsplit(absolute).scheme in {"http", "https"}:
                found.append(absolute)
            if len(found) >= MAX_SITEMAPS:
                break
        return found

    def rules(self, url, allow_private=False):
        """Return the current rules of url's origin, fetching them when stale."""
        key = (origin_of(url), allow_private)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one fetch per origin, however many threads ask
            cached = self._rules.get(key)
            if cached is None or cached.expires <= self._clock():
                cached = self._rules[key] = self._refresh(key, cached)
            return cached

    def _refresh(self, key, previous):
        origin, allow_private = key
        now = self._clock()
        policy = FetchPolicy(
            max_bytes=FETCH_BYTES, deadline=20.0, allow_private=allow_private
        )
        try:
            result = self._fetcher(origin + "/robots.txt", policy)
        except FetchError as error:
            status = _status(error)
            if status in {401, 403}:
                return _Rules(None, False, f"HTTP {status}", now + self._ttl)
            if status is not None and 400 <= status < 500 and status != 429:
                return _Rules(None, True, f"HTTP {status}: no rules", now + self._ttl)
            return self._unreachable(error, previous, now)
        text = result.content[:PARSE_BYTES].decode("utf-8", errors="replace")
        parser = Protego.parse(text.removeprefix("\ufeff"))
        return _Rules(parser, True, "its rules", now + self._ttl)

    def _unreachable(self, error, previous, now):
        since = now
        if previous is not None and previous.unreachable_since is not None:
            since = previous.unreachable_since
        reason = f"unreachable: {str(error)[:200]}"
        if now - since >= GIVE_UP_AFTER:
            return _Rules(
                None, True, reason + ", for 30 days: no rules", now + RETRY_TTL, since
            )
        if previous is not None and previous.parser is not None:
            parser = previous.parser
            return _Rules(
                parser, True, reason + ", last rules kept", now + RETRY_TTL, since
            )
        return _Rules(None, False, reason, now + RETRY_TTL, since)
