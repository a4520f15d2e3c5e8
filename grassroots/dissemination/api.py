"""The dissemination API (``/api/v1/dissemination/``): coverage of bulletins, for staff.

Staff log in to the console (session), as for the boards' API. Everything
is narrowed by the scope rule: a bulletin outside the user's area is a 404,
and a report lists only the hamlets, clusters and boards inside it.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from grassroots.accounts import scope
from grassroots.accounts.api_auth import STAFF
from grassroots.accounts.roles import Capability
from grassroots.api import ApiError
from grassroots.core import inputs

from . import access, report, summary

router = Router(tags=["dissemination"])


class ReachFilters(Schema):
    q: str = Field("", max_length=200, description="Words of the title")
    essential: bool | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: inputs.Offset = 0


class BulletinSummaryOut(Schema):
    id: int
    title: str
    essential: bool
    published_at: datetime.datetime | None
    hamlets_heard: int
    hamlets_targeted: int


class ReachPage(Schema):
    count: int
    results: list[BulletinSummaryOut]


class HamletOut(Schema):
    id: int
    name: str
    path: str
    commune: str
    targeted: bool
    heard: bool
    times_played: int
    clusters_heard: int
    clusters_targeted: int
    first_heard_at: datetime.datetime | None
    last_heard_at: datetime.datetime | None
    boards: int


class ClusterReachOut(Schema):
    id: int
    code: str
    name: str
    area: str
    area_path: str
    outcome: str = Field(description="played, failed, offline or pending")
    times_played: int
    first_heard_at: datetime.datetime | None
    last_heard_at: datetime.datetime | None
    failure: str = Field(description="failed or preempted (the last failure), or empty")
    failure_reason: str
    last_failed_at: datetime.datetime | None
    online: bool
    offline_since: datetime.datetime | None
    last_seen_at: datetime.datetime | None


class BoardReachOut(Schema):
    id: int
    code: str
    name: str
    area: str
    first_shown_at: datetime.datetime
    last_shown_at: datetime.datetime
    total_seconds: float


class ReportOut(Schema):
    bulletin_id: int
    title: str
    essential: bool
    published_at: datetime.datetime | None
    hamlets_heard: int
    hamlets_targeted: int
    times_played: int
    pushes_reached: int = Field(description="Phones the citizen app's push reached")
    hamlets: list[HamletOut]
    clusters: list[ClusterReachOut]
    boards: list[BoardReachOut]


@router.get(
    "/bulletins/",
    response=ReachPage,
    auth=STAFF,
    summary="Published bulletins in your scope, with how many hamlets heard each",
)
def list_bulletins(request, filters: Query[ReachFilters]):
    bulletins = access.visible(request.user).order_by("-first_published_at", "-pk")
    if filters.q.strip():
        bulletins = bulletins.filter(title__icontains=filters.q.strip())
    if filters.essential is not None:
        bulletins = bulletins.filter(is_essential=filters.essential)
    roots = scope.roots(request.user, Capability.VIEW)
    page = list(bulletins[filters.offset : filters.offset + filters.limit])
    results = []
    for bulletin in page:
        heard = summary.hamlets_heard(bulletin, roots)
        results.append(
            {
                "id": bulletin.pk,
                "title": bulletin.title,
                "essential": bulletin.is_essential,
                "published_at": bulletin.first_published_at,
                "hamlets_heard": heard.heard,
                "hamlets_targeted": heard.targeted,
            }
        )
    return {"count": bulletins.count(), "results": results}


@router.get(
    "/bulletins/{int:bulletin_id}",
    response=ReportOut,
    auth=STAFF,
    summary="The dissemination report of a bulletin",
)
def bulletin_report(request, bulletin_id: int):
    """Return which hamlets heard the bulletin and what each targeted cluster did."""
    try:
        bulletin = access.get_visible(request.user, bulletin_id)
    except Http404:
        raise ApiError(
            404, "not_found", _("Nothing here, or it is outside your area.")
        ) from None
    result = report.build(bulletin, scope.roots(request.user, Capability.VIEW))
    return {
        "bulletin_id": bulletin.pk,
        "title": bulletin.title,
        "essential": bulletin.is_essential,
        "published_at": bulletin.first_published_at,
        "hamlets_heard": result.hamlets_heard,
        "hamlets_targeted": result.hamlets_targeted,
        "times_played": result.times_played,
        "pushes_reached": result.pushes_reached,
        "hamlets": [
            {
                "id": h.area_id,
                "name": h.name,
                "path": h.path,
                "commune": h.commune,
                "targeted": h.targeted,
                "heard": h.heard,
                "times_played": h.finished,
                "clusters_heard": h.clusters_heard,
                "clusters_targeted": h.clusters_targeted,
                "first_heard_at": h.first_heard_at,
                "last_heard_at": h.last_heard_at,
                "boards": h.boards,
            }
            for h in result.hamlets
        ],
        "clusters": [
            {
                "id": c.cluster_id,
                "code": c.code,
                "name": c.name,
                "area": c.area_name,
                "area_path": c.area_path,
                "outcome": c.outcome,
                "times_played": c.finished,
                "first_heard_at": c.first_heard_at,
                "last_heard_at": c.last_heard_at,
                "failure": c.failure,
                "failure_reason": c.failure_reason,
                "last_failed_at": c.last_failed_at,
                "online": c.online,
                "offline_since": c.offline_since,
                "last_seen_at": c.last_seen_at,
            }
            for c in result.clusters
        ],
        "boards": [
            {
                "id": b.board_id,
                "code": b.code,
                "name": b.name,
                "area": b.area_name,
                "first_shown_at": b.first_shown_at,
                "last_shown_at": b.last_shown_at,
                "total_seconds": b.total_seconds,
            }
            for b in result.boards
        ],
    }
