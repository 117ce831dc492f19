"""The client's address: REMOTE_ADDR, or behind a configured trusted proxy the
hop that proxy appended to X-Forwarded-For."""

import ipaddress
from functools import lru_cache

from django.conf import settings

# A client is one IPv4 address or one IPv6 /64 (what one subscriber line or
# host gets; rotating inside it must not give new budgets). Its network is the
# /24 or /48 around it, as NEWSLETTER_CONSENT_IP truncates.
CLIENT_PREFIX = {4: 32, 6: 64}
NETWORK_PREFIX = {4: 24, 6: 48}


@lru_cache(maxsize=8)
def trusted_networks(values):
    """Parse BRIEFINGS_TRUSTED_PROXIES (a tuple of CIDR strings)."""
    try:
        return tuple(ipaddress.ip_network(value, strict=False) for value in values)
    except ValueError as error:
        raise ValueError(f"BRIEFINGS_TRUSTED_PROXIES: {error}") from None


def parse_address(text):
    """Return the IP address in `text` (a bare address, or one with a port as
    some proxies write it), IPv4-mapped IPv6 as IPv4; None when there is none."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks):
    return any(address in network for network in networks)


def client_address(request):
    """Return the real client's address as a string ("" when there is none).

    Only a peer in BRIEFINGS_TRUSTED_PROXIES is believed about X-Forwarded-For,
    and only about the hops it and other trusted proxies appended: the rightmost
    untrusted hop is the client (anything left of it the client could write)."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    networks = trusted_networks(tuple(settings.BRIEFINGS_TRUSTED_PROXIES))
    if remote is None:
        return ""
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(hop)
        if address is None:
            break  # not what a proxy of ours writes: stop at the last one known
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_networks(address):
    """Return the client's own key and its network's, as CIDR strings."""
    parsed = parse_address(address or "")
    if parsed is None:
        return "", ""
    return tuple(
        str(ipaddress.ip_network(f"{parsed}/{prefix[parsed.version]}", strict=False))
        for prefix in (CLIENT_PREFIX, NETWORK_PREFIX)
    )
