"""The one guarded HTTP client every fetch goes through.

Everything from outside is hostile: a feed or page may be huge, slow, compressed
to explode, or point at our own private network. So each fetch has a cap on the
decoded bytes, one wall-clock deadline, a redirect limit, http(s) only, and a
check at connect time, on every redirect hop, that the peer address is public
(addresses.py), unless the source is explicitly allowed a private one (the demo
network on loopback). Checking the address the socket really connects to, not a
name resolved earlier, also defeats DNS rebinding.

The deadline is a wall clock, not a per-read timeout: a server that trickles one
byte every half second never trips a read timeout, so every resolution, connect,
TLS handshake, read and write is given only what is left of the deadline (the
network backend below clamps each one). Compressed bodies are decoded in steps of
at most STEP bytes with the cap checked on the output, so a bomb of a few hundred
bytes stops at the cap instead of inflating to gigabytes first.
"""

import contextvars
import socket
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as ResolveTimeout
from contextlib import nullcontext
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import brotli
import httpcore
import httpx

from django.conf import settings

from briefings import __version__
from briefings.articles.addresses import is_public_address

PAGE_MAX_BYTES = 5_000_000
FEED_MAX_BYTES = 10_000_000
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
STEP = 64 * 1024  # the most bytes one decoding step may produce
MAX_ENCODINGS = 2  # stacked Content-Encodings decoded ("gzip, br")

# When the current fetch must be over (time.monotonic()); read by the network
# backend, whose pooled connections serve many fetches in many threads.
_deadline = contextvars.ContextVar("fetch_deadline", default=None)
# getaddrinfo() takes no timeout and a hostile paper runs its own DNS server:
# names are resolved here, waited for no longer than the deadline allows.
_resolver = ThreadPoolExecutor(max_workers=8, thread_name_prefix="resolve")


class FetchError(Exception):
    """A fetch failed; the message says why in words fit for an operator.

    `status` and `headers` are the HTTP answer's, when there was one (a 429's
    Retry-After, say).
    """

    def __init__(self, message, status=None, headers=None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class BlockedAddressError(FetchError):
    """The peer address is not public and the source is not allowed private ones."""


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = PAGE_MAX_BYTES
    deadline: float = 30.0
    max_redirects: int = 5
    allow_private: bool = False


@dataclass
class FetchResult:
    url: str
    status: int
    content: bytes = b""
    headers: dict = field(default_factory=dict)

    @property
    def not_modified(self):
        return self.status == 304


def _left(timeout, timeout_error):
    """Clamp an operation's timeout to what is left of the fetch's deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise timeout_error("the fetch's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline."""

    def __init__(self, inner):
        self._inner = inner

    def read(self, max_bytes, timeout=None):
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer, timeout=None):
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self):
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        # The whole handshake runs under one socket deadline (CPython's ssl).
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, timeout)
        )

    def get_extra_info(self, info):
        return self._inner.get_extra_info(info)


def _resolve(host, port, timeout):
    """getaddrinfo() for `host`, given up after `timeout` seconds."""
    pending = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return pending.result(timeout=timeout)
    except ResolveTimeout:
        raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolve, check and connect to the checked address itself, in time."""

    def __init__(self, allow_private):
        self._inner = httpcore.SyncBackend()
        self._allow_private = allow_private

    def connect_tcp(
        self, host, port, timeout=None, local_address=None, socket_options=None
    ):
        infos = _resolve(host, port, _left(timeout, httpcore.ConnectTimeout))
        last_error = None
        for _family, _type, _proto, _name, sockaddr in infos:
            address = sockaddr[0]
            if not self._allow_private and not is_public_address(address):
                raise BlockedAddressError(
                    f"{host} resolves to {address}, which is not a public address"
                )
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    _left(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except httpcore.ConnectError as exc:
                last_error = exc
                continue
            return _DeadlineStream(stream)
        raise last_error or httpcore.ConnectError(f"no address for {host}")

    def sleep(self, seconds):
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allow_private):
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(allow_private),
        )


def user_agent():
    return f"Briefings/{__version__} (+{settings.BRIEFINGS_CONTACT_URL})"


_clients = {}


def _client(allow_private):
    """Return the shared client for this policy (connections are pooled)."""
    if allow_private not in _clients:
        _clients[allow_private] = httpx.Client(
            transport=_GuardedTransport(allow_private),
            headers={
                "User-Agent": user_agent(),
                "Accept-Encoding": "gzip, deflate, br",
            },
            follow_redirects=False,
            trust_env=False,
        )
    return _clients[allow_private]


def _check_scheme(url):
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"only http(s) URLs are fetched, not {url[:200]!r}")


class _Inflate:
    """gzip or deflate, STEP bytes out at a time.

    "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2) but some servers send
    raw deflate: when the first bytes are not a zlib header, read it raw.
    """

    def __init__(self, wbits):
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data):
        while True:
            try:
                out = self._zlib.decompress(data, STEP)
            except zlib.error:
                if self._started or self._wbits != zlib.MAX_WBITS:
                    raise
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            data = self._zlib.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < STEP:
                return


class _Brotli:
    """Brotli, about STEP bytes out at a time (brotli >= 1.2's output limit)."""

    def __init__(self):
        self._brotli = brotli.Decompressor()

    def decode(self, data):
        out = self._brotli.process(data, output_buffer_limit=STEP)
        # can_accept_more_data() may say yes with output still pending: drain
        # until a step gives nothing.
        while out:
            yield out
            out = self._brotli.process(b"", output_buffer_limit=STEP)


class _Identity:
    def decode(self, data):
        yield data


DECODERS = {
    "gzip": lambda: _Inflate(zlib.MAX_WBITS | 16),
    "x-gzip": lambda: _Inflate(zlib.MAX_WBITS | 16),
    "deflate": lambda: _Inflate(zlib.MAX_WBITS),
    "br": _Brotli,
    "identity": _Identity,
}


def _decoders(content_encoding):
    """Return the decoders for a Content-Encoding header, the last applied first."""
    names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
    unknown = [n for n in names if n not in DECODERS]
    if unknown or len(names) > MAX_ENCODINGS:
        raise FetchError(f"unsupported content encoding {content_encoding[:100]!r}")
    return [DECODERS[name]() for name in reversed(names)]


def _through(decoder, chunks):
    for chunk in chunks:
        yield from decoder.decode(chunk)


def _decoded(chunks, decoders):
    """Chain the decoders lazily: no stage holds more than a step of output."""
    for decoder in decoders:
        chunks = _through(decoder, chunks)
    return chunks


def _read_capped(response, policy):
    """Read and decode the body, failing as soon as it passes the byte cap."""
    encoding = response.headers.get("content-encoding", "")
    decoders = _decoders(encoding)
    chunks, size = [], 0
    try:
        for chunk in _decoded(response.iter_raw(), decoders):
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchError(f"body larger than {policy.max_bytes} bytes (decoded)")
            chunks.append(chunk)
    except (zlib.error, brotli.error) as exc:
        raise FetchError(f"cannot decode the {encoding} body: {exc}"[:500]) from None
    return b"".join(chunks)


def _request_headers(etag, last_modified, accept):
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if accept:
        headers["Accept"] = accept
    return headers


def _exchange(url, headers, policy, deadline):
    """Send one request; return its result, a redirect's with the next URL."""
    client = _client(policy.allow_private)
    timeout = httpx.Timeout(deadline - time.monotonic())
    with client.stream("GET", url, headers=headers, timeout=timeout) as response:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = response.headers.get("Location", "")
            if not location:
                raise FetchError(f"HTTP {status} without Location")
            return FetchResult(urljoin(url, location), status)
        if status == 304:
            return FetchResult(url, 304, b"", dict(response.headers))
        if status != 200:
            raise FetchError(
                f"HTTP {status} from {url[:200]}",
                status=status,
                headers=dict(response.headers),
            )
        content = _read_capped(response, policy)
        return FetchResult(url, 200, content, dict(response.headers))


def _hop(url, headers, policy, deadline):
    """One request under the deadline; transport failures become FetchError."""
    if deadline <= time.monotonic():
        raise FetchError(f"no complete answer within {policy.deadline:g} s")
    token = _deadline.set(deadline)
    try:
        return _exchange(url, headers, policy, deadline)
    except httpx.TimeoutException:
        raise FetchError(
            f"no complete answer within {policy.deadline:g} s from {url[:200]}"
        ) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}"[:500]) from None
    finally:
        _deadline.reset(token)


def fetch(
    url, policy=FetchPolicy(), etag="", last_modified="", accept=None, each_hop=None
):
    """GET `url` under `policy`; return a FetchResult (status 200 or 304).

    Conditional GET: pass the ETag and Last-Modified of the last fetch, and a
    304 comes back as a result with no content. Other statuses raise FetchError.
    `each_hop(url)`, a context manager, is entered around the request to each
    URL, the redirect targets included (robots.txt and the per-host gate);
    the time spent waiting in it does not count against the deadline.
    """
    headers = _request_headers(etag, last_modified, accept)
    deadline = time.monotonic() + policy.deadline
    for _hop_number in range(policy.max_redirects + 1):
        _check_scheme(url)
        waiting = time.monotonic()
        with (each_hop or nullcontext)(url):
            deadline += time.monotonic() - waiting
            result = _hop(url, headers, policy, deadline)
        if result.status not in REDIRECT_STATUSES:
            return result
        url = result.url
    raise FetchError(f"more than {policy.max_redirects} redirects")
