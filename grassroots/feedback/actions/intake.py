"""Intake: one path for the web form, Open311 clients and staff recording calls."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.core import images

from .. import codes, duplicates, messages, routing, workdays
from ..abuse import CheckedFile
from ..models import (
    ApiClient,
    Attachment,
    AttachmentKind,
    Category,
    Channel,
    Event,
    EventKind,
    Feedback,
    Status,
)
from ..models.feedback import OFFLINE_CHANNELS

logger = logging.getLogger(__name__)


@dataclass
class Submission:
    """Validated input of one piece of feedback, from whichever channel."""

    category: Category
    description: str
    channel: str = Channel.WEB
    place: Area | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    citizen_name: str = ""
    phone: str = ""
    email: str = ""
    consent: bool = False
    files: list[CheckedFile] = field(default_factory=list)
    ip_address: str | None = None
    device_id: str = ""
    api_client: ApiClient | None = None
    media_url: str = ""
    received_at: datetime | None = None


def _save_files(item: Feedback, files: list[CheckedFile], event=None, public=False):
    """Keep the files privately; photos lose their metadata (GPS) first."""
    for checked in files:
        data, content_type = checked.data, checked.content_type
        extension = content_type.split("/")[-1].replace("x-", "")[:5]
        if checked.kind == AttachmentKind.IMAGE:
            try:
                clean = images.without_metadata(data)
            except ValueError:
                # Checked on arrival; should a photo still not re-encode, it is
                # kept as sent, in the private storage only handlers reach.
                logger.warning("Photo of %s kept with its metadata", item.code)
            else:
                data, content_type, extension = (
                    clean.data,
                    clean.content_type,
                    clean.extension,
                )
        attachment = Attachment(
            feedback=item,
            event=event,
            original_name=checked.name,
            content_type=content_type,
            kind=checked.kind,
            size=len(data),
            is_public=public,
        )
        attachment.file.save(f"tep.{extension}", ContentFile(data), save=False)
        attachment.save()


def submit(data: Submission, *, province: Area, actor=None) -> Feedback:
    """Receive one piece of feedback: route it, set its deadline, tell the citizen.

    The caller has validated the input and checked the rate limits; this
    decides where it goes (``routing.route``) and when it is due.
    """
    if not data.category.is_active:
        raise ValidationError(_("This category no longer takes new feedback."))
    for attempt in range(3):
        try:
            return _receive(data, province, actor)
        except IntegrityError:
            # A tracking code drawn twice (about 1 in 10**14): draw again. No
            # savepoint per insert, so the common case costs two round trips less.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _receive(data: Submission, province: Area, actor) -> Feedback:
    now = timezone.now()
    received_at = data.received_at or now
    placement = routing.route(
        province,
        place=data.place,
        latitude=data.latitude,
        longitude=data.longitude,
        address=data.address,
    )
    item = Feedback(
        category=data.category,
        description=data.description,
        channel=data.channel,
        status=Status.RECEIVED,
        area=placement.area,
        place=placement.place,
        latitude=data.latitude,
        longitude=data.longitude,
        address=data.address,
        citizen_name=data.citizen_name,
        phone=data.phone,
        email=data.email,
        consent_at=now if data.consent else None,
        ip_address=data.ip_address,
        device_id=data.device_id,
        api_client=data.api_client,
        media_url=data.media_url,
        recorded_by=actor if data.channel in OFFLINE_CHANNELS else None,
        received_at=received_at,
        due_date=workdays.add_working_days(
            timezone.localtime(received_at).date(), data.category.deadline_days
        ),
    )
    original = duplicates.find_original(item)
    item.possible_duplicate_of = original
    item.code = codes.new_code()
    item.save(force_insert=True)
    Event.objects.create(
        feedback=item,
        at=received_at,
        kind=EventKind.RECEIVED,
        actor=actor if actor is not None and actor.is_authenticated else None,
        status=Status.RECEIVED,
        to_area=placement.area,
        is_public=True,
    )
    if data.files:
        _save_files(item, data.files)
    audit.record(
        "feedback.submit",
        actor,
        item,
        data={
            "channel": item.channel,
            "category": data.category.code,
            "routed": placement.method,
            "duplicate_of": original.code if original else None,
        },
    )
    messages.tell_citizen(item, "received")
    return item


def record_offline(actor, data: Submission, *, province: Area) -> Feedback:
    """Record feedback a citizen gave by phone, in person or by letter."""
    if data.channel not in OFFLINE_CHANNELS:
        raise ValidationError(_("Choose how the citizen gave this feedback."))
    target = data.place or province
    if not scope.can(actor, Capability.HANDLE_FEEDBACK, target):
        raise PermissionDenied(_("You may only record feedback for your own area."))
    now = timezone.now()
    if data.received_at is not None:
        if data.received_at > now + timedelta(minutes=5):
            raise ValidationError(_("The time received cannot be in the future."))
        if data.received_at < now - timedelta(days=60):
            raise ValidationError(_("The time received is more than 60 days ago."))
    return submit(data, province=province, actor=actor)
