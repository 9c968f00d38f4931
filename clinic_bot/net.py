"""Reading network addresses, in one place: the Rasa server's checks (who may reload the model, which client a
request counts for) and any other part that must tell this machine from the outside.

Standard library only, so it is cheap to import from anywhere (the launchers, the staff console, the server).
"""
import ipaddress
from typing import Optional, Union

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def ip_of(text: str) -> Optional[IPAddress]:
    """The IP address `text` names (spaces around it ignored), None when it names none (a host name, garbage)."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_loopback(address: str) -> bool:
    """Whether the IP address `address` is this machine's loopback: 127.0.0.0/8, ::1 (with or without an IPv6 zone,
    "::1%lo"), or an IPv4-mapped loopback (::ffff:127.0.0.1: how a dual-stack server sees an IPv4 client).
    Anything else is not: an empty string, and host names too (a caller that accepts "localhost" says so itself;
    a request's peer is always an address)."""
    ip = ip_of(address.split("%", 1)[0])
    if ip is None:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))
