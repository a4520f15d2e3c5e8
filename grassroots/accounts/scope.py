"""The one scope rule: a user acts on the areas they hold a role on, and below.

Every view, API endpoint, export and job that returns staff-visible data filters
through :func:`scope` (or asks :func:`can` about one object). Nothing filters
by area by hand, so there is one place to read, test and fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from grassroots.areas.models import Area, AreaQuerySet

from .roles import ROLE_CAPABILITIES, Capability

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

M = TypeVar("M", bound=Model)
#: A queryset, its own class kept (an AreaQuerySet stays one).
Q_ = TypeVar("Q_", bound="QuerySet[Any]")

_CACHE_ATTR = "_grassroots_scope_roots"


def roots(
    user: User | AnonymousUser | None, capability: str = Capability.VIEW
) -> list[str] | None:
    """Return the area paths where ``user`` has ``capability``, widest first.

    ``None`` means everywhere (an active superuser); an empty list means
    nowhere. Paths nested in another returned path are dropped. The answer is
    cached on the user object for the length of the request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cache: dict[str, list[str]] | None = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if capability not in cache:
        assignments = user.role_assignments.filter(area__is_active=True).values_list(
            "role", "area__path"
        )
        paths = sorted(
            {
                path
                for role, path in assignments
                if capability in ROLE_CAPABILITIES.get(role, ())
            }
        )
        kept: list[str] = []
        for path in paths:  # sorted, so a parent comes before its children
            if not any(path.startswith(k) for k in kept):
                kept.append(path)
        cache[capability] = kept
    return cache[capability]


def forget(user: User) -> None:
    """Drop the cached answer, after the user's roles change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def area_q(paths: Iterable[str], path_field: str) -> Q:
    """Return a filter matching rows whose ``path_field`` lies under any of ``paths``."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{path_field}__under": path})
    return q


def scope(
    queryset: Q_,
    user: User | AnonymousUser | None,
    capability: str = Capability.VIEW,
    *,
    path_field: str = "area__path",
) -> Q_:
    """Return the rows of ``queryset`` the user may act on with ``capability``.

    ``path_field`` leads from the model to the materialised path of the area
    the row belongs to: ``"path"`` for areas, ``"area__path"`` for most models,
    ``"commune__path"`` and so on.
    """
    paths = roots(user, capability)
    if paths is None:
        return queryset
    if not paths:
        return queryset.none()
    return queryset.filter(area_q(paths, path_field))


def areas(
    user: User | AnonymousUser | None, capability: str = Capability.VIEW
) -> AreaQuerySet:
    """Return every area the user may act on with ``capability``."""
    return scope(Area.objects.all(), user, capability, path_field="path")


def can(
    user: User | AnonymousUser | None, capability: str, area: Area | str | None
) -> bool:
    """Return True if ``user`` has ``capability`` on ``area`` (an Area or a path)."""
    paths = roots(user, capability)
    if paths is None:
        return True
    if area is None:
        return False
    path = area if isinstance(area, str) else area.path
    return any(path.startswith(root) for root in paths)


def can_anywhere(user: User | AnonymousUser | None, capability: str) -> bool:
    """Return True if ``user`` has ``capability`` on at least one area."""
    paths = roots(user, capability)
    return paths is None or bool(paths)


def require(
    user: User | AnonymousUser | None, capability: str, area: Area | str | None
) -> None:
    """Raise ``PermissionDenied`` unless ``user`` has ``capability`` on ``area``."""
    if not can(user, capability, area):
        raise PermissionDenied(capability)


def home_area(
    user: User | AnonymousUser | None, capability: str = Capability.VIEW
) -> Area | None:
    """Return the widest single area the user may act on, for defaults in forms."""
    paths = roots(user, capability)
    if paths is None:
        return Area.objects.filter(parent=None, is_active=True).order_by("path").first()
    if not paths:
        return None
    return Area.objects.filter(path=paths[0]).first()
