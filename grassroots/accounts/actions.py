"""Every change to staff accounts, roles and second factors, each audited."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.areas.models import Area
from grassroots.core.references import is_referenced

from . import audit, oversight, scope, second_factor
from .groups import group_name
from .models import RoleAssignment, User
from .roles import Capability, Role


def wrong_code() -> str:
    """Return the message for a wrong or used one-time code."""
    return _("This code is wrong or has expired. Type the 6 digits shown now.")


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
    is_superuser: bool = False,
) -> User:
    """Create a staff account working for ``area``.

    Only a superuser makes another superuser.
    """
    _require_user_manager(actor, area)
    if is_superuser and actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may make a superuser."))
    user = User(
        username=username,
        area=area,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        position=position,
        is_staff=False,
        is_superuser=is_superuser,
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
    """Give ``user`` ``role`` on ``area`` (and everything under it).

    The actor must manage the account as it is (``oversight``) and may grant
    only on areas where they manage users.
    """
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    _require_user_manager(actor, area)
    oversight.require_manager(actor, user)
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
    oversight.require_manager(actor, assignment.user)
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
    oversight.require_manager(actor, user)
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record("account.activate" if active else "account.deactivate", actor, user)


#: What an administrator may change on an account with ``update_user``.
EDITABLE = ("username", "first_name", "last_name", "email", "phone", "position", "area")


@transaction.atomic
def update_user(
    actor: User | None,
    user: User,
    *,
    password: str | None = None,
    is_active: bool | None = None,
    is_superuser: bool | None = None,
    **changes,
) -> list[str]:
    """Change a staff account's names, contact, area, password or state; audited.

    ``changes`` holds new values of ``EDITABLE`` fields. The actor must
    manage the account as it is and, for a new area, that area too; only a
    superuser grants or takes away superuser status. Roles change through
    ``grant_role`` and ``revoke_role``. Returns the names of what changed
    (the password is named, never logged).
    """
    oversight.require_manager(actor, user)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown field: %(f)s") % {"f": ", ".join(unknown)})
    if "area" in changes and changes["area"] != user.area:
        _require_user_manager(actor, changes["area"])
    changed = [f for f, v in changes.items() if getattr(user, f) != v]
    for field in changed:
        setattr(user, field, changes[field])
    if is_superuser is not None and is_superuser != user.is_superuser:
        if actor is not None and not actor.is_superuser:
            raise PermissionDenied(_("Only a superuser may make a superuser."))
        if actor is not None and actor.pk == user.pk:
            raise ValidationError(
                {"is_superuser": _("You cannot change your own superuser status.")}
            )
        user.is_superuser = is_superuser
        changed.append("is_superuser")
    if password:
        validate_password(password, user)
        user.set_password(password)
        changed.append("password")
    if changed:
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(
            "account.change", actor, user, area=user.area, data={"fields": changed}
        )
    if is_active is not None and is_active != user.is_active:
        if actor is not None and actor.pk == user.pk and not is_active:
            raise ValidationError(
                {"is_active": _("You cannot close your own account.")}
            )
        set_active(actor, user, is_active)
        changed.append("is_active")
    return changed


#: What anyone may change on their own account (the console's account page).
OWN_FIELDS = ("first_name", "last_name", "email")
#: Their own preferences, kept in Wagtail's profile.
OWN_PREFERENCES = (
    "preferred_language",
    "current_time_zone",
    "avatar",
    "submitted_notifications",
    "approved_notifications",
    "rejected_notifications",
    "updated_comments_notifications",
    "theme",
    "contrast",
    "density",
    "keyboard_shortcuts",
)


@transaction.atomic
def update_own_account(user: User, **changes) -> list[str]:
    """Change one's own name, e-mail and preferences; audited.

    Nothing else: area, roles, the active flag and superuser status are
    changed by whoever manages the account (``update_user``), never by its
    holder. The stored row is compared, not ``user`` (a form may have
    changed it in memory). Returns the names of what changed.
    """
    from wagtail.users.models import UserProfile

    unknown = set(changes) - set(OWN_FIELDS) - set(OWN_PREFERENCES)
    if unknown:
        raise ValidationError(
            _("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    _check_preferences(changes)
    account = User.objects.select_for_update().get(pk=user.pk)
    profile = UserProfile.get_for_user(account)
    old_avatar = profile.avatar
    changed = []
    for field, value in changes.items():
        target = account if field in OWN_FIELDS else profile
        if getattr(target, field) != value:
            setattr(target, field, value)
            changed.append(field)
    if not changed:
        return changed
    if own := [f for f in changed if f in OWN_FIELDS]:
        account.full_clean(exclude=["password"])
        account.save(update_fields=own)
    if len(own) < len(changed):
        profile.full_clean()
        profile.save()
    if "avatar" in changed and old_avatar:
        old_avatar.storage.delete(old_avatar.name)
    for field in OWN_FIELDS:
        setattr(user, field, getattr(account, field))
    audit.record(
        "account.own_change", user, user, area=user.area, data={"fields": changed}
    )
    return changed


def _check_preferences(changes: dict) -> None:
    """Refuse a language or time zone the console does not offer."""
    from wagtail.admin.localization import (
        get_available_admin_languages,
        get_available_admin_time_zones,
    )

    offered = {
        "preferred_language": {code for code, _name in get_available_admin_languages()},
        "current_time_zone": set(get_available_admin_time_zones()),
    }
    errors = {
        field: _("Choose one of the options offered.")
        for field, choices in offered.items()
        if changes.get(field) and changes[field] not in choices
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def change_own_password(
    user: User, *, current_password: str, new_password: str
) -> None:
    """Change one's own password, given the current one; audited, never logged."""
    account = User.objects.select_for_update().get(pk=user.pk)
    if not account.check_password(current_password or ""):
        raise ValidationError(
            {"old_password": _("The current password is wrong. Type it again.")}
        )
    _set_own_password(user, account, new_password, "account.password_change")


@transaction.atomic
def reset_own_password(user: User, *, new_password: str) -> None:
    """Set a new password from the e-mailed link (the view checked its token)."""
    account = User.objects.select_for_update().get(pk=user.pk)
    _set_own_password(user, account, new_password, "account.password_reset")


def _set_own_password(user: User, account: User, password: str, action: str) -> None:
    validate_password(password, account)
    account.set_password(password)
    account.save(update_fields=["password"])
    user.password = account.password
    audit.record(action, user, user, area=user.area)


def has_history(user: User) -> bool:
    """Return True if anything the system keeps names ``user``.

    The audit log names its actors (it is append-only: its rows are never
    rewritten), and bulletins, emergencies, schedules and answers name who
    wrote, approved or started them. Deleting such an account would leave
    them pointing at nobody, so it is closed instead.
    """
    from .models import AuditEntry

    if AuditEntry.objects.filter(actor_id=user.pk).exists():
        return True
    return is_referenced(user, owned=_OWNED_BY_ACCOUNT)


#: Rows that belong to the account alone and go with it.
_OWNED_BY_ACCOUNT = {
    "accounts.user",
    "accounts.user_groups",
    "accounts.user_user_permissions",
    "accounts.roleassignment",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "otp_static.statictoken",
    "wagtailusers.userprofile",
}


@transaction.atomic
def delete_user(actor: User | None, user: User) -> str:
    """Delete an account that never did anything; close one with a history.

    Mature systems keep who did what: an account that signed in, wrote,
    approved or broadcast anything is named by the append-only audit log and
    by those records, so it is closed (``set_active(False)``, roles kept for
    the record, sign-in refused) and the answer is ``"closed"``. An account
    with no trace (made by mistake, never used) is deleted, audited as
    ``account.delete`` with its name, and the answer is ``"deleted"``.
    """
    oversight.require_manager(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("You cannot delete your own account."))
    if has_history(user):
        if user.is_active:
            set_active(actor, user, False)
        return "closed"
    audit.record(
        "account.delete",
        actor,
        user,
        area=user.area,
        data={
            "username": user.get_username(),
            "roles": [
                [r.role, r.area.path]
                for r in user.role_assignments.select_related("area")
            ],
        },
    )
    user.delete()
    return "deleted"


@transaction.atomic
def begin_second_factor(user: User) -> TOTPDevice:
    """Return an unconfirmed TOTP device for a user who has none yet to scan.

    A user who already has a device replaces it with
    :func:`begin_replacing_second_factor`, which needs a code of the old one.
    """
    if second_factor.has_device(user):
        raise PermissionDenied(_("Two-step verification is already on."))
    device = second_factor.pending_device(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), confirmed=False
        )
    return device


@transaction.atomic
def begin_replacing_second_factor(user: User, token: str) -> TOTPDevice:
    """Return a new unconfirmed device for a new phone, given a fresh code of the old.

    The old device keeps working until the new one is confirmed, so a
    replacement abandoned half-way locks nobody out.
    """
    if not second_factor.has_device(user):
        raise PermissionDenied(_("Two-step verification is not on."))
    if not second_factor.is_fresh(user, token):
        raise ValidationError({"token": wrong_code()})
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )
    audit.record("account.2fa_replace_start", user, user)
    return device


@transaction.atomic
def confirm_second_factor(
    user: User, token: str, device: TOTPDevice | None = None
) -> bool:
    """Confirm a pending device if ``token`` is right; return whether it was.

    Without ``device``, the user's pending device is confirmed, but only when
    the user has none yet. A replacement names the device
    :func:`begin_replacing_second_factor` returned (the console keeps it in
    the session that proved the old code); the old devices go once the new
    one is confirmed.
    """
    replacing = second_factor.has_device(user)
    if device is None:
        if replacing:
            return False
        device = second_factor.pending_device(user)
    if device is None or device.user_id != user.pk or device.confirmed:
        return False
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
    if device is None or not device.verify_token(
        (token or "").strip().replace(" ", "")
    ):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit.record(
        "account.2fa_replace" if replacing else "account.2fa_enable", user, user
    )
    return True


@transaction.atomic
def remove_second_factor(user: User, *, token: str) -> None:
    """Turn the user's own second factor off, given a fresh code of it.

    The password alone never removes it: whoever stole the password would
    remove the victim's phone and enrol their own. A lost phone is reset by
    an administrator (:func:`reset_second_factor`).
    """
    if not second_factor.is_fresh(user, token):
        raise ValidationError({"token": wrong_code()})
    TOTPDevice.objects.filter(user=user).delete()
    audit.record("account.2fa_disable", user, user)


@transaction.atomic
def reset_second_factor(actor: User | None, user: User, *, reason: str) -> None:
    """Remove the devices of someone who lost their phone; they enrol again.

    Only someone who manages the account (``oversight``) may, never on their
    own account, and the reason is kept in the audit log.
    """
    oversight.require_manager(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(
            _("Ask another administrator to reset your own two-step verification.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is reset.")})
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    audit.record(
        "account.2fa_reset",
        actor,
        user,
        data={"reason": reason[:500], "devices": removed},
    )
