"""Read the area and period a page asks for, within the user's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area

from .. import periods


@dataclass
class Selection:
    area: Area | None
    start: datetime.date
    end: datetime.date
    errors: list[str]

    @property
    def area_param(self) -> str:
        return self.area.path if self.area is not None else "all"


def selected_area(request: HttpRequest, value: str | None) -> Area | None:
    """Return the area named by ``value`` (a path, or "all"), or the user's home area.

    An area outside the user's scope is a 404, as if it did not exist.
    """
    user = request.user
    national = scope.roots(user, Capability.VIEW) is None
    if not value:
        if national:
            return None
        home = scope.home_area(user, Capability.VIEW)
        if home is None:
            raise PermissionDenied
        return home
    if value == "all":
        if not national:
            raise Http404
        return None
    area = Area.objects.filter(path=value.strip("/") + "/").first()
    if area is None or not scope.can(user, Capability.VIEW, area):
        raise Http404
    return area


def selection(request: HttpRequest, data=None) -> Selection:
    """Return the area and period in ``data`` (default: the query string)."""
    data = request.GET if data is None else data
    area = selected_area(request, data.get("area"))
    start, end = periods.year_to_date()
    errors: list[str] = []
    try:
        if data.get("to"):
            end = periods.parse_date(data["to"])
            start = end.replace(month=1, day=1)
        if data.get("from"):
            start = periods.parse_date(data["from"])
        periods.check_period(start, end)
    except ValueError as exc:
        errors.append(str(exc))
        start, end = periods.year_to_date()
    return Selection(area, start, end, errors)


def breadcrumbs(request: HttpRequest, area: Area | None) -> list[tuple[str, str]]:
    """Return (label, area param) from the widest visible level down to ``area``."""
    user = request.user
    crumbs: list[tuple[str, str]] = []
    if scope.roots(user, Capability.VIEW) is None:
        crumbs.append((_("Whole country"), "all"))
    if area is not None:
        for ancestor in [*area.ancestors(), area]:
            if scope.can(user, Capability.VIEW, ancestor):
                crumbs.append((ancestor.name, ancestor.path))
    return crumbs
