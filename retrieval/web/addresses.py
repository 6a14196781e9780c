"""Which network addresses a fetched link may reach: public ones only.

A moderator of any server can make the bot fetch a URL, so a link must not
reach the machine itself, its network, or a cloud's metadata service (which
hands out credentials). Every address is judged here, whatever form it takes:
IPv4, IPv6, and IPv6 forms that carry an IPv4 address (``::ffff:127.0.0.1``,
6to4, Teredo, NAT64), which would otherwise smuggle a refused one through.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata services (AWS, GCP, Azure and OpenStack at 169.254.169.254, AWS ECS, AWS over IPv6,
#: Alibaba, Oracle): named apart because they are the prize of a server-side request forgery.
CLOUD_METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def parse_address(text: str) -> IPAddress | None:
    """``text`` as an IP address (brackets and an IPv6 zone allowed), or ``None`` when it is a name."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def refusal(address: IPAddress) -> str | None:
    """Why a fetch may not connect to ``address`` ("a loopback address"…), or ``None`` for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = _carried_ipv4(address)
        if carried is not None:
            return refusal(carried)
    if address in CLOUD_METADATA:
        return "a cloud metadata address"
    for refused, name in (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
    ):
        if refused:
            return name
    return None if address.is_global else "a reserved (non-public) address"


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo client, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
