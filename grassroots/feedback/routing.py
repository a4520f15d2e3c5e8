"""Find the commune responsible for a place: chosen, drawn, pointed at, or written.

In order: a hamlet or commune chosen from the tree; a point inside a drawn
boundary; the nearest hamlet or commune centre within ``GRASSROOTS_FEEDBACK_MAX_DISTANCE_KM``
(most communes have no boundary on file, but hamlets have a point); a
commune named in the address. Anything else goes to the province, whose
staff forward it by hand.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from grassroots.areas.models import Area, Level
from grassroots.core.text import fold

#: A point further than this from every known hamlet or commune is not placed.
CACHE_S = 60.0


@dataclass(frozen=True)
class Placement:
    """Where the feedback is (``place``) and who handles it (``area``)."""

    area: Area
    place: Area | None
    method: str  # chosen, boundary, nearest, address, province


@dataclass(frozen=True)
class _Point:
    area_id: int
    level: int
    commune_id: int
    lat: float
    lon: float
    boundary: object


_lock = threading.Lock()
_points: dict[str, tuple[float, list[_Point]]] = {}


def _province_points(province: Area) -> list[_Point]:
    """Return the communes and hamlets of ``province`` with a location, cached briefly."""
    now = time.monotonic()
    cached = _points.get(province.path)
    if cached and now - cached[0] < CACHE_S:
        return cached[1]
    with _lock:
        rows = (
            Area.objects.under(province)
            .active()
            .filter(level__in=[Level.COMMUNE, Level.HAMLET])
            .exclude(latitude=None, boundary=None)
            .values_list(
                "pk", "level", "parent_id", "latitude", "longitude", "boundary"
            )
        )
        points = [
            _Point(
                pk,
                level,
                pk if level == Level.COMMUNE else parent_id,
                lat if lat is not None else math.nan,
                lon if lon is not None else math.nan,
                boundary,
            )
            for pk, level, parent_id, lat, lon, boundary in rows
        ]
        _points[province.path] = (now, points)
        return points


_areas_cache: dict[str, tuple[float, dict[int, Area]]] = {}


def _areas(province: Area) -> dict[int, Area]:
    """Return the province's communes and hamlets by id, cached with the points.

    Intake runs hundreds of times a second at peak; routing then costs no query.
    """
    now = time.monotonic()
    cached = _areas_cache.get(province.path)
    if cached and now - cached[0] < CACHE_S:
        return cached[1]
    found = {
        a.pk: a
        for a in Area.objects.under(province).filter(
            level__in=[Level.COMMUNE, Level.HAMLET]
        )
    }
    _areas_cache[province.path] = (now, found)
    return found


def forget() -> None:
    """Drop cached locations (after the area tree changed, and between tests)."""
    _points.clear()
    _areas_cache.clear()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two WGS 84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(boundary: object, lat: float, lon: float) -> bool:
    """Return True if a GeoJSON Polygon or MultiPolygon contains the point."""
    if not isinstance(boundary, dict):
        return False
    kind, coords = boundary.get("type"), boundary.get("coordinates") or []
    polygons = (
        [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    )
    try:
        for rings in polygons:
            if rings and _in_ring(lon, lat, rings[0]):
                if not any(_in_ring(lon, lat, hole) for hole in rings[1:]):
                    return True
    except (TypeError, IndexError, ZeroDivisionError):
        return False  # a malformed boundary must not stop intake
    return False


def _by_point(province: Area, lat: float, lon: float) -> tuple[int, int, str] | None:
    points = _province_points(province)
    # Hamlet boundaries first (the most precise), then communes'.
    for level in (Level.HAMLET, Level.COMMUNE):
        for p in points:
            if p.level == level and p.boundary and contains(p.boundary, lat, lon):
                return p.area_id, p.commune_id, "boundary"
    # Rank by a flat-earth squared distance (cheap, same order at this scale),
    # then measure the winner properly.
    squeeze = math.cos(math.radians(lat)) ** 2
    best: tuple[float, _Point] | None = None
    for p in points:
        if math.isnan(p.lat):
            continue
        d = (p.lat - lat) ** 2 + squeeze * (p.lon - lon) ** 2
        # Prefer a hamlet over its commune's centre at the same distance.
        if best is None or d < best[0] or (d == best[0] and p.level > best[1].level):
            best = (d, p)
    limit = settings.GRASSROOTS_FEEDBACK_MAX_DISTANCE_KM
    if best is not None and distance_km(lat, lon, best[1].lat, best[1].lon) <= limit:
        return best[1].area_id, best[1].commune_id, "nearest"
    return None


def _by_address(province: Area, address: str) -> Area | None:
    text = fold(address)
    if not text:
        return None
    found = None
    for commune in Area.objects.filter(
        parent=province, level=Level.COMMUNE, is_active=True
    ).only("pk", "name", "path", "parent_id", "level"):
        name = fold(commune.name)
        if (
            name
            and name in text
            and (found is None or len(name) > len(fold(found.name)))
        ):
            found = commune
    return found


def route(
    province: Area,
    *,
    place: Area | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
) -> Placement:
    """Return who handles feedback about this place, and the place itself."""
    if place is not None and place.path.startswith(province.path):
        commune = place.commune
        if commune is not None:
            return Placement(commune, place, "chosen")
    if latitude is not None and longitude is not None:
        found = _by_point(province, latitude, longitude)
        if found is not None:
            place_id, commune_id, method = found
            areas = _areas(province)
            return Placement(areas[commune_id], areas[place_id], method)
    if address:
        commune = _by_address(province, address)
        if commune is not None:
            return Placement(commune, commune, "address")
    return Placement(province, None, "province")
