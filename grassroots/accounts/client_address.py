"""The address a request came from, believing X-Forwarded-For only from trusted proxies.

The login lockout counts failures per address, and the audit log records it.
A header anyone can write must not decide either: only when the request
arrives from a proxy listed in ``GRASSROOTS_TRUSTED_PROXIES`` (nginx) is
``X-Forwarded-For`` read, from the right, skipping the trusted proxies; the
first address left is the client (whatever a client wrote further left is
ignored, since nginx appends the address it saw).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    networks: Iterable[str] = settings.GRASSROOTS_TRUSTED_PROXIES
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def of(request: HttpRequest) -> str | None:
    """Return the client's address for the lockout and the audit log."""
    remote = request.META.get("REMOTE_ADDR") or None
    peer = _parse(remote or "")
    if peer is None or not _trusted(peer):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    addresses = [_parse(h) for h in hops if h.strip()]
    if not addresses or any(a is None for a in addresses):
        return remote  # no header, or one we cannot read: the proxy itself
    for address in reversed(addresses):
        if address is not None and not _trusted(address):
            return str(address)
    return str(addresses[0])
