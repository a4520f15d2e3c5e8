"""The boards API (``/api/v1/boards/``): staff reading of boards, their status and proof.

Staff log in to the console (session). Everything is narrowed by the scope
rule; players use their own addresses (``/board/<token>/``), not this API.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from grassroots.accounts import scope
from grassroots.accounts.api_auth import STAFF
from grassroots.accounts.roles import Capability
from grassroots.api import ApiError
from grassroots.bulletins.models import Bulletin

from . import coverage
from .models import Board, BoardState, Place

router = Router(tags=["boards"])


class BoardAreaOut(Schema):
    path: str
    name: str


class BoardOut(Schema):
    id: int
    code: str
    name: str
    area: BoardAreaOut
    place: Place
    location: str
    latitude: float | None
    longitude: float | None
    state: BoardState
    state_since: datetime.date
    orientation: str
    width_px: int
    height_px: int
    online: bool
    last_seen_at: datetime.datetime | None
    showing: str
    screenshot_at: datetime.datetime | None


class BoardPage(Schema):
    count: int
    results: list[BoardOut]


class BoardFilters(Schema):
    state: BoardState | None = None
    area: str | None = Field(None, max_length=120, description="Area path")
    online: bool | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class BoardDisplayOut(Schema):
    board_id: int
    code: str
    name: str
    area_name: str
    at_office: bool
    first_shown_at: datetime.datetime
    last_shown_at: datetime.datetime
    total_seconds: float
    times: int


class AreaDisplayOut(Schema):
    area_id: int
    name: str
    boards: int
    first_shown_at: datetime.datetime | None
    last_shown_at: datetime.datetime | None
    total_seconds: float


class DisplaysOut(Schema):
    bulletin_id: int
    boards: list[BoardDisplayOut]
    communes: list[AreaDisplayOut]
    hamlets: list[AreaDisplayOut]
    total_seconds: float


def _visible(request):
    return scope.scope(
        Board.objects.select_related("area", "status").defer("status__screenshot"),
        request.user,
        Capability.VIEW,
    )


def _out(board: Board) -> dict:
    status = getattr(board, "status", None)
    return {
        "id": board.pk,
        "code": board.code,
        "name": board.name,
        "area": {"path": board.area.path, "name": board.area.name},
        "place": board.place,
        "location": board.location,
        "latitude": board.latitude,
        "longitude": board.longitude,
        "state": board.state,
        "state_since": board.state_since,
        "orientation": board.orientation,
        "width_px": board.width_px,
        "height_px": board.height_px,
        "online": bool(status and status.is_online()),
        "last_seen_at": status.last_seen_at if status else None,
        "showing": status.showing_title if status else "",
        "screenshot_at": status.screenshot_at if status else None,
    }


@router.get("/", response=BoardPage, auth=STAFF, summary="Boards in your scope")
def list_boards(request, filters: Query[BoardFilters]):
    """Return the boards of the areas you may see, with their last report."""
    queryset = _visible(request).order_by("code")
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.area:
        queryset = queryset.filter(area__path__under=filters.area.strip("/") + "/")
    boards = list(queryset)
    if filters.online is not None:
        boards = [b for b in boards if _out(b)["online"] == filters.online]
    page = boards[filters.offset : filters.offset + filters.limit]
    return {"count": len(boards), "results": [_out(b) for b in page]}


@router.get("/{int:pk}", response=BoardOut, auth=STAFF, summary="One board")
def get_board(request, pk: int):
    board = _visible(request).filter(pk=pk).first()
    if board is None:
        raise ApiError(404, "not_found", _("Nothing here, or it is outside your area."))
    return _out(board)


@router.get(
    "/displays/{int:bulletin_id}",
    response=DisplaysOut,
    auth=STAFF,
    summary="Boards that showed a bulletin",
)
def bulletin_displays(request, bulletin_id: int):
    """Return the proof of display of a bulletin, on the boards you may see."""
    visible = scope.scope(
        Bulletin.objects.filter(pk=bulletin_id),
        request.user,
        Capability.VIEW,
        path_field="issuing_area__path",
    ).exists()
    mine = set(_visible(request).values_list("pk", flat=True))
    result = coverage.displays_for(bulletin_id)
    boards = [b for b in result.boards if b.board_id in mine]
    if not visible and not boards:
        raise ApiError(404, "not_found", _("Nothing here, or it is outside your area."))
    communes: dict[int, coverage.AreaDisplay] = {}
    hamlets: dict[int, coverage.AreaDisplay] = {}
    for row in boards:
        for bucket, key in ((communes, row.commune_id), (hamlets, row.hamlet_id)):
            if key is not None:
                source = result.communes if bucket is communes else result.hamlets
                bucket.setdefault(key, coverage.AreaDisplay(key, source[key].name)).add(
                    row
                )
    return {
        "bulletin_id": bulletin_id,
        "boards": [b.__dict__ for b in boards],
        "communes": [a.__dict__ for a in communes.values()],
        "hamlets": [a.__dict__ for a in hamlets.values()],
        "total_seconds": sum(b.total_seconds for b in boards),
    }
