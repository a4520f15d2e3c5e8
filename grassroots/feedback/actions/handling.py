"""Handling: assign, forward, answer, close, reopen, merge. Scoped and audited."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.core.sentence_case import mid_sentence

from .. import messages, workdays
from ..abuse import CheckedFile
from ..models import Event, EventKind, Feedback, Status
from ..models.feedback import DONE_STATUSES, OPEN_STATUSES
from .intake import _save_files


def _lock(item: Feedback) -> Feedback:
    """Return the row locked for update, so two handlers cannot race."""
    return (
        Feedback.objects.select_for_update()
        .select_related("area", "category")
        .get(pk=item.pk)
    )


def _require(actor, item: Feedback) -> None:
    if not scope.can(actor, Capability.HANDLE_FEEDBACK, item.area):
        raise PermissionDenied(_("This feedback is handled by another unit."))


def _require_open(item: Feedback) -> None:
    if item.merged_into_id:
        raise ValidationError(_("This feedback was merged into another one."))
    if item.status not in OPEN_STATUSES:
        raise ValidationError(
            _("This feedback is already %(status)s.")
            % {"status": mid_sentence(Status(item.status).label)}
        )


def _event(item: Feedback, kind: str, actor=None, **fields) -> Event:
    return Event.objects.create(
        feedback=item,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        status=item.status,
        **fields,
    )


@transaction.atomic
def assign(actor, item: Feedback, handler) -> Feedback:
    """Give the item to one handler of the responsible unit."""
    item = _lock(item)
    _require(actor, item)
    _require_open(item)
    if not scope.can(handler, Capability.HANDLE_FEEDBACK, item.area):
        raise ValidationError(
            _("%(name)s cannot handle feedback of %(area)s.")
            % {"name": handler, "area": item.area}
        )
    item.assigned_to = handler
    item.assigned_at = timezone.now()
    if item.status == Status.RECEIVED:
        item.status = Status.ASSIGNED
    item.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
    _event(item, EventKind.ASSIGNED, actor, text=str(handler), is_public=True)
    audit.record("feedback.assign", actor, item, data={"handler": handler.pk})
    return item


@transaction.atomic
def reassign(actor, item: Feedback, to_area: Area, reason: str) -> Feedback:
    """Send the item to another unit (wrongly placed, or not its competence).

    The deadline stays: the citizen's wait does not restart because it was
    forwarded.
    """
    item = _lock(item)
    _require(actor, item)
    _require_open(item)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why it goes to another unit."))
    province = item.area if item.area.level == Level.PROVINCE else item.area.parent
    if (
        to_area.level not in (Level.PROVINCE, Level.COMMUNE)
        or not to_area.is_active
        or province is None
        or not to_area.path.startswith(province.path)
    ):
        raise ValidationError(_("Choose a commune or the province."))
    if to_area.pk == item.area_id:
        raise ValidationError(
            _("It is already handled by %(area)s.") % {"area": to_area}
        )
    from_area = item.area
    item.area = to_area
    item.assigned_to = None
    item.assigned_at = None
    item.status = Status.RECEIVED
    item.escalated_at = None
    item.escalated_to = None
    item.save(
        update_fields=[
            "area",
            "assigned_to",
            "assigned_at",
            "status",
            "escalated_at",
            "escalated_to",
            "updated_at",
        ]
    )
    _event(
        item,
        EventKind.REASSIGNED,
        actor,
        from_area=from_area,
        to_area=to_area,
        text=reason,
        is_public=True,
    )
    audit.record(
        "feedback.reassign",
        actor,
        item,
        data={"from": from_area.path, "to": to_area.path, "reason": reason},
    )
    messages.tell_officials(
        item,
        to_area,
        _("Feedback %(code)s was sent to your unit") % {"code": item.display_code},
        _("From %(from)s: %(reason)s") % {"from": from_area, "reason": reason},
    )
    return item


@transaction.atomic
def start(actor, item: Feedback) -> Feedback:
    """Mark the item as being worked on (it shows so to the citizen)."""
    item = _lock(item)
    _require(actor, item)
    _require_open(item)
    if item.status == Status.IN_PROGRESS:
        return item
    item.status = Status.IN_PROGRESS
    if item.assigned_to_id is None and getattr(actor, "is_authenticated", False):
        item.assigned_to = actor
        item.assigned_at = timezone.now()
    item.save(update_fields=["status", "assigned_to", "assigned_at", "updated_at"])
    _event(item, EventKind.STARTED, actor, is_public=True)
    audit.record("feedback.start", actor, item)
    messages.tell_citizen(item, "status")
    return item


@transaction.atomic
def answer(
    actor,
    item: Feedback,
    text: str,
    *,
    public: bool = True,
    files: list[CheckedFile] | None = None,
    close: bool = False,
) -> Feedback:
    """Answer the citizen; a public answer also shows on the tracking page.

    With ``close`` the item is closed in the same step (audited as a close
    too); the citizen gets one message, the answer, not a second one.
    """
    item = _lock(item)
    _require(actor, item)
    _require_open(item)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the answer."))
    now = timezone.now()
    item.status = Status.ANSWERED
    item.answered_at = now
    if public:
        item.public_answer = text
    if item.assigned_to_id is None and getattr(actor, "is_authenticated", False):
        item.assigned_to = actor
        item.assigned_at = now
    item.save(
        update_fields=[
            "status",
            "answered_at",
            "public_answer",
            "assigned_to",
            "assigned_at",
            "updated_at",
        ]
    )
    event = _event(item, EventKind.ANSWERED, actor, text=text, is_public=public)
    if files:
        _save_files(item, files, event=event, public=public)
    audit.record(
        "feedback.answer",
        actor,
        item,
        data={"public": public, "on_time": item.answered_on_time()},
    )
    if close:
        item.status = Status.CLOSED
        item.closed_at = now
        item.save(update_fields=["status", "closed_at", "updated_at"])
        _event(item, EventKind.CLOSED, actor, is_public=True)
        audit.record("feedback.close", actor, item, data={"reason": ""})
    messages.tell_citizen(item, "answered", text)
    return item


@transaction.atomic
def add_note(
    actor, item: Feedback, text: str, files: list[CheckedFile] | None = None
) -> Event:
    """Add an internal note that the citizen never sees."""
    item = _lock(item)
    _require(actor, item)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the note."))
    event = _event(item, EventKind.NOTE, actor, text=text, is_public=False)
    if files:
        _save_files(item, files, event=event, public=False)
    audit.record("feedback.note", actor, item)
    return event


@transaction.atomic
def close(actor, item: Feedback, reason: str = "") -> Feedback:
    """Close an answered item, or an open one with a reason (spam, withdrawn)."""
    item = _lock(item)
    _require(actor, item)
    if item.status == Status.CLOSED:
        raise ValidationError(_("This feedback is already closed."))
    reason = (reason or "").strip()
    if item.status != Status.ANSWERED and not reason:
        raise ValidationError(_("Say why it is closed without an answer."))
    item.status = Status.CLOSED
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "closed_at", "updated_at"])
    _event(item, EventKind.CLOSED, actor, text=reason, is_public=True)
    audit.record("feedback.close", actor, item, data={"reason": reason})
    messages.tell_citizen(item, "status", reason)
    return item


def can_reopen(item: Feedback, now=None) -> bool:
    """Return True if the citizen may still reopen the item (in time, not too often)."""
    if item.status not in DONE_STATUSES or item.merged_into_id:
        return False
    if (
        item.events.filter(kind=EventKind.REOPENED).count()
        >= settings.GRASSROOTS_FEEDBACK_MAX_REOPENS
    ):
        return False
    since = item.answered_at or item.closed_at
    if since is None:
        return False
    now = now or timezone.now()
    return now - since <= timedelta(days=settings.GRASSROOTS_FEEDBACK_REOPEN_DAYS)


@transaction.atomic
def reopen(item: Feedback, reason: str) -> Feedback:
    """Reopen at the citizen's request (by tracking code) within the allowed time.

    The item goes back to its unit with a new deadline, and counts as not
    handled until it is answered again.
    """
    item = _lock(item)
    if not can_reopen(item):
        raise ValidationError(
            _("This feedback can no longer be reopened. Send a new one instead.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say what is still wrong."))
    now = timezone.now()
    item.status = Status.IN_PROGRESS if item.assigned_to_id else Status.RECEIVED
    item.reopened_at = now
    item.answered_at = None
    item.closed_at = None
    item.warned_at = None
    item.escalated_at = None
    item.escalated_to = None
    item.due_date = workdays.add_working_days(
        timezone.localdate(now), item.category.deadline_days
    )
    item.save()
    _event(item, EventKind.REOPENED, None, text=reason, is_public=True)
    audit.record("feedback.reopen", "citizen", item, data={"reason": reason})
    messages.tell_officials(
        item,
        item.area,
        _("Feedback %(code)s was reopened by the citizen")
        % {"code": item.display_code},
        reason,
    )
    return item


@transaction.atomic
def merge(actor, duplicate: Feedback, original: Feedback) -> Feedback:
    """Close ``duplicate`` as a repeat of ``original``; its citizen follows the original."""
    duplicate = _lock(duplicate)
    original = _lock(original)
    _require(actor, duplicate)
    _require(actor, original)
    if duplicate.pk == original.pk or original.merged_into_id:
        raise ValidationError(_("Choose the first report of the problem."))
    if duplicate.merged_into_id:
        raise ValidationError(_("This feedback was already merged."))
    now = timezone.now()
    duplicate.merged_into = original
    duplicate.status = Status.CLOSED
    duplicate.closed_at = now
    duplicate.save(update_fields=["merged_into", "status", "closed_at", "updated_at"])
    # Repeats of the duplicate now point at the original.
    Feedback.objects.filter(possible_duplicate_of=duplicate).update(
        possible_duplicate_of=original
    )
    _event(duplicate, EventKind.MERGED, actor, is_public=True)
    _event(
        original,
        EventKind.MERGED,
        actor,
        text=_("%(code)s merged into this one") % {"code": duplicate.display_code},
    )
    audit.record("feedback.merge", actor, duplicate, data={"into": original.code})
    messages.tell_citizen(duplicate, "merged")
    return duplicate


@transaction.atomic
def not_duplicate(actor, item: Feedback) -> Feedback:
    """Clear the "likely duplicate" mark after a look."""
    item = _lock(item)
    _require(actor, item)
    if item.possible_duplicate_of_id is None:
        return item
    item.possible_duplicate_of = None
    item.save(update_fields=["possible_duplicate_of", "updated_at"])
    _event(item, EventKind.NOT_DUPLICATE, actor)
    audit.record("feedback.not_duplicate", actor, item)
    return item


@transaction.atomic
def set_portal_visibility(actor, item: Feedback, show: bool) -> Feedback:
    """Show the item (without personal data) on the portal, or hide it."""
    item = _lock(item)
    _require(actor, item)
    if show and not item.public_answer:
        raise ValidationError(_("Only feedback with a public answer can be published."))
    if item.show_on_portal == show:
        return item
    item.show_on_portal = show
    item.save(update_fields=["show_on_portal", "updated_at"])
    _event(item, EventKind.VISIBILITY, actor, text="on" if show else "off")
    audit.record("feedback.portal", actor, item, data={"show": show})
    return item
