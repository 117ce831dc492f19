"""Serve the whole demo network over HTTP on one host and port.

Each paper lives under its own path prefix (``/<slug>/``). Pages are rendered on
first request and kept in memory. Responses carry an ETag (and, for feeds,
sitemaps and stories, a Last-Modified date), answer conditional requests with
304 and are gzipped for clients that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from briefings.demo import feeds, layouts, paths, sitemaps
from briefings.demo.layouts.context import PageContext
from briefings.demo.network import DemoItem, DemoNetwork, DemoPaper

logger = logging.getLogger(__name__)

POLL_INTERVAL = 0.05  # seconds; how quickly stop() takes effect
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}


@dataclass(frozen=True)
class Response:
    """A rendered response, ready to be sent or revalidated."""

    status: int
    content_type: str
    body: bytes
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        """Return a strong validator derived from the body."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


def _redirect(location: str) -> Response:
    """Return a permanent redirect."""
    return Response(301, HTML, b"", headers={"Location": location})


def _not_found(path: str) -> Response:
    """Return the 404 page."""
    return Response(404, HTML, layouts.render_not_found(path).encode("utf-8"))


def _etag_matches(header: str, etag: str) -> bool:
    """Tell whether an If-None-Match header matches ``etag`` (weak comparison)."""
    wanted = etag.strip('"')
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/").strip('"').removesuffix("-gzip")
        if tag == wanted:
            return True
    return False


def _not_modified_since(header: str, last_modified: datetime) -> bool:
    """Tell whether nothing changed since an If-Modified-Since date."""
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def accepts_gzip(header: str) -> bool:
    """Tell whether an Accept-Encoding header allows gzip."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        try:
            return match is None or float(match.group(1)) > 0
        except ValueError:
            return False
    return False


class Router:
    """Turn request paths into rendered responses, caching them in memory."""

    def __init__(self, network: DemoNetwork, base_url: str) -> None:
        """Prepare routing for ``network`` with absolute links to ``base_url``."""
        self.network = network
        self.base_url = base_url
        self._cache: dict[str, Response] = {}
        self._lock = threading.Lock()
        self._articles: dict[str, tuple[DemoPaper, DemoItem]] | None = None

    def context(self, paper: DemoPaper) -> PageContext:
        """Return the rendering context of a paper."""
        return PageContext(self.network, paper, self.base_url)

    def article_index(self) -> dict[str, tuple[DemoPaper, DemoItem]]:
        """Return every story by its path, building the index on first use."""
        if self._articles is None:
            self._articles = {
                paths.article_path(paper, item): (paper, item)
                for paper in self.network.papers
                for item in paper.items
            }
        return self._articles

    def resolve(self, path: str) -> Response:
        """Return the (cached) response for a path."""
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None:
            return cached
        response = self.render(path)
        if response.status == 200:
            with self._lock:
                self._cache[path] = response
        return response

    def render(self, path: str) -> Response:
        """Render the response for a path."""
        if path == "/":
            page = layouts.render_index(self.network, self.base_url)
            return Response(200, HTML, page.encode("utf-8"))
        if path == paths.ROBOTS_PATH:
            text = sitemaps.render_robots(self.network, self.base_url)
            return Response(200, "text/plain; charset=utf-8", text.encode("utf-8"))
        slug = path.strip("/").split("/", 1)[0]
        paper = self.network.paper(slug)
        if paper is None:
            return _not_found(path)
        ctx = self.context(paper)
        if path == f"/{slug}":
            return _redirect(ctx.homepage_url)
        if path == paths.homepage_path(paper):
            return Response(200, HTML, layouts.render_homepage(ctx).encode("utf-8"))
        if path == paths.feed_path(paper):
            body = feeds.render_feed(ctx).encode("utf-8")
            kind = FEED_TYPES[paper.feed_kind]
            return Response(200, kind, body, feeds.last_modified(ctx))
        if path == paths.news_sitemap_path(paper):
            body = sitemaps.render_news_sitemap(ctx).encode("utf-8")
            return Response(200, XML, body, feeds.last_modified(ctx))
        if path == paths.sitemap_path(paper):
            body = sitemaps.render_sitemap(ctx).encode("utf-8")
            return Response(200, XML, body, feeds.last_modified(ctx))
        found = self.article_index().get(path)
        if found is None and not path.endswith("/"):
            if path + "/" in self.article_index():
                return _redirect(ctx.url(path + "/"))
        if found is None:
            return _not_found(path)
        page = layouts.render_article(ctx, found[1])
        return Response(200, HTML, page.encode("utf-8"), found[1].modified)


class _Handler(BaseHTTPRequestHandler):
    """Answer GET and HEAD requests from the server's router."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "BriefingsDemo/1.0"
    timeout = 30

    def do_GET(self) -> None:  # noqa: N802 (name fixed by http.server)
        """Send the full response."""
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 (name fixed by http.server)
        """Send the headers only."""
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        """Resolve the path and send the response, honouring validators and gzip."""
        path = unquote(urlsplit(self.path).path) or "/"
        try:
            response = self.server.router.resolve(path)
        except Exception:  # noqa: BLE001 (a demo server must keep serving)
            logger.exception("failed to render %s", path)
            response = Response(500, "text/plain; charset=utf-8", b"Server error\n")
        headers = dict(response.headers)
        status, body = response.status, response.body
        if status == 200:
            headers["ETag"] = response.etag
            headers["Cache-Control"] = "no-cache"
            if response.last_modified is not None:
                headers["Last-Modified"] = format_datetime(
                    response.last_modified, usegmt=True
                )
            if self._not_modified(response):
                status, body = 304, b""
        headers["Vary"] = "Accept-Encoding"
        if body and accepts_gzip(self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
            if "ETag" in headers:
                headers["ETag"] = headers["ETag"][:-1] + '-gzip"'
        self.send_response(status)
        if status != 304:
            headers["Content-Type"] = response.content_type
        headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def _not_modified(self, response: Response) -> bool:
        """Tell whether the client's cached copy is still current."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, response.etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since and response.last_modified is not None:
            return _not_modified_since(if_modified_since, response.last_modified)
        return False

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Log requests only when the server is verbose."""
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class _HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server carrying the router and the verbosity flag."""

    daemon_threads = True
    allow_reuse_address = True
    router: Router
    verbose: bool


class DemoServer:
    """The demo network's HTTP server, on one host and port."""

    def __init__(
        self,
        network: DemoNetwork,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        """Bind the socket now (port 0 picks a free port); serve on start()."""
        self.network = network
        self._httpd = _HTTPServer((host, port), _Handler)
        bound_host, bound_port = self._httpd.server_address[:2]
        if host in ("", "0.0.0.0"):
            bound_host = "127.0.0.1"
        self.host = str(bound_host)
        self.port = int(bound_port)
        self.base_url = f"http://{self.host}:{self.port}"
        self._httpd.router = Router(network, self.base_url)
        self._httpd.verbose = verbose
        self._thread: threading.Thread | None = None
        self._serving = False

    def _paper(self, slug: str) -> DemoPaper:
        """Return the paper with this slug or raise KeyError."""
        paper = self.network.paper(slug)
        if paper is None:
            raise KeyError(slug)
        return paper

    def homepage_url(self, slug: str) -> str:
        """Return the absolute URL of a paper's homepage."""
        return self.base_url + paths.homepage_path(self._paper(slug))

    def feed_url(self, slug: str) -> str:
        """Return the absolute URL of a paper's feed."""
        return self.base_url + paths.feed_path(self._paper(slug))

    def article_url(self, slug: str, item: DemoItem) -> str:
        """Return the absolute URL of a story of a paper."""
        return self.base_url + paths.article_path(self._paper(slug), item)

    def start(self) -> None:
        """Serve in a background daemon thread and return at once."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name="demo-network-server",
            daemon=True,
        )
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted or stopped."""
        self._serving = True
        try:
            self._httpd.serve_forever(poll_interval=POLL_INTERVAL)
        finally:
            self._serving = False
            self._httpd.server_close()

    def stop(self) -> None:
        """Stop serving and release the socket."""
        if self._thread is not None or self._serving:
            self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> DemoServer:
        """Start serving when used as a context manager."""
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop serving at the end of a with block."""
        self.stop()
