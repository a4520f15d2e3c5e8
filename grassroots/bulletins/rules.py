"""Who may do what to a bulletin, with the reason when they may not.

Each function returns ``None`` when the user may act, or a message saying
why not, so the console can hide a button and the action can refuse with
the same words. Everything goes through the one scope rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor
    from grassroots.areas.models import Area

    from .models import Bulletin


def _area(bulletin: Bulletin) -> Area | None:
    return bulletin.issuing_area if bulletin.issuing_area_id else None


def writing_refusal(user: Actor, issuing_area: Area | None) -> str | None:
    """Return why ``user`` may not write bulletins for ``issuing_area``, if so."""
    if issuing_area is None:
        return _("Choose the issuing area.")
    if not scope.can(user, Capability.WRITE_BULLETINS, issuing_area):
        return _("You may only write bulletins for your own area.")
    return None


def approval_refusal(
    user: Actor, bulletin: Bulletin, *, submitted_by_id: int | None = None
) -> str | None:
    """Return why ``user`` may not approve ``bulletin``, if so.

    An approver needs the approve capability on the issuing area and must be
    neither the bulletin's author nor the person who submitted it: two people
    see every bulletin before it goes out.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return _("Log in to approve bulletins.")
    if not scope.can_anywhere(user, Capability.APPROVE_BULLETINS):
        return _("Your role does not include approving bulletins.")
    if not scope.can(user, Capability.APPROVE_BULLETINS, _area(bulletin)):
        return _("You may only approve bulletins issued in your own area.")
    if bulletin.author_id is not None and bulletin.author_id == user.pk:
        return _("You wrote this bulletin; another approver must approve it.")
    if submitted_by_id is not None and submitted_by_id == user.pk:
        return _("You submitted this bulletin; another approver must approve it.")
    return None


def review_refusal(user: Actor, bulletin: Bulletin) -> str | None:
    """Return why ``user`` may not review (open under review) ``bulletin``, if so."""
    if not scope.can(user, Capability.APPROVE_BULLETINS, _area(bulletin)):
        return _("You may only review bulletins issued in your own area.")
    return None


def withdrawal_refusal(user: Actor, bulletin: Bulletin) -> str | None:
    """Return why ``user`` may not withdraw ``bulletin``, if so."""
    if not scope.can(user, Capability.APPROVE_BULLETINS, _area(bulletin)):
        return _("Only an approver of the issuing area may withdraw a bulletin.")
    return None


def inbox_refusal(user: Actor, commune: Area) -> str | None:
    """Return why ``user`` may not decide on the commune's inbox, if so."""
    if scope.can(user, Capability.APPROVE_BULLETINS, commune) or scope.can(
        user, Capability.OPERATE_BROADCASTS, commune
    ):
        return None
    return _("Only the commune's approvers and radio operators decide what it airs.")


def require(refusal: str | None) -> None:
    """Raise ``PermissionDenied`` with the refusal message, if there is one."""
    if refusal is not None:
        raise PermissionDenied(refusal)
