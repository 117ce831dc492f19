"""The one guarded HTTP client every fetch goes through.

Everything from outside is hostile: a feed or page may be huge, slow, compressed
to explode, or point at our own private network. So each fetch has a cap on the
decoded bytes, a total deadline, a redirect limit, http(s) only, and a check at
connect time, on every redirect hop, that the peer address is public, unless the
source is explicitly allowed a private one (the demo network on loopback).
Checking the address the socket really connects to, not a name resolved earlier,
also defeats DNS rebinding.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from django.conf import settings

from briefings import __version__

PAGE_MAX_BYTES = 5_000_000
FEED_MAX_BYTES = 10_000_000
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


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


def is_public_address(ip):
    """Tell whether `ip` is a public unicast address (IPv4-mapped IPv6 unwrapped)."""
    ip = ipaddress.ip_address(ip)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolve, check and connect to the checked address itself."""

    def __init__(self, allow_private):
        self._inner = httpcore.SyncBackend()
        self._allow_private = allow_private

    def connect_tcp(
        self, host, port, timeout=None, local_address=None, socket_options=None
    ):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        last_error = None
        for _family, _type, _proto, _name, sockaddr in infos:
            address = sockaddr[0]
            if not self._allow_private and not is_public_address(address):
                raise BlockedAddressError(
                    f"{host} resolves to {address}, which is not a public address"
                )
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
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


def _read_capped(response, policy, started):
    """Read the decoded body, failing past the byte cap or the deadline."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError(f"body larger than {policy.max_bytes} bytes (decoded)")
        if time.monotonic() - started > policy.deadline:
            raise FetchError(f"no complete answer within {policy.deadline:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url, policy=FetchPolicy(), etag="", last_modified="", accept=None):
    """GET `url` under `policy`; return a FetchResult (status 200 or 304).

    Conditional GET: pass the ETag and Last-Modified of the last fetch, and a
    304 comes back as a result with no content. Other statuses raise FetchError.
    """
    started = time.monotonic()
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if accept:
        headers["Accept"] = accept
    client = _client(policy.allow_private)
    for _hop in range(policy.max_redirects + 1):
        _check_scheme(url)
        remaining = policy.deadline - (time.monotonic() - started)
        if remaining <= 0:
            raise FetchError(f"no complete answer within {policy.deadline:g} s")
        timeout = httpx.Timeout(min(remaining, 15.0))
        try:
            with client.stream(
                "GET", url, headers=headers, timeout=timeout
            ) as response:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("Location", "")
                    if not location:
                        raise FetchError(
                            f"HTTP {response.status_code} without Location"
                        )
                    url = urljoin(url, location)
                    continue
                if response.status_code == 304:
                    return FetchResult(url, 304, b"", dict(response.headers))
                if response.status_code != 200:
                    raise FetchError(
                        f"HTTP {response.status_code} from {url[:200]}",
                        status=response.status_code,
                        headers=dict(response.headers),
                    )
                content = _read_capped(response, policy, started)
                return FetchResult(url, 200, content, dict(response.headers))
        except BlockedAddressError:
            raise
        except httpx.TimeoutException:
            raise FetchError(f"timed out fetching {url[:200]}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}"[:500]) from None
    raise FetchError(f"more than {policy.max_redirects} redirects")
