"""Where an alert is meant for: geocodes and shapes mapped to our areas.

Geocodes carry official codes (2-digit province, 5-digit commune of the 2025
catalogue); a hamlet, which has no national code, is written
``<commune code>/<hamlet code>``. Polygons and circles are matched against
the coordinates of hamlets (and of communes that keep no hamlets): a commune
whose every hamlet lies inside is taken whole.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import shapely
from shapely import affinity
from shapely.geometry import Point, Polygon
from shapely.ops import unary_union

from grassroots.areas.models import Area, Level

from .xmlcap import AreaSpec

#: The valueName of the geocodes this installation writes.
GEOCODE_OFFICIAL = "VN-MaDVHC-2025"
GEOCODE_HAMLET = "VN-MaDVHC-2025-Ap"
_PROVINCE = re.compile(r"\d{2}")
_COMMUNE = re.compile(r"\d{5}")
_HAMLET = re.compile(r"(\d{5})/([A-Za-z0-9._-]{1,20})")
KM_PER_DEGREE = 111.32


@dataclass
class Mapping:
    areas: list[Area] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def shape_of(spec: AreaSpec):
    """Return the union of an area's polygons and circles (x = longitude), or None."""
    shapes = [Polygon([(lon, lat) for lat, lon in ring]) for ring in spec.polygons]
    for lat, lon, km in spec.circles:
        radius = max(km, 0.01) / KM_PER_DEGREE
        circle = Point(lon, lat).buffer(radius, quad_segs=16)
        # A degree of longitude is shorter away from the equator.
        stretch = 1 / max(math.cos(math.radians(lat)), 0.01)
        shapes.append(affinity.scale(circle, xfact=stretch, yfact=1.0))
    shapes = [s if s.is_valid else s.buffer(0) for s in shapes]
    return unary_union(shapes) if shapes else None


def _by_code(value: str) -> Area | None:
    value = value.strip()
    if _PROVINCE.fullmatch(value):
        return Area.objects.filter(level=Level.PROVINCE, code=value).first()
    if _COMMUNE.fullmatch(value):
        return Area.objects.filter(level=Level.COMMUNE, code=value).first()
    match = _HAMLET.fullmatch(value)
    if match:
        return Area.objects.filter(
            level=Level.HAMLET, parent__code=match.group(1), code=match.group(2)
        ).first()
    return None


def _inside(geometry, within: Area) -> list[Area]:
    """Return the hamlets (or hamlet-less communes) whose point is in ``geometry``."""
    places = list(
        Area.objects.under(within)
        .active()
        .filter(level__in=(Level.COMMUNE, Level.HAMLET))
        .only("id", "path", "level", "parent_id", "latitude", "longitude", "name")
    )
    hamlets_of: dict[int, list[Area]] = {}
    for place in places:
        if place.level == Level.HAMLET and place.parent_id is not None:
            hamlets_of.setdefault(place.parent_id, []).append(place)
    located = [p for p in places if p.latitude is not None and p.longitude is not None]
    if not located:
        return []
    hits = shapely.contains_xy(
        geometry, [p.longitude for p in located], [p.latitude for p in located]
    )
    inside = {p.pk for p, hit in zip(located, hits, strict=True) if hit}
    found: list[Area] = []
    for place in places:
        if place.level != Level.COMMUNE:
            continue
        hamlets = hamlets_of.get(place.pk, [])
        if not hamlets:
            if place.pk in inside:
                found.append(place)
        elif all(h.pk in inside for h in hamlets):
            found.append(place)
        else:
            found.extend(h for h in hamlets if h.pk in inside)
    return found


def _outermost(areas: list[Area]) -> list[Area]:
    unique = sorted({a.pk: a for a in areas}.values(), key=lambda a: a.path)
    return [
        a
        for a in unique
        if not any(b is not a and a.path.startswith(b.path) for b in unique)
    ]


def map_areas(specs: list[AreaSpec], within: Area) -> Mapping:
    """Return the active areas under ``within`` the alert's areas name or cover."""
    result = Mapping()
    found: list[Area] = []
    shapes = []
    for spec in specs:
        for _name, value in spec.geocodes:
            area = _by_code(value)
            if area is None or not area.is_active:
                result.unknown.append(value[:40])
            elif not area.path.startswith(within.path):
                result.outside.append(value[:40])
            else:
                found.append(area)
        geometry = shape_of(spec)
        if geometry is not None and not geometry.is_empty:
            shapes.append(geometry)
    if shapes:
        found.extend(_inside(unary_union(shapes), within))
    result.areas = _outermost(found)
    return result
