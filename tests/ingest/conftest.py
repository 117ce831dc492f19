"""A real HTTP server on loopback whose answers each test scripts."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from django.conf import settings

from briefings.demo.network import DemoNetwork
from briefings.demo.server import DemoServer

from ..conftest import require_demo_corpus


class Route:
    def __init__(self, body=b"", status=200, headers=None):
        self.body = body
        self.status = status
        self.headers = headers or {}


class LoopbackSite:
    """Serve `routes` (path -> Route or callable(handler) -> Route) on 127.0.0.1."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                site.requests.append((self.path, dict(self.headers)))
                route = site.routes.get(self.path)
                if callable(route):
                    route = route(self)
                if route is None:
                    route = Route(b"not found", 404)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def host(self):
        """The site as a paper's own host (network file syntax: host:port)."""
        return f"127.0.0.1:{self.server.server_port}"

    @property
    def base_url(self):
        return f"http://{self.host}"

    def url(self, path):
        return self.base_url + path

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def give_hosts(publication, *hosts):
    """Make `hosts` the paper's own, as the network file would list them."""
    publication.hosts = list(hosts)
    publication.save(update_fields=["hosts"])
    return publication


@pytest.fixture
def site():
    site = LoopbackSite()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def demo_server():
    """The demo network served on a free loopback port: (network, server)."""
    corpus = require_demo_corpus()
    net = DemoNetwork.load(corpus, settings.BRIEFINGS_NETWORK_FILE, days=30)
    with DemoServer(net, port=0) as server:
        yield net, server
