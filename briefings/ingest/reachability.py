"""Tell whether the member papers can be reached at all (an offline machine)."""

import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit


def _reachable(url, timeout):
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def reachable_count(urls, timeout=4.0):
    """Return how many of `urls`' hosts accept a TCP connection within `timeout`."""
    hosts = {}
    for url in urls:
        parts = urlsplit(url)
        if parts.hostname:
            hosts.setdefault((parts.scheme, parts.hostname, parts.port), url)
    if not hosts:
        return 0
    with ThreadPoolExecutor(max_workers=min(16, len(hosts))) as pool:
        return sum(pool.map(lambda url: _reachable(url, timeout), hosts.values()))
