"""Every change to staff accounts, roles and second factors, each audited."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.areas.models import Area

from . import audit, scope, second_factor
from .groups import group_name
from .models import RoleAssignment, User
from .roles import Capability, Role


def _require_user_manager(actor: User | None, area: Area | None) -> None:
    if actor is None:  # commands and demo data run as the system
        return
    if area is None and not actor.is_superuser:
        raise PermissionDenied(
            _("Only a superuser may manage accounts outside any area.")
        )
    if area is not None and not scope.can(actor, Capability.MANAGE_USERS, area):
        raise PermissionDenied(_("You may only manage accounts in your own area."))


def sync_groups(user: User) -> None:
    """Put the user in exactly the groups of the roles they hold."""
    held = set(user.role_assignments.values_list("role", flat=True))
    role_groups = Group.objects.filter(name__in=[group_name(r) for r in Role.values])
    user.groups.remove(
        *[g for g in role_groups if g.name not in {group_name(r) for r in held}]
    )
    user.groups.add(
        *[g for g in role_groups if g.name in {group_name(r) for r in held}]
    )
    scope.forget(user)


@transaction.atomic
def create_user(
    actor: User | None,
    *,
    username: str,
    password: str | None,
    area: Area | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    position: str = "",
    check_password: bool = True,
) -> User:
    """Create a staff account working for ``area``."""
    _require_user_manager(actor, area)
    user = User(
        username=username,
        area=area,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        position=position,
        is_staff=False,
    )
    if password:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record("account.create", actor, user, area=area)
    return user


@transaction.atomic
def grant_role(actor: User | None, user: User, role: str, area: Area) -> RoleAssignment:
    """Give ``user`` ``role`` on ``area`` (and everything under it)."""
    _require_user_manager(actor, area)
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, area=area, defaults={"granted_by": actor}
    )
    if created:
        sync_groups(user)
        audit.record(
            "role.grant",
            actor,
            user,
            area=area,
            data={"role": role, "area": area.path},
            object_repr=f"{user} — {Role(role).label} — {area}",
        )
    return assignment


@transaction.atomic
def revoke_role(actor: User | None, assignment: RoleAssignment) -> None:
    """Take a role away."""
    _require_user_manager(actor, assignment.area)
    user, role, area = assignment.user, assignment.role, assignment.area
    assignment.delete()
    sync_groups(user)
    audit.record(
        "role.revoke",
        actor,
        user,
        area=area,
        data={"role": role, "area": area.path},
        object_repr=f"{user} — {Role(role).label} — {area}",
    )


@transaction.atomic
def set_active(actor: User | None, user: User, active: bool) -> None:
    """Open or close an account; closed accounts keep their history."""
    _require_user_manager(actor, user.area)
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record("account.activate" if active else "account.deactivate", actor, user)


@transaction.atomic
def begin_second_factor(user: User) -> TOTPDevice:
    """Return an unconfirmed TOTP device for the user to scan."""
    device = second_factor.pending_device(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), confirmed=False
        )
    return device


@transaction.atomic
def confirm_second_factor(user: User, token: str) -> bool:
    """Confirm the pending device if ``token`` is right; return whether it was."""
    device = second_factor.pending_device(user)
    if device is None or not device.verify_token(
        (token or "").strip().replace(" ", "")
    ):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record("account.2fa_enable", user, user)
    return True


@transaction.atomic
def remove_second_factor(actor: User, user: User) -> None:
    """Remove the user's devices (lost phone); an administrator or the user does it."""
    if actor.pk != user.pk:
        _require_user_manager(actor, user.area)
    TOTPDevice.objects.filter(user=user).delete()
    audit.record("account.2fa_disable", actor, user)
