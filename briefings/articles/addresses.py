"""Which peer addresses a fetch may connect to: an explicit deny list.

`ipaddress.is_global` is not enough: on Python 3.11 it calls NAT64
(64:ff9b::/96), 6to4, IPv4-compatible (::/96) and site-local (fec0::/10)
addresses global, so `[64:ff9b::a00:5]` reached 10.0.0.5 through a NAT64
gateway. Here every block of the IANA special-purpose registries
(iana-ipv4-special-registry, iana-ipv6-special-registry) is refused, even those
marked globally reachable (anycast services, AS112: no newspaper lives there),
plus multicast and site-local; an IPv6 address must also lie in 2000::/3, the
only block IANA allocates for global unicast. Addresses that carry an IPv4
address (IPv4-mapped and -compatible, NAT64, 6to4, Teredo's server and client)
are judged by the IPv4 addresses they carry, so a NAT64 network still reaches
public sites.
"""

import ipaddress

SPECIAL_IPV4 = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (cloud metadata services)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments (DS-Lite, PCP, TURN, NAT64)
        "192.0.2.0/24",  # documentation
        "192.31.196.0/24",  # AS112
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "192.175.48.0/24",  # AS112 direct delegation
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast (its own registry)
        "240.0.0.0/4",  # reserved, and 255.255.255.255 limited broadcast
    )
)
SPECIAL_IPV6 = tuple(
    ipaddress.IPv6Network(block)
    for block in (
        "::/8",  # loopback, unspecified, mapped, compatible, translated
        "64:ff9b:1::/48",  # local-use translation: operator-chosen layout
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy prefix
        "2001::/23",  # IETF protocol assignments (ORCHID, AMT, AS112, ...)
        "2001:db8::/32",  # documentation
        "2620:4f:8000::/48",  # AS112 direct delegation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _carried_ipv4(ip):
    """Return the IPv4 addresses an IPv6 address carries, or None if none."""
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)  # the server and the (de-obfuscated) client
    return None


def _public_ipv4(ip):
    return not any(ip in block for block in SPECIAL_IPV4)


def is_public_address(address):
    """Tell whether a fetch may connect to `address` (a str or ip_address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 4:
        return _public_ipv4(ip)
    carried = _carried_ipv4(ip)
    if carried is not None:
        return all(_public_ipv4(ipv4) for ipv4 in carried)
    return ip in GLOBAL_UNICAST and not any(ip in block for block in SPECIAL_IPV6)
