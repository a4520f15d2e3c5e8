"""Find the Open311 client behind an ``api_key``, cheaply on every request."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils import timezone

from ..actions.settings import hash_key
from ..models import ApiClient

CACHE_S = 30.0
TOUCH_EVERY_S = 60
_known: dict[str, tuple[float, KnownClient | None]] = {}
_touched: dict[int, float] = {}


@dataclass(frozen=True)
class KnownClient:
    pk: int
    name: str
    per_minute: int


def client_for(key: str | None) -> KnownClient | None:
    """Return the active client with this key, or None (cached for ``CACHE_S``)."""
    if not key or len(key) > 200:
        return None
    digest = hash_key(key)
    now = time.monotonic()
    hit = _known.get(digest)
    if hit is None or now - hit[0] > CACHE_S:
        row = (
            ApiClient.objects.filter(key_hash=digest, is_active=True)
            .values_list("pk", "name", "per_minute")
            .first()
        )
        hit = (now, KnownClient(*row) if row else None)
        _known[digest] = hit
    client = hit[1]
    if client is not None and now - _touched.get(client.pk, -1e9) >= TOUCH_EVERY_S:
        # "Last used" to the minute is enough; not a write per request.
        _touched[client.pk] = now
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def forget() -> None:
    _known.clear()
    _touched.clear()
