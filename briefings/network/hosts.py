"""A paper's own hosts: the sites its articles may live on (the network file's
`hosts:`). A feed item whose link, or whose page after redirects, is elsewhere
is not the paper's article: it may be another member's, and storing it would
rewrite or take credit for that member's story (issue #11).

An entry is `host`, `*.domain` (the domain and every subdomain), with an
optional `:port` (without one, only the default port) and an optional path
prefix `/folder/` (the demo network serves every paper from one host, each
under its own path). "www." is the same host as without it.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")
DEFAULT_PORTS = {None, 80, 443}


class HostError(ValueError):
    """A hosts entry is malformed."""


@dataclass(frozen=True)
class HostRule:
    domain: str  # lowercased, without "www."
    subdomains: bool = False
    port: int | None = None
    path: str = "/"  # always ends with "/"


def _bare(host):
    return host.lower().removeprefix("www.")


def parse_host(entry):
    """Return the HostRule of one hosts entry; raise HostError when malformed."""
    text = str(entry or "").strip()
    if not text or "://" in text or any(c in text for c in "?#@ \\"):
        raise HostError(f"{text[:100]!r} is not a host (host[:port][/path/])")
    subdomains = text.startswith("*.")
    authority, slash, path = text.removeprefix("*.").partition("/")
    host, colon, port = authority.partition(":")
    labels = host.lower().split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise HostError(f"{text[:100]!r} is not a host (host[:port][/path/])")
    if subdomains and len(labels) < 2:
        raise HostError(f"{text[:100]!r}: a wildcard needs a domain, not a suffix")
    if colon and not (port.isdigit() and 0 < int(port) < 65536):
        raise HostError(f"{text[:100]!r}: the port must be a number")
    prefix = ("/" + path.strip("/") + "/").replace("//", "/") if slash else "/"
    return HostRule(_bare(host), subdomains, int(port) if colon else None, prefix)


def _host_matches(rule, host):
    host = _bare(host)
    if rule.subdomains:
        return host == rule.domain or host.endswith("." + rule.domain)
    return host == rule.domain


def _path_matches(rule, path):
    if rule.path == "/":
        return True
    # The client resolves "." and ".." (also percent-encoded) before asking, so
    # "/mine/../theirs/" is another folder's URL: refused under a prefix.
    segments = unquote(path).split("/")
    if "." in segments or ".." in segments:
        return False
    return path.startswith(rule.path)


def matches(rule, url):
    """Tell whether `url` is on the site `rule` describes."""
    try:
        parts = urlsplit(str(url))
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return False
    if rule.port is None and port not in DEFAULT_PORTS:
        return False
    if rule.port is not None and port != rule.port:
        return False
    return _host_matches(rule, parts.hostname) and _path_matches(rule, parts.path)


def validate_hosts(value):
    """Model validator: a list of well-formed entries (what the admin saves)."""
    if not isinstance(value, list):
        raise ValidationError("a list of hosts")
    for entry in value:
        try:
            parse_host(entry)
        except HostError as exc:
            raise ValidationError(str(exc)) from None


def rules(hosts):
    """The HostRules of the well-formed `hosts` entries: a malformed one (typed
    in the admin, say) owns nothing."""
    found = []
    for entry in hosts or ():
        try:
            found.append(parse_host(entry))
        except HostError:
            continue
    return found


def owns(hosts, url):
    """Tell whether `url` is on one of the `hosts` entries."""
    return any(matches(rule, url) for rule in rules(hosts))


def overlaps(a, b):
    """Tell whether some URL is on both sites `a` and `b` (HostRules)."""
    if a.port != b.port:
        return False
    if not (a.path.startswith(b.path) or b.path.startswith(a.path)):
        return False
    return (
        a.domain == b.domain
        or (a.subdomains and b.domain.endswith("." + a.domain))
        or (b.subdomains and a.domain.endswith("." + b.domain))
    )


def host_of_url(url):
    """The hosts entry of a site URL: "http://127.0.0.1:8001/dawn/" gives
    "127.0.0.1:8001/dawn/" (the demo registers its papers this way)."""
    parts = urlsplit(url)
    return parts.netloc.lower() + (parts.path or "/")
