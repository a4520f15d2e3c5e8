"""The public JSON API (``/api/v1/public/``): what the portal shows, as data.

No login. Answers are paginated, cached like the portal's pages, and carry an
ETag: a client sending ``If-None-Match`` gets 304 when nothing changed.
"""

from __future__ import annotations

import json
from uuid import UUID

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from grassroots.api import ApiError
from grassroots.bulletins import public, search
from grassroots.bulletins.models import Bulletin, Category, Level
from grassroots.bulletins.schemas import (
    BulletinOut,
    BulletinPage,
    CategoryOut,
    bulletin_out,
    page_links,
)
from grassroots.core import inputs

from . import cache as portal_cache

router = Router(tags=["public"])


def _cached_json(request: HttpRequest, build) -> HttpResponse:
    key = portal_cache.page_key(request, namespace="api")
    hit = cache.get(key)
    if hit is None:
        body = json.dumps(build(), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        hit = (body, portal_cache.etag_for(body))
        cache.set(key, hit, portal_cache.PAGE_TTL_S)
    body, etag = hit
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return portal_cache.finish(request, response, etag)


class PublicFilters(Schema):
    area: str | None = Field(
        None, description="Area path, e.g. 82/28261", max_length=120
    )
    category: str | None = Field(None, description="Category key", max_length=60)
    level: Level | None = None
    q: str | None = Field(
        None, description="Words, with or without diacritics", max_length=200
    )
    since: inputs.Date | None = Field(
        None, description="Published on or after (YYYY-MM-DD)"
    )
    until: inputs.Date | None = Field(
        None, description="Published on or before (YYYY-MM-DD)"
    )
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


@router.get(
    "/bulletins",
    response=BulletinPage,
    summary="Bulletins in force, newest and most urgent first",
)
def list_bulletins(request, filters: Query[PublicFilters]):
    """Return one page of public bulletins, filtered; 304 if the ETag matches."""
    area, category, page, page_size = (
        filters.area,
        filters.category,
        filters.page,
        filters.page_size,
    )
    place = None
    if area:
        place = public.area_by_path(area)
        if place is None:
            raise ApiError(404, "unknown_area", _("There is no such area."))
    kind = None
    if category:
        kind = Category.objects.filter(slug=category).first()
        if kind is None:
            raise ApiError(400, "unknown_category", _("There is no such category."))

    def build():
        queryset = public.filtered(
            public.bulletins().prefetch_related("target_areas", "attachments"),
            area=place,
            category=kind,
            level=filters.level,
            since=filters.since,
            until=filters.until,
            query=filters.q or "",
        )
        paginator = search.CappedPaginator(queryset, page_size)
        number = min(page, max(paginator.num_pages, 1))
        current = paginator.page(number)
        nxt, prev = page_links(request, number, paginator.num_pages)
        return {
            "count": paginator.count,
            "page": number,
            "pages": paginator.num_pages,
            "page_size": page_size,
            "next": nxt,
            "previous": prev,
            "results": [bulletin_out(request, b) for b in current.object_list],
        }

    return _cached_json(request, build)


@router.get("/bulletins/{id}", response=BulletinOut, summary="One public bulletin")
def get_bulletin(request, id: UUID):
    """Return a bulletin in force by its identifier; 410 once withdrawn or expired."""

    def build():
        bulletin = (
            Bulletin.objects.select_related("category", "issuing_area")
            .filter(uid=id, first_published_at__isnull=False)
            .first()
        )
        if bulletin is None:
            raise ApiError(404, "not_found", _("There is no such bulletin."))
        if not bulletin.is_public:
            raise ApiError(
                410, "no_longer_in_force", _("This bulletin is no longer in force.")
            )
        return bulletin_out(request, bulletin)

    return _cached_json(request, build)


@router.get("/categories", response=list[CategoryOut], summary="Bulletin categories")
def list_categories(request):
    return _cached_json(
        request,
        lambda: [
            {"slug": c.slug, "name": c.name, "is_emergency": c.is_emergency}
            for c in Category.objects.active()
        ],
    )
