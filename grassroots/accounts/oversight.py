"""Who manages whose account: only accounts wholly within what the manager may grant.

The scope rule says where a user holds a capability; for accounts that is not
enough. An account is as powerful as its widest role, so a commune
administrator who could edit, close or reset a colleague holding a province
role (or a superuser) would reach beyond the commune. An account is
manageable by ``actor`` when its home area and every role it holds lie where
``actor`` may manage users; superusers are managed by superusers only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import scope
from .roles import Capability, Role

if TYPE_CHECKING:
    from grassroots.areas.models import Area

    from .audit import Actor
    from .models import User


def may_grant(actor: Actor, role: str, area: Area | str) -> bool:
    """Return True if ``actor`` may give ``role`` on ``area`` (None: the system)."""
    if actor is None:
        return True
    return role in Role.values and scope.can(actor, Capability.MANAGE_USERS, area)


def may_manage(actor: Actor, user: User) -> bool:
    """Return True if ``actor`` may change, close or reset ``user``'s account."""
    if actor is None:  # commands and demo data run as the system
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if user.is_superuser or user.area_id is None:
        return False
    if not scope.can(actor, Capability.MANAGE_USERS, user.area):
        return False
    return all(
        may_grant(actor, role, path)
        for role, path in user.role_assignments.values_list("role", "area__path")
    )


def manageable(queryset: QuerySet[User], actor: Actor) -> QuerySet[User]:
    """Return the accounts of ``queryset`` that ``actor`` may manage."""
    from .models import RoleAssignment

    roots = scope.roots(actor, Capability.MANAGE_USERS)
    if roots is None:
        return queryset
    if not roots:
        return queryset.none()
    beyond = RoleAssignment.objects.exclude(scope.area_q(roots, "area__path"))
    return (
        queryset.filter(scope.area_q(roots, "area__path"))
        .exclude(is_superuser=True)
        .exclude(pk__in=beyond.values("user_id"))
    )


def require_manager(actor: Actor, user: User) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may manage ``user``."""
    if not may_manage(actor, user):
        raise PermissionDenied(
            _(
                "You may only manage accounts whose roles all lie within the areas "
                "you administer."
            )
        )
