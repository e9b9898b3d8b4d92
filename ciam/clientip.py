"""The client's address, for rate limits, lockout, audit entries and events.

It is the socket's peer (REMOTE_ADDR) unless that peer is one of the proxies named in
CIAM_TRUSTED_PROXIES (addresses or networks): then X-Forwarded-For is read from the
right, skipping trusted proxies, and the first address that is not one is the client. A
client can therefore never choose its own address by sending the header."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is None:
        return False
    entries = tuple(getattr(settings, "CIAM_TRUSTED_PROXIES", None) or ())
    return any(address in network for network in _networks(entries))


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR") or ""
    if not _trusted(_parse(remote)):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        address = _parse(hop)
        if address is None:
            return remote  # a hop we cannot read: believe no further
        if not _trusted(address):
            return str(address)
    return remote
