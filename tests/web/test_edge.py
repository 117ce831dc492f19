"""The nginx tier (issue #17): deploy/nginx/briefings.conf, as shipped but for its
port and paths, runs a real nginx on loopback in front of a real application
server; cached pages come from the files the page cache writes (page_files.py)
without entering Python, and invalidation, cookies, forms and every other
request behave as without nginx."""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from lxml import html as lxml_html

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started

from briefings.articles.models import Article
from briefings.newsletter.models import QueuedSignup
from briefings.web import page_files
from briefings.web.caching import CSRF_PLACEHOLDER, _store
from briefings.web.front import front_door
from briefings.web.headers import SITE_POLICY

from ..conftest import REPO, subprocess_database_url
from ..factories import make_article

NGINX = "/usr/sbin/nginx"
SHIPPED = REPO / "deploy" / "nginx" / "briefings.conf"
# The values the operator edits (docs/operations.md), and nothing else.
TEMPLATED = {
    "server 127.0.0.1:8000;": "server 127.0.0.1:{app_port};",
    "listen 80;": "listen 127.0.0.1:{port};",
    "root /var/lib/briefings/pages;": "root {pages};",
}
MAIN_CONF = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/briefings.conf;
}}
"""
# The headers a browser acts on that nginx must send as the application does.
SAME_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Content-Security-Policy",
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, up=True, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            if up:
                return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} still {'down' if up else 'up'}")


def shipped_config(**values):
    """Return the shipped configuration with its port and paths changed."""
    text = SHIPPED.read_text()
    for shipped, ours in TEMPLATED.items():
        assert text.count(shipped) == 1, f"{shipped!r} is no longer in {SHIPPED}"
        text = text.replace(shipped, ours.format(**values))
    return text


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadedServer(WSGIServer):
    daemon_threads = True


class AppServer:
    """The application (front door and Django) on a loopback port, stoppable."""

    def __init__(self):
        self.httpd = make_server(
            "127.0.0.1",
            0,
            front_door(WSGIHandler()),
            server_class=ThreadedServer,
            handler_class=QuietHandler,
        )
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
            wait_for_port(self.port, up=False)


@pytest.fixture
def edge(transactional_db, settings):
    """nginx with the shipped configuration in front of the application; the
    page files in a folder nginx's workers (user nobody under root) can read."""
    if not shutil.which(NGINX):
        if os.environ.get("BRIEFINGS_REQUIRE_NGINX"):
            pytest.fail(f"{NGINX} is missing but BRIEFINGS_REQUIRE_NGINX is set")
        pytest.skip(f"{NGINX} is not installed")
    with tempfile.TemporaryDirectory(prefix="briefings-edge-") as tmp:
        os.chmod(tmp, 0o755)
        pages = Path(tmp) / "pages"
        port, app = free_port(), AppServer()
        settings.BRIEFINGS_PAGE_FILES_DIR = str(pages)
        settings.BRIEFINGS_SITE_URL = f"http://127.0.0.1:{port}"
        config = shipped_config(app_port=app.port, port=port, pages=pages)
        (Path(tmp) / "briefings.conf").write_text(config)
        (Path(tmp) / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp))
        nginx = subprocess.Popen(
            [NGINX, "-c", f"{tmp}/nginx.conf", "-p", tmp, "-e", f"{tmp}/error.log"]
        )
        try:
            wait_for_port(port)
            yield Edge(port, app, pages)
        finally:
            app.stop()
            nginx.terminate()
            nginx.wait(10)


class Edge:
    def __init__(self, port, app, pages):
        self.port, self.app, self.pages = port, app, pages

    def fetch(self, path, method="GET", body=None, port=None, **headers):
        port = port or self.port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers.setdefault("Host", f"127.0.0.1:{self.port}")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        return response, content

    def from_file(self, path):
        """Fetch `path` until nginx serves it from its file (the first request
        renders and writes it); return the file's response and body."""
        for _ in range(3):
            response, body = self.fetch(path)
            if response.headers["X-Page-Cache"] == "file":
                return response, body
        raise AssertionError(f"{path} never came from a file")


@pytest.fixture
def stories(network):
    return [make_article("dawn") for _ in range(3)]


@pytest.fixture
def app_requests():
    """Count the requests that reached Django."""
    seen = []

    def count(**kwargs):
        seen.append(1)

    request_started.connect(count, dispatch_uid="test-edge")
    yield seen
    request_started.disconnect(dispatch_uid="test-edge")


def test_cached_pages_are_served_with_the_application_stopped(edge, stories):
    article = stories[0].get_absolute_url()
    first, rendered = edge.fetch(article)
    assert first.headers["X-Page-Cache"] == "miss"  # rendered by the application
    pages = {path: edge.from_file(path)[1] for path in (article, "/")}
    assert pages[article] == rendered
    edge.app.stop()
    for path, body in pages.items():
        response, served = edge.fetch(path)
        assert (response.status, response.headers["X-Page-Cache"]) == (200, "file")
        assert served == body
        assert edge.fetch(path, method="HEAD")[0].status == 200
    # Everything else needs the application, which is down.
    assert edge.fetch("/search/?q=story")[0].status == 502
    assert edge.fetch("/region/south-asia/")[0].status == 502  # never requested


def test_a_file_has_the_application_s_headers(edge, stories):
    article = stories[0].get_absolute_url()
    edge.fetch(article)
    hit, app_body = edge.fetch(article, port=edge.app.port)  # the application's hit
    assert hit.headers["X-Page-Cache"] == "hit"
    served, body = edge.from_file(article)
    assert body == app_body
    for name in SAME_HEADERS:
        assert served.headers[name] == hit.headers[name], name
    assert served.headers["Content-Security-Policy"] == SITE_POLICY
    assert served.headers.get_all("Set-Cookie") is None
    # nginx's own validators give 304s.
    again = edge.fetch(article, **{"If-None-Match": served.headers["ETag"]})[0]
    assert again.status == 304


def test_publishing_and_hiding_an_article_change_the_served_pages(edge, stories):
    article = stories[0].get_absolute_url()
    edge.from_file(article)
    home = edge.from_file("/")[1].decode()
    new = make_article("dawn", headline="A story published after the files")
    assert new.headline not in home
    response, body = edge.fetch("/")
    assert response.headers["X-Page-Cache"] == "miss"
    assert new.headline in body.decode()
    assert new.headline in edge.from_file("/")[1].decode()

    edge.from_file(article)
    stories[0].status = Article.Status.HIDDEN
    stories[0].save()
    assert edge.fetch(article)[0].status == 404
    assert edge.fetch(article)[0].headers["X-Page-Cache"] is None
    assert stories[0].headline not in edge.from_file("/")[1].decode()


def test_an_edit_in_another_process_reaches_the_files(edge, stories, settings):
    """The scheduler saves articles in its own process: the epoch it starts is
    on the file system, shared by nginx and every web worker."""
    article = stories[0].get_absolute_url()
    edge.from_file(article)
    code = (
        "import django; django.setup();"
        "from briefings.articles.models import Article;"
        f"a = Article.objects.get(pk={stories[0].pk});"
        "a.dek = 'Edited in the scheduler'; a.save()"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "briefings.config.settings",
        "DATABASE_URL": subprocess_database_url(),
        "BRIEFINGS_PAGE_FILES_DIR": settings.BRIEFINGS_PAGE_FILES_DIR,
        "CACHE_URL": "locmem://",  # not the web workers' cache
    }
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=REPO)
    response, body = edge.fetch(article)
    assert response.headers["X-Page-Cache"] == "miss"
    assert "Edited in the scheduler" in body.decode()


@pytest.mark.parametrize(
    "request_",
    [
        {"headers": {"Cookie": "sessionid=abc123"}},
        {"headers": {"Cookie": "theme=dark; sessionid=abc123"}},
        {"headers": {"Authorization": "Basic ZWRpdG9yOnNlY3JldA=="}},
        {"query": "?utm_source=mail"},
        {"method": "POST"},
        {"method": "PUT"},
    ],
    ids=["session", "session-among-cookies", "auth", "query", "post", "put"],
)
def test_other_requests_reach_the_application(edge, stories, request_):
    """With the page's file in place and the application stopped, the page
    still comes (the control), and the request under test gets nginx's 502:
    it went to the application."""
    edge.from_file("/")
    edge.app.stop()
    assert edge.fetch("/")[0].status == 200
    assert edge.fetch("/?")[0].status == 200  # no query: the page "/", as in Django
    response, _ = edge.fetch(
        "/" + request_.get("query", ""),
        method=request_.get("method", "GET"),
        **request_.get("headers", {}),
    )
    assert response.status == 502


def test_an_address_without_its_slash_is_not_a_file(edge, stories):
    article = stories[0].get_absolute_url()
    edge.from_file(article)
    response, _ = edge.fetch(article.rstrip("/"))
    assert response.status == 301  # Django's APPEND_SLASH, as without nginx
    assert edge.fetch("/index.html")[0].status == 404


def test_the_signup_form_of_a_file_page_posts_from_this_site_only(edge, stories):
    page = lxml_html.fromstring(edge.from_file(stories[0].get_absolute_url())[1])
    (form,) = page.cssselect(".newsletter form.newsletter-form")
    fields = {i.get("name"): i.get("value") or "" for i in form.cssselect("input")}
    fields.update(email="reader@example.org")
    body = "&".join(f"{k}={v}" for k, v in fields.items() if k)
    here = f"http://127.0.0.1:{edge.port}"
    post = {"Content-Type": "application/x-www-form-urlencoded"}
    refused, _ = edge.fetch(
        form.get("action"), "POST", body, Origin="https://evil.example", **post
    )
    assert refused.status == 403
    assert not QueuedSignup.objects.exists()
    taken, _ = edge.fetch(form.get("action"), "POST", body, Origin=here, **post)
    assert (taken.status, taken.headers["Location"]) == (302, "/newsletter/thanks/")
    assert QueuedSignup.objects.get().email == "reader@example.org"


@pytest.mark.browser
def test_a_browser_signs_up_from_a_file_page_and_not_from_another_origin(
    edge, stories, page
):
    """Chromium sends the Origin header itself: the form of a page nginx served
    from its file is taken; the same form on another origin's page is refused."""
    article = f"http://127.0.0.1:{edge.port}{stories[0].get_absolute_url()}"
    edge.from_file(stories[0].get_absolute_url())
    page.goto(article)
    page.fill("#newsletter-email", "reader@example.org")
    page.click(".newsletter-form button[type=submit]")
    page.wait_for_url("**/newsletter/thanks/")
    assert QueuedSignup.objects.get().email == "reader@example.org"

    page.goto(article)
    form = page.inner_html(".newsletter")
    other = AnotherOrigin(
        f'<base href="http://127.0.0.1:{edge.port}/">'
        f'<div class="newsletter">{form}</div>'
    )
    try:
        page.goto(other.url)
        page.fill("#newsletter-email", "victim@example.org")
        with page.expect_response("**/newsletter/") as answer:
            page.click(".newsletter-form button[type=submit]")
        assert answer.value.status == 403
    finally:
        other.stop()
    assert QueuedSignup.objects.count() == 1


class AnotherOrigin:
    """A page on another loopback port (another origin), holding `html`."""

    def __init__(self, html):
        body = f"<!doctype html><html><body>{html}</body></html>".encode()

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body]

        self.httpd = make_server(
            "127.0.0.1", 0, app, server_class=ThreadedServer, handler_class=QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ─── The writer alone ────────────────────────────────────────────────────────


@pytest.fixture
def files(tmp_path, settings):
    settings.BRIEFINGS_PAGE_FILES_DIR = str(tmp_path)
    settings.BRIEFINGS_SITE_URL = "https://news.example.org"
    return tmp_path


def page_entry(content=b"<p>page</p>", content_type="text/html; charset=utf-8"):
    from django.http import HttpResponse

    return _store(HttpResponse(content, content_type=content_type))


@pytest.mark.parametrize(
    "address, path",
    [
        ("https://news.example.org/", "index.html"),
        ("https://NEWS.example.org/articles/7/x/", "articles/7/x/index.html"),
        ("https://news.example.org/articles/7/a-story", None),  # Django redirects
        ("http://news.example.org/", None),  # another scheme
        ("https://other.example.org/", None),  # another allowed host
        ("https://news.example.org:8443/", None),
        ("https://news.example.org/a/../", None),
        ("https://news.example.org/a/./", None),
        ("https://news.example.org/.hidden/", None),
        ("https://news.example.org/caf%C3%A9/", None),
        ("https://news.example.org/a b/", None),
        ("https://news.example.org/a\\b/", None),
        ("https://news.example.org/a//b/", None),
        ("https://news.example.org/?q=1", None),
    ],
)
def test_only_plain_addresses_of_the_site_become_files(files, address, path):
    found = page_files.file_path(address)
    assert (str(found) if found else None) == path


def test_a_page_is_written_whole_and_readable(files):
    epoch = page_files.epoch()
    page_files.write("https://news.example.org/papers/", epoch, page_entry())
    written = files / "current" / "papers" / "index.html"
    assert written.read_bytes() == b"<p>page</p>"
    assert written.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in written.parent.iterdir()] == ["index.html"]


@pytest.mark.parametrize(
    "entry",
    [
        page_entry(f"<input value={CSRF_PLACEHOLDER}>".encode()),  # per reader
        page_entry(b"<feed/>", "application/atom+xml; charset=utf-8"),
    ],
    ids=["csrf-token", "not-html"],
)
def test_pages_that_differ_or_are_not_html_are_not_written(files, entry):
    epoch = page_files.epoch()
    page_files.write("https://news.example.org/papers/", epoch, entry)
    assert not (files / "current" / "papers").exists()


def test_a_page_rendered_before_a_change_never_lands_in_the_new_epoch(files):
    before = page_files.epoch()  # read as the request starts
    page_files.invalidate()  # an article changes while the page renders
    page_files.write("https://news.example.org/", before, page_entry(b"stale"))
    assert not (files / "current" / "index.html").exists()
    assert [p.name for p in (files / "epochs").iterdir()] == [page_files.epoch()]


def test_invalidation_removes_the_old_files(files):
    page_files.write("https://news.example.org/", page_files.epoch(), page_entry())
    assert (files / "current" / "index.html").exists()
    page_files.invalidate()
    assert not (files / "current" / "index.html").exists()
    assert len(list((files / "epochs").iterdir())) == 1


def test_files_are_off_by_default(settings, tmp_path):
    assert settings.BRIEFINGS_PAGE_FILES_DIR == ""
    assert page_files.epoch() == ""
    page_files.write("http://127.0.0.1:8000/", "x", page_entry())
    page_files.invalidate()


def test_an_unusable_folder_never_breaks_a_save_or_a_page(
    network, settings, tmp_path, client
):
    from django.contrib.flatpages.models import FlatPage

    (tmp_path / "a-file").write_text("")
    settings.BRIEFINGS_PAGE_FILES_DIR = str(tmp_path / "a-file" / "pages")
    assert page_files.epoch() == ""
    FlatPage.objects.filter(url="/privacy/").update(title="Privacy")
    FlatPage.objects.get(url="/privacy/").save()  # invalidates: must not raise
    assert client.get("/privacy/").status_code == 200


def test_a_failed_invalidation_takes_the_files_away(files):
    page_files.write("https://news.example.org/", page_files.epoch(), page_entry())
    (files / "epochs").rename(files / "kept")  # no new epoch can be made now
    (files / "epochs").write_text("")
    page_files.invalidate()
    assert not (files / "current").is_symlink()  # nginx sends readers to the app


def test_files_expire_with_the_page_cache(files, settings):
    first = page_files.epoch()
    page_files.write("https://news.example.org/", first, page_entry())
    page_files.expire()
    assert page_files.epoch() == first  # younger than BRIEFINGS_PAGE_CACHE_SECONDS
    settings.BRIEFINGS_PAGE_CACHE_SECONDS = 0
    page_files.expire()
    assert page_files.epoch() != first
    assert not (files / "current" / "index.html").exists()


def test_a_current_epoch_removed_by_a_crossing_change_is_made_again(files):
    """Two processes' new epochs can cross, one removing the other's folder."""
    current = page_files.epoch()
    (files / "epochs" / current).rmdir()
    page_files.write("https://news.example.org/", current, page_entry())
    assert (files / "current" / "index.html").read_bytes() == b"<p>page</p>"
