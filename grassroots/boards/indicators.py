"""The boards' share of the indicators: commune offices with a board, and the map layer.

"Commune offices with a public e-bulletin board" reads each board's history
(``BoardChange``), so the state on the last day of any past month is what
the registry said then, not what it says now.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.indicators import catalogue, maps
from grassroots.indicators.registry import Indicator, Measure, Status, register
from grassroots.indicators.reports import Section, register_section

from .models import Board, BoardChange, BoardState, Place


def history_on(day: datetime.date) -> QuerySet[BoardChange]:
    """Return each board's history entry in force on ``day`` (boards registered by then)."""
    latest = (
        BoardChange.objects.filter(board=OuterRef("board"), effective_on__lte=day)
        .order_by("-effective_on", "-pk")
        .values("pk")[:1]
    )
    return BoardChange.objects.filter(effective_on__lte=day, pk=Subquery(latest))


def communes_with_office_board(day: datetime.date) -> QuerySet[BoardChange, Any]:
    return (
        history_on(day)
        .filter(state=BoardState.ACTIVE, place=Place.OFFICE, commune__isnull=False)
        .values("commune_id")
    )


@register
class CommuneBoards(Indicator):
    spec = catalogue.COMMUNE_BOARDS

    def compute(
        self, area: Area | None, start: datetime.date, end: datetime.date
    ) -> Measure:
        communes = self.under(Area.objects.communes().active(), area, "path")
        with_board = communes.filter(pk__in=communes_with_office_board(end))
        return self.measure(with_board.count(), communes.count())

    def compute_many(
        self, areas: Sequence[Area], start: datetime.date, end: datetime.date
    ) -> dict[int, Measure]:
        # One query for the communes of every area, then counted by path.
        if not areas:
            return {}
        with_board = set(
            communes_with_office_board(end).values_list("commune_id", flat=True)
        )
        communes = Area.objects.communes().active()
        provinces = {a.path.split("/", 1)[0] + "/" for a in areas}
        communes = communes.filter(scope.area_q(provinces, "path"))
        rows = list(communes.values_list("pk", "path"))
        owners = self.bucket((path for _pk, path in rows), areas)
        counts = {a.pk: [0, 0] for a in areas}
        for pk, path in rows:
            for owner in owners[path]:
                counts[owner][1] += 1
                counts[owner][0] += pk in with_board
        return {pk: self.measure(n, d) for pk, (n, d) in counts.items()}


#: Map colours: the indicator colours, so the legend reads the same.
COLOURS = {
    "online": maps.STATUS_COLOURS[Status.MET],
    "maintenance": maps.STATUS_COLOURS[Status.NEAR],
    "offline": maps.STATUS_COLOURS[Status.BEHIND],
    "retired": maps.STATUS_COLOURS[Status.NONE],
}


def board_state(board: Board) -> tuple[str, str]:
    """Return (colour key, words) for a board on the map: state, then connection."""
    if board.state == BoardState.RETIRED:
        return "retired", str(board.get_state_display())
    if board.state == BoardState.MAINTENANCE:
        return "maintenance", str(board.get_state_display())
    status = getattr(board, "status", None)
    if status is not None and status.is_online():
        return "online", _("active, online")
    return "offline", _("active, offline")


@maps.register_layer("boards", gettext_lazy("E-bulletin boards"))
def boards_layer(area: Area | None, user) -> list[maps.Feature]:
    boards = scope.scope(
        Board.objects.select_related("area", "status").defer("status__screenshot"),
        user,
        Capability.VIEW,
    )
    if area is not None:
        boards = boards.filter(area__path__under=area.path)
    features = []
    for board in boards.order_by("code")[:2000]:
        latitude = board.latitude if board.latitude is not None else board.area.latitude
        longitude = (
            board.longitude if board.longitude is not None else board.area.longitude
        )
        if latitude is None or longitude is None:
            continue
        key, words = board_state(board)
        features.append(
            maps.Feature(
                latitude=latitude,
                longitude=longitude,
                label=f"{board.code} · {board.name}",
                state=words,
                colour=COLOURS[key],
                url=reverse("boards_board:inspect", args=[board.pk]),
            )
        )
    return features


@register_section
def boards_section(
    area: Area | None, start: datetime.date, end: datetime.date
) -> Section | None:
    """List the area's boards with their state on the last day of the period."""
    rows = (
        history_on(end)
        .select_related("board", "area", "commune")
        .order_by("area__path", "board__code")
    )
    if area is not None:
        rows = rows.filter(area__path__under=area.path)
    table = [
        [
            row.board.code,
            row.board.name,
            str(row.area),
            str(row.get_place_display()),
            str(row.get_state_display()),
            row.effective_on.strftime("%d/%m/%Y"),
        ]
        for row in rows[:500]
    ]
    if not table:
        return None
    return Section(
        title=_("Public e-bulletin boards"),
        headers=[_("Code"), _("Name"), _("Area"), _("Place"), _("State"), _("Since")],
        rows=table,
        note=_(
            "Each board's state on the last day of the period, from the registry's history."
        ),
    )
