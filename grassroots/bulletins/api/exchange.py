"""Exchange with peer systems: push in by their identifier, pull out, withdraw."""

from __future__ import annotations

import base64
import binascii
import io
import re
from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from grassroots.accounts import audit
from grassroots.api import ApiError
from grassroots.areas.models import Area
from grassroots.core import inputs

from .. import actions, files, public
from ..models import Bulletin, Category, Channel, Level, Status
from ..schemas import BulletinOut, PageOut, bulletin_out, page_links
from .auth import PEER_AUTH

router = Router(auth=PEER_AUTH)

#: Most attachments accepted in one push (the request body limit of the web
#: server applies first).
MAX_ATTACHMENTS = 10


class AttachmentIn(Schema):
    filename: str = Field(max_length=200)
    title: str = Field("", max_length=200)
    content_base64: str = Field(description="The file, base64-encoded")


class BulletinIn(Schema):
    title: str = Field(min_length=1, max_length=255)
    summary: str = Field("", max_length=1000)
    body: str = Field("", max_length=200_000, description="HTML; sanitised on arrival")
    category: str = Field(max_length=60, description="Category key, e.g. thien-tai")
    level: Level = Level.NORMAL
    issuing_area: str = Field(max_length=120, description="Area path, e.g. 82")
    issuing_agency: str = Field("", max_length=255)
    source_reference: str = Field("", max_length=120)
    valid_from: inputs.DateTime | None = None
    valid_until: inputs.DateTime | None = None
    target_areas: list[str] = Field(default_factory=list, max_length=500)
    channels: list[Channel] = Field(default_factory=lambda: list(Channel))
    essential: bool = True
    updated_at: inputs.DateTime | None = Field(
        None, description="When the peer last changed it; older versions are refused"
    )
    attachments: list[AttachmentIn] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS
    )


class ExchangeOut(Schema):
    id: UUID
    external_id: str
    status: Status
    outcome: str = Field(description="created, updated or unchanged")
    url: str | None


class WithdrawIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class ExchangeBulletinOut(BulletinOut):
    status: Status
    external_id: str | None = Field(None, description="Your identifier, if you sent it")
    withdrawal_reason: str


class ExchangePage(PageOut):
    results: list[ExchangeBulletinOut]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _area(path: str, field: str) -> Area:
    area = public.area_by_path(path)
    if area is None:
        raise ApiError(
            422,
            "unknown_area",
            _("There is no area “%(path)s”.") % {"path": path},
            field=field,
        )
    return area


def _content(data: BulletinIn) -> actions.BulletinContent:
    category = Category.objects.filter(slug=data.category, is_active=True).first()
    if category is None:
        raise ApiError(
            422,
            "unknown_category",
            _("There is no category “%(slug)s”.") % {"slug": data.category},
            field="category",
        )
    attachments = []
    for index, item in enumerate(data.attachments):
        try:
            raw = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(
                422,
                "invalid_attachment",
                _("Attachment %(n)d is not valid base64.") % {"n": index + 1},
                field=f"attachments.{index}",
            ) from None
        try:
            prepared = files.prepare(io.BytesIO(raw), item.filename, len(raw))
        except ValidationError as exc:
            raise ApiError(
                422,
                "invalid_attachment",
                " ".join(exc.messages),
                field=f"attachments.{index}",
            ) from None
        attachments.append((prepared, item.title))
    return actions.BulletinContent(
        title=data.title,
        summary=data.summary,
        body=data.body,
        category=category,
        level=data.level,
        issuing_area=_area(data.issuing_area, "issuing_area"),
        issuing_agency=data.issuing_agency,
        source_reference=data.source_reference,
        valid_from=_aware(data.valid_from),
        valid_until=_aware(data.valid_until),
        target_areas=[_area(p, "target_areas") for p in data.target_areas],
        channels=list(data.channels),
        is_essential=data.essential,
        attachments=attachments,
    )


EXTERNAL_ID = r"[A-Za-z0-9._:-]{1,200}"


@router.put(
    "/{external_id}",
    response={200: ExchangeOut, 201: ExchangeOut},
    summary="Send a bulletin in (create or update by your identifier)",
)
def push_bulletin(request, external_id: str, data: BulletinIn):
    """Create the bulletin, or update it if this identifier was sent before.

    Sending the same content again changes nothing (``unchanged``); a version
    with an older ``updated_at`` than the one held is refused with 409.
    """
    if not re.fullmatch(EXTERNAL_ID, external_id):
        raise ApiError(
            422,
            "invalid_external_id",
            _("Identifiers may hold letters, digits and . _ : - (at most 200)."),
        )
    peer = request.peer
    content = _content(data)
    with audit.acting_as(
        audit.Origin(ip_address=audit.client_ip(request), source="api")
    ):
        try:
            bulletin, outcome = actions.receive(
                peer, external_id, content, changed_at=_aware(data.updated_at)
            )
        except ValidationError as exc:
            stale = _("A newer version of this bulletin was already received.")
            if stale in exc.messages:
                raise ApiError(409, "stale_version", stale) from None
            raise
    status = 201 if outcome == "created" else 200
    return HttpStatus(
        status,
        {
            "id": bulletin.uid,
            "external_id": external_id,
            "status": bulletin.status,
            "outcome": outcome,
            "url": request.build_absolute_uri(bulletin.get_absolute_url())
            if bulletin.is_public
            else None,
        },
    )


@router.get(
    "/{external_id}",
    response=ExchangeBulletinOut,
    summary="A bulletin you sent, by your identifier",
)
def get_sent_bulletin(request, external_id: str):
    bulletin = (
        Bulletin.objects.select_related("category", "issuing_area", "peer")
        .filter(peer=request.peer, external_id=external_id)
        .first()
    )
    if bulletin is None:
        raise ApiError(
            404, "not_found", _("You sent no bulletin with this identifier.")
        )
    return _exchange_out(request, bulletin)


@router.delete(
    "/{external_id}",
    response=ExchangeOut,
    summary="Withdraw a bulletin you sent",
)
def withdraw_bulletin(request, external_id: str, data: WithdrawIn):
    bulletin = Bulletin.objects.filter(
        peer=request.peer, external_id=external_id
    ).first()
    if bulletin is None:
        raise ApiError(
            404, "not_found", _("You sent no bulletin with this identifier.")
        )
    with audit.acting_as(
        audit.Origin(ip_address=audit.client_ip(request), source="api")
    ):
        bulletin = actions.withdraw(
            None, bulletin, reason=data.reason, peer=request.peer
        )
    return {
        "id": bulletin.uid,
        "external_id": external_id,
        "status": bulletin.status,
        "outcome": "withdrawn",
        "url": None,
    }


def _peer_view(request):
    peer = request.peer
    if not peer.can_pull:
        raise ApiError(403, "forbidden", _("This system may not read bulletins."))
    mine = Q(issuing_area__path__under=peer.area.path)
    meant = Q(pk__in=public.relevant_to(Bulletin.objects.all(), peer.area).values("pk"))
    return (
        Bulletin.objects.filter(first_published_at__isnull=False)
        .filter(mine | meant)
        .select_related("category", "issuing_area", "peer")
    )


def _exchange_out(request, bulletin: Bulletin) -> dict:
    return {
        **bulletin_out(request, bulletin),
        "status": bulletin.status,
        "external_id": bulletin.external_id
        if bulletin.peer_id == request.peer.pk
        else None,
        "withdrawal_reason": bulletin.withdrawal_reason,
    }


class PullFilters(Schema):
    updated_since: inputs.DateTime | None = Field(
        None, description="Only those changed since (ISO 8601); withdrawn ones included"
    )
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


@router.get(
    "/",
    response=ExchangePage,
    summary="Pull bulletins that were published in your area",
)
def pull_bulletins(request, filters: Query[PullFilters]):
    """Return published bulletins, and (with ``updated_since``) withdrawn or expired ones."""
    updated_since = filters.updated_since
    page, page_size = filters.page, filters.page_size
    queryset = _peer_view(request)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=_aware(updated_since))
    else:
        queryset = queryset.filter(status=Status.PUBLISHED)
    queryset = queryset.order_by("updated_at", "pk").prefetch_related(
        "target_areas", "attachments"
    )
    paginator = Paginator(queryset, page_size)
    number = min(page, max(paginator.num_pages, 1))
    nxt, prev = page_links(request, number, paginator.num_pages)
    return {
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
        "page_size": page_size,
        "next": nxt,
        "previous": prev,
        "results": [
            _exchange_out(request, b) for b in paginator.page(number).object_list
        ],
    }


@router.get(
    "/id/{uuid:id}",
    response=ExchangeBulletinOut,
    summary="One bulletin by its stable identifier",
)
def pull_bulletin(request, id: UUID):
    bulletin = _peer_view(request).filter(uid=id).first()
    if bulletin is None:
        raise ApiError(404, "not_found", _("Nothing here, or it is outside your area."))
    return _exchange_out(request, bulletin)
