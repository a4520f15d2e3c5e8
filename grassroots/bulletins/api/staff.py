"""Staff reading (console login): the bulletins in the user's scope."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from grassroots.accounts import scope
from grassroots.accounts.api_auth import STAFF
from grassroots.accounts.roles import Capability
from grassroots.api import ApiError

from .. import search
from ..models import Bulletin, Level, Status
from ..schemas import BulletinOut, PageOut, bulletin_out, page_links

router = Router()


class StaffBulletinOut(BulletinOut):
    pk: int
    status: Status
    author: str | None
    approved_by: str | None
    external_id: str
    peer: str | None


class StaffPage(PageOut):
    results: list[StaffBulletinOut]


def _staff_out(request, bulletin: Bulletin) -> dict:
    return {
        **bulletin_out(request, bulletin),
        "pk": bulletin.pk,
        "status": bulletin.status,
        "author": str(bulletin.author) if bulletin.author else None,
        "approved_by": str(bulletin.approved_by) if bulletin.approved_by else None,
        "external_id": bulletin.external_id,
        "peer": bulletin.peer.name if bulletin.peer else None,
    }


def _visible(request):
    return scope.scope(
        Bulletin.objects.select_related(
            "category", "issuing_area", "author", "approved_by", "peer"
        ),
        request.user,
        Capability.VIEW,
        path_field="issuing_area__path",
    )


class StaffFilters(Schema):
    status: Status | None = None
    level: Level | None = None
    category: str | None = Field(None, max_length=60)
    area: str | None = Field(None, max_length=120, description="Issuing area path")
    q: str | None = Field(None, max_length=200)
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/", response=StaffPage, auth=STAFF, summary="Bulletins in your scope")
def list_bulletins(request, filters: Query[StaffFilters]):
    """Return the bulletins issued in the areas you may see, newest first."""
    f = filters
    queryset = _visible(request)
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.level:
        queryset = queryset.filter(level=f.level)
    if f.category:
        queryset = queryset.filter(category__slug=f.category)
    if f.area:
        queryset = queryset.filter(issuing_area__path__under=f.area.strip("/") + "/")
    queryset = queryset.prefetch_related("target_areas", "attachments")
    if f.q:
        results = search.search(queryset, f.q)
    else:
        results = queryset.order_by("-updated_at", "-pk")
    paginator = search.CappedPaginator(results, f.page_size)
    number = min(f.page, max(paginator.num_pages, 1))
    nxt, prev = page_links(request, number, paginator.num_pages)
    return {
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
        "page_size": f.page_size,
        "next": nxt,
        "previous": prev,
        "results": [_staff_out(request, b) for b in paginator.page(number).object_list],
    }


@router.get("/{int:pk}", response=StaffBulletinOut, auth=STAFF, summary="One bulletin")
def get_bulletin(request, pk: int):
    bulletin = _visible(request).filter(pk=pk).first()
    if bulletin is None:
        raise ApiError(404, "not_found", _("Nothing here, or it is outside your area."))
    return _staff_out(request, bulletin)
