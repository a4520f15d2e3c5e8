"""JSON shapes of bulletins, shared by the public API and the exchange API."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.urls import reverse
from ninja import Field, Schema

from .models import Attachment, Bulletin, Channel, Level


class CategoryOut(Schema):
    slug: str
    name: str
    is_emergency: bool


class AreaRef(Schema):
    path: str = Field(description="Codes from the province down, e.g. 82/28261")
    name: str
    level: int = Field(description="1 province, 2 district, 3 commune, 4 hamlet")


class AttachmentOut(Schema):
    kind: str = Field(description="audio, image, video or document")
    title: str
    content_type: str
    size: int
    url: str
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None


class BulletinOut(Schema):
    id: UUID = Field(description="Stable identifier of the bulletin")
    url: str = Field(description="Its page on the public portal")
    title: str
    summary: str
    body_html: str
    category: CategoryOut
    level: Level
    essential: bool
    issuing_area: AreaRef
    issuing_agency: str
    source_reference: str
    valid_from: datetime
    valid_until: datetime | None
    published_at: datetime | None
    updated_at: datetime | None
    target_areas: list[AreaRef]
    channels: list[Channel]
    attachments: list[AttachmentOut]


class PageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None


class BulletinPage(PageOut):
    results: list[BulletinOut]


def area_ref(area) -> dict:
    return {"path": area.url_path, "name": area.name, "level": area.level}


def attachment_out(request, bulletin: Bulletin, attachment: Attachment) -> dict:
    url = reverse("portal:attachment", args=[bulletin.pk, attachment.pk])
    return {
        "kind": attachment.kind,
        "title": attachment.label,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": request.build_absolute_uri(url),
        "duration_s": attachment.duration_s,
        "width": attachment.width,
        "height": attachment.height,
    }


def bulletin_out(request, bulletin: Bulletin) -> dict:
    """Return the public JSON of a bulletin (its live content)."""
    return {
        "id": str(bulletin.uid),
        "url": request.build_absolute_uri(bulletin.get_absolute_url()),
        "title": bulletin.title,
        "summary": bulletin.summary,
        "body_html": bulletin.body,
        "category": {
            "slug": bulletin.category.slug,
            "name": bulletin.category.name,
            "is_emergency": bulletin.category.is_emergency,
        },
        "level": bulletin.level,
        "essential": bulletin.is_essential,
        "issuing_area": area_ref(bulletin.issuing_area),
        "issuing_agency": bulletin.issuing_agency,
        "source_reference": bulletin.source_reference,
        "valid_from": bulletin.valid_from,
        "valid_until": bulletin.valid_until,
        "published_at": bulletin.first_published_at,
        "updated_at": bulletin.last_published_at,
        "target_areas": [area_ref(a) for a in bulletin.target_areas.all()],
        "channels": bulletin.channels,
        "attachments": [
            attachment_out(request, bulletin, a) for a in bulletin.attachments.all()
        ],
    }


def page_links(request, page_number: int, pages: int) -> tuple[str | None, str | None]:
    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    nxt = link(page_number + 1) if page_number < pages else None
    prev = link(page_number - 1) if page_number > 1 else None
    return nxt, prev
