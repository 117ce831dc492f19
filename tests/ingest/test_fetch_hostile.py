"""A hostile server against the guarded client, over real loopback sockets: a
slow loris (one wall-clock deadline covers connect, headers and body) and
compression bombs (decoded in bounded steps, the cap checked on the output)."""

import gzip
import socket
import threading
import time
import tracemalloc
import zlib

import brotli
import pytest

from briefings.ingest.fetch import FetchError, FetchPolicy, fetch

from .conftest import Route

DEADLINE = 1.0
SLACK = 1.0


class Trickler:
    """A raw TCP server that sends `head` at once, then `drip` one byte per
    `every` seconds, until the client hangs up or `limit` seconds pass."""

    def __init__(self, head, drip, every, limit=12.0):
        self.head, self.drip, self.every, self.limit = head, drip, every, limit
        self.server = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/feed"

    def _serve(self):
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        with conn:
            conn.recv(65536)
            ended = time.monotonic() + self.limit
            try:
                conn.sendall(self.head)
                for byte in self.drip:
                    if self.stop.is_set() or time.monotonic() > ended:
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(self.every)
            except OSError:
                return  # the client gave up: what we wanted

    def close(self):
        self.stop.set()
        self.server.close()


def assert_gives_up_within_the_deadline(url):
    started = time.monotonic()
    with pytest.raises(FetchError, match="within 1 s"):
        fetch(url, FetchPolicy(deadline=DEADLINE, allow_private=True))
    assert time.monotonic() - started < DEADLINE + SLACK


@pytest.mark.parametrize("every", [0.2, 0.5])
def test_headers_trickled_a_byte_at_a_time_hit_the_deadline(every):
    """Each byte comes well within any read timeout; only a wall clock stops it."""
    header = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 1000 + b"\r\n"
    server = Trickler(b"", header, every)
    try:
        assert_gives_up_within_the_deadline(server.url)
    finally:
        server.close()


@pytest.mark.parametrize("every", [0.2, 3.0])
def test_body_trickled_or_stalled_hits_the_deadline(every):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    server = Trickler(head, b"x" * 100_000, every)
    try:
        assert_gives_up_within_the_deadline(server.url)
    finally:
        server.close()


def test_the_deadline_spans_every_redirect_hop(site):
    """Each hop answers quickly enough on its own; together they are too slow."""

    def slow_redirect(handler):
        time.sleep(0.4)
        hop = int(handler.path.rsplit("-", 1)[1])
        return Route(status=302, headers={"Location": f"/hop-{hop + 1}"})

    for hop in range(6):
        site.routes[f"/hop-{hop}"] = slow_redirect
    started = time.monotonic()
    with pytest.raises(FetchError, match="within 1 s"):
        fetch(site.url("/hop-0"), FetchPolicy(deadline=DEADLINE, allow_private=True))
    assert time.monotonic() - started < DEADLINE + SLACK


def test_a_slow_name_resolution_counts_against_the_deadline(monkeypatch):
    """getaddrinfo() has no timeout; a paper's own DNS server can stall it."""
    real = socket.getaddrinfo

    def slow_resolver(host, port, *args, **kwargs):
        time.sleep(3 if host == "slow-dns.example" else 0)
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
    assert_gives_up_within_the_deadline("http://slow-dns.example/feed")


ZEROS = b"\0" * (1 << 20)


def stream_compressed(compressor, flush, megabytes):
    return b"".join(compressor(ZEROS) for _ in range(megabytes)) + flush()


@pytest.fixture(scope="module")
def bombs():
    """Small bodies that decode to hundreds of megabytes, built without ever
    holding the decoded bytes."""
    gz = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zl = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    br = brotli.Compressor(quality=5)
    return {
        "gzip": stream_compressed(gz.compress, gz.flush, 300),
        "deflate": stream_compressed(zl.compress, zl.flush, 300),
        "raw-deflate": stream_compressed(raw.compress, raw.flush, 300),
        "br": stream_compressed(br.process, br.finish, 300),  # 481 bytes
    }


def peak_memory_of(call):
    """Return the peak Python allocation (bytes) while `call` runs."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind", ["gzip", "deflate", "raw-deflate", "br"])
def test_compression_bombs_stop_at_the_cap_in_little_memory(site, bombs, kind):
    encoding = "deflate" if kind == "raw-deflate" else kind
    bomb = bombs[kind]
    assert len(bomb) < 400_000
    site.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": encoding})
    policy = FetchPolicy(max_bytes=1_000_000, allow_private=True)

    def attempt():
        with pytest.raises(FetchError, match="larger than 1000000 bytes"):
            fetch(site.url("/bomb"), policy)

    assert peak_memory_of(attempt) < 16_000_000


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw, as IIS sends
        ("br", brotli.compress),
        ("identity", lambda data: data),
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
    ],
)
def test_encoded_bodies_are_decoded_in_full(site, encoding, encode):
    body = b"<rss>" + b"".join(b"<item>%d</item>" % n for n in range(50_000))
    site.routes["/feed"] = Route(encode(body), headers={"Content-Encoding": encoding})
    result = fetch(site.url("/feed"), FetchPolicy(allow_private=True))
    assert result.content == body


def test_body_exactly_at_the_cap_is_kept(site):
    body = b"y" * 1_000_000
    site.routes["/feed"] = Route(
        gzip.compress(body), headers={"Content-Encoding": "gzip"}
    )
    result = fetch(
        site.url("/feed"), FetchPolicy(max_bytes=1_000_000, allow_private=True)
    )
    assert result.content == body


@pytest.mark.parametrize("encoding", ["compress", "zstd", "x-evil"])
def test_encodings_we_did_not_offer_are_refused(site, encoding):
    site.routes["/feed"] = Route(b"whatever", headers={"Content-Encoding": encoding})
    with pytest.raises(FetchError, match="content encoding"):
        fetch(site.url("/feed"), FetchPolicy(allow_private=True))


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_corrupt_compressed_bodies_are_a_fetch_error(site, encoding):
    site.routes["/feed"] = Route(b"not compressed at all" * 10, headers={
        "Content-Encoding": encoding})  # fmt: skip
    with pytest.raises(FetchError, match="decode"):
        fetch(site.url("/feed"), FetchPolicy(allow_private=True))
