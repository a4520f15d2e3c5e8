"""Public read-only access to the area tree (names and codes are public facts)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Area

router = Router(tags=["areas"])


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    level: int
    path: str
    latitude: float | None
    longitude: float | None
    is_active: bool


@router.get(
    "/", response=list[AreaOut], summary="Provinces, or the children of an area"
)
def list_areas(request, parent: str | None = None, include_inactive: bool = False):
    """Return the provinces, or with ``parent`` (a path such as ``82/28261``) its children."""
    areas = Area.objects.all()
    if parent:
        parent_area = get_object_or_404(Area, path=parent.strip("/") + "/")
        areas = areas.filter(parent=parent_area)
    else:
        areas = areas.filter(parent=None)
    if not include_inactive:
        areas = areas.filter(is_active=True)
    return areas.order_by("name")


@router.get("/{path:path}", response=AreaOut, summary="One area by its path")
def get_area(request, path: str):
    return get_object_or_404(Area, path=path.strip("/") + "/")
