"""A bulletin's way out: submit, approve or return, publish, withdraw, expire.

Approval runs on Wagtail's workflow (``WorkflowState``/``TaskState``): these
actions check our rules, call Wagtail to move the workflow, then keep the
user-visible ``status``, the audit log, the cascade inbox and the channels in
step. Publishing happens when the workflow finishes
(``WAGTAIL_FINISH_WORKFLOW_ACTION`` points at :func:`finish_workflow`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.unpublish import UnpublishAction
from wagtail.models import Revision, TaskState, WorkflowState

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor

from .. import channels, rules
from ..channels import ChannelEvent, Event
from ..models import Bulletin, Channel, PeerSystem, Status
from . import cascade, notify

logger = logging.getLogger(__name__)


def _set_status(bulletin: Bulletin, status: str, **extra: Any) -> None:
    now = timezone.now()
    fields = {"status": status, "status_changed_at": now, "updated_at": now, **extra}
    Bulletin.objects.filter(pk=bulletin.pk).update(**fields)
    for name, value in fields.items():
        setattr(bulletin, name, value)


def _fresh(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_related("issuing_area").get(pk=bulletin.pk)


def _event(bulletin: Bulletin, event: str, revision_id: int | None) -> ChannelEvent:
    communes = tuple(c.pk for c in cascade.communes_reached(bulletin))
    return ChannelEvent(
        event=event,
        bulletin_id=bulletin.pk,
        level=bulletin.level,
        commune_ids=communes,
        target_area_ids=tuple(a.pk for a in bulletin.target_areas.all()),
        revision_id=revision_id,
        channels=tuple(bulletin.channels),
    )


def _actor(user: Actor, peer: PeerSystem | None) -> Any:
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return f"peer:{peer.name}" if peer else None


@transaction.atomic
def submit(
    actor: Actor, bulletin: Bulletin, *, peer: PeerSystem | None = None
) -> WorkflowState:
    """Send the newest version for approval (or back, after changes were asked)."""
    bulletin = _fresh(bulletin)
    if peer is None:
        rules.require(rules.writing_refusal(actor, bulletin.issuing_area))
    workflow = bulletin.get_workflow()
    if workflow is None:
        raise ValidationError(
            _("No approval workflow is set up for bulletins; ask an administrator.")
        )
    latest = bulletin.get_latest_revision_as_object()
    if latest.valid_until is not None and latest.valid_until <= timezone.now():
        raise ValidationError(
            _("Its validity has already ended; change “valid until” first.")
        )
    state = bulletin.current_workflow_state
    user = actor if getattr(actor, "is_authenticated", False) else None
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        raise ValidationError(_("This bulletin is already awaiting approval."))
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
        state.refresh_from_db()
    else:
        state = workflow.start(bulletin, user)
    if not bulletin.live:
        _set_status(bulletin, Status.SUBMITTED)
    notify.approvers_of(bulletin, submitted_by=user)
    revision = bulletin.get_latest_revision()
    audit.record(
        "bulletin.submit",
        _actor(actor, peer),
        bulletin,
        data={"revision": revision.pk if revision else None},
    )
    return state


@transaction.atomic
def cancel_submission(actor: Actor, bulletin: Bulletin) -> None:
    """Take a bulletin back from approval, to change it further."""
    bulletin = _fresh(bulletin)
    state = bulletin.current_workflow_state
    if state is None:
        raise ValidationError(_("This bulletin is not awaiting approval."))
    if rules.writing_refusal(actor, bulletin.issuing_area) is not None:
        rules.require(rules.withdrawal_refusal(actor, bulletin))
    state.cancel(user=actor)
    if not bulletin.live and bulletin.status in (Status.SUBMITTED, Status.RETURNED):
        _set_status(bulletin, Status.DRAFT)
    audit.record("bulletin.cancel_submission", actor, bulletin)


def _task_state(bulletin: Bulletin, task_state: TaskState | None) -> TaskState:
    state = bulletin.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
        raise ValidationError(_("This bulletin is not awaiting approval."))
    current = state.current_task_state
    if task_state is not None and (current is None or task_state.pk != current.pk):
        # A task state of another bulletin, or an old one: refuse, never guess.
        raise PermissionDenied(_("This approval step is not the current one."))
    return current.specific


@transaction.atomic
def approve(
    actor: Actor,
    bulletin: Bulletin,
    *,
    comment: str = "",
    task_state: TaskState | None = None,
) -> Bulletin:
    """Approve the version under review; the last approval publishes it."""
    bulletin = _fresh(bulletin)
    current = _task_state(bulletin, task_state)
    submitted_by = current.workflow_state.requested_by_id
    latest = bulletin.get_latest_revision_as_object()
    for version in (bulletin, latest):
        rules.require(
            rules.approval_refusal(actor, version, submitted_by_id=submitted_by)
        )
    if latest.valid_until is not None and latest.valid_until <= timezone.now():
        raise ValidationError(
            _("Its validity ended before approval; return it for new dates.")
        )
    now = timezone.now()
    Bulletin.objects.filter(pk=bulletin.pk).update(approved_by=actor, approved_at=now)
    audit.record(
        "bulletin.approve",
        actor,
        bulletin,
        data={"comment": comment, "revision": current.revision_id},
    )
    current.approve(user=actor, comment=comment)
    return _fresh(bulletin)


@transaction.atomic
def return_for_changes(
    actor: Actor,
    bulletin: Bulletin,
    *,
    comment: str,
    task_state: TaskState | None = None,
) -> Bulletin:
    """Send the bulletin back to its author, saying what should change."""
    bulletin = _fresh(bulletin)
    current = _task_state(bulletin, task_state)
    rules.require(
        rules.approval_refusal(
            actor, bulletin, submitted_by_id=current.workflow_state.requested_by_id
        )
    )
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what should change, so the author can fix it."))
    current.reject(user=actor, comment=comment)
    if not bulletin.live:
        _set_status(bulletin, Status.RETURNED)
    audit.record(
        "bulletin.return",
        actor,
        bulletin,
        data={"comment": comment, "revision": current.revision_id},
    )
    return _fresh(bulletin)


def finish_workflow(workflow_state: WorkflowState, user: Actor = None) -> None:
    """Publish what the workflow approved (``WAGTAIL_FINISH_WORKFLOW_ACTION``)."""
    if workflow_state.base_content_type.model_class() is not Bulletin:
        from wagtail.workflows import publish_workflow_state

        publish_workflow_state(workflow_state, user=user)
        return
    bulletin = Bulletin.objects.get(pk=workflow_state.object_id)
    if bulletin.approved_by_id is None:
        # Someone added another kind of task to the bulletin workflow: it
        # must still pass an approver of the issuing area.
        raise PermissionDenied(
            _("A bulletin must be approved by an approver of its issuing area.")
        )
    publish_revision(bulletin, bulletin.get_latest_revision(), actor=user)


@transaction.atomic
def publish_revision(
    bulletin: Bulletin, revision: Revision, *, actor: Actor = None
) -> Bulletin:
    """Make an approved revision public now, or schedule it for its "valid from"."""
    was_public = bulletin.live and bulletin.status == Status.PUBLISHED
    channels_before = set(bulletin.channels) if was_public else set()
    revision.publish(user=actor, skip_permission_checks=True)
    bulletin = _fresh(bulletin)
    if not bulletin.live:
        _set_status(bulletin, Status.APPROVED)
        audit.record(
            "bulletin.schedule",
            actor,
            bulletin,
            data={"revision": revision.pk, "valid_from": str(bulletin.valid_from)},
        )
        return bulletin
    _set_status(bulletin, Status.PUBLISHED)
    cascade.deliver(bulletin)
    audit.record(
        "bulletin.update" if was_public else "bulletin.publish",
        actor,
        bulletin,
        data={"revision": revision.pk, "channels": bulletin.channels},
    )
    event = Event.UPDATED if was_public else Event.PUBLISHED
    channels.dispatch(_event(bulletin, event, revision.pk), bulletin.channels)
    left = channels_before - set(bulletin.channels)
    if left:
        # For a channel the new version leaves, it is as if withdrawn there.
        channels.dispatch(_event(bulletin, Event.WITHDRAWN, revision.pk), sorted(left))
    return bulletin


def _take_down(bulletin: Bulletin, actor: Actor, *, expired: bool) -> bool:
    """Unpublish or unschedule; return True if the bulletin was public."""
    was_live = bulletin.live
    if was_live:
        UnpublishAction(
            bulletin, set_expired=expired, user=actor, log_action=True
        ).execute(skip_permission_checks=True)
    else:
        bulletin.revisions.update(approved_go_live_at=None)
    return was_live


@transaction.atomic
def withdraw(
    actor: Actor,
    bulletin: Bulletin,
    *,
    reason: str,
    peer: PeerSystem | None = None,
) -> Bulletin:
    """Take a bulletin off every channel at once (a false alarm, a mistake)."""
    bulletin = _fresh(bulletin)
    if peer is None:
        rules.require(rules.withdrawal_refusal(actor, bulletin))
    elif bulletin.peer_id != peer.pk:
        raise PermissionDenied(_("This bulletin belongs to another system."))
    if bulletin.status not in (Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED):
        raise ValidationError(
            _(
                "Only bulletins awaiting approval, approved or published can be withdrawn."
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for withdrawing it."))
    user = actor if getattr(actor, "is_authenticated", False) else None
    state = bulletin.current_workflow_state
    if state is not None:
        state.cancel(user=user)
    was_live = _take_down(bulletin, user, expired=False)
    _set_status(
        bulletin,
        Status.WITHDRAWN,
        withdrawn_by=user,
        withdrawn_at=timezone.now(),
        withdrawal_reason=reason,
    )
    audit.record(
        "bulletin.withdraw",
        _actor(actor, peer),
        bulletin,
        data={"reason": reason, "was_public": was_live},
    )
    if was_live:
        # Every channel, not only those ticked now: nothing may be left behind.
        channels.dispatch(_event(bulletin, Event.WITHDRAWN, None), Channel.values)
    return bulletin


@transaction.atomic
def expire(bulletin: Bulletin) -> Bulletin:
    """End a bulletin whose validity has passed (the worker runs this)."""
    bulletin = _fresh(bulletin)
    if bulletin.status not in (Status.APPROVED, Status.PUBLISHED):
        return bulletin
    was_live = _take_down(bulletin, None, expired=True)
    _set_status(bulletin, Status.EXPIRED)
    audit.record("bulletin.expire", None, bulletin, data={"was_public": was_live})
    if was_live:
        channels.dispatch(_event(bulletin, Event.EXPIRED, None), Channel.values)
    return bulletin


def publish_due(now: datetime | None = None) -> int:
    """Publish approved bulletins whose "valid from" has come; return how many."""
    now = now or timezone.now()
    due = Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Bulletin),
        approved_go_live_at__lte=now,
    ).order_by("approved_go_live_at")
    count = 0
    for revision in due:
        bulletin = Bulletin.objects.filter(pk=revision.object_id).first()
        if bulletin is None:
            continue
        with audit.acting_as(audit.Origin(source="worker")):
            publish_revision(bulletin, revision)
        count += 1
    return count


def expire_due(now: datetime | None = None) -> int:
    """Expire bulletins whose "valid until" has passed; return how many."""
    now = now or timezone.now()
    due = Bulletin.objects.filter(
        status__in=(Status.APPROVED, Status.PUBLISHED), valid_until__lte=now
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        with audit.acting_as(audit.Origin(source="worker")):
            expire(Bulletin(pk=pk))
        count += 1
    return count
