"""The province this system serves: Open311's ``jurisdiction_id``."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from grassroots.areas.models import Area, Level

CACHE_S = 60.0
_cache: dict[str, tuple[float, Area]] = {}


def province(jurisdiction_id: str | None = None) -> Area:
    """Return the province for ``jurisdiction_id`` (its code), or the default one.

    The default is ``GRASSROOTS_FEEDBACK_JURISDICTION`` (a province code), or
    the first active province. Raise ``ObjectDoesNotExist`` for an unknown id.
    """
    key = (jurisdiction_id or "").strip()
    now = time.monotonic()
    hit = _cache.get(key)
    if hit and now - hit[0] < CACHE_S:
        return hit[1]
    provinces = Area.objects.filter(level=Level.PROVINCE, parent=None, is_active=True)
    code = key or settings.GRASSROOTS_FEEDBACK_JURISDICTION
    if code:
        found = provinces.filter(code=code.strip("/")).first()
    else:
        found = provinces.order_by("path").first()
    if found is None:
        raise ObjectDoesNotExist(f"no province {code!r}")
    _cache[key] = (now, found)
    return found


def forget() -> None:
    _cache.clear()
