"""Settings staff keep: categories, the working calendar, Open311 client keys."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.core.references import is_referenced

from .. import workdays
from ..models import ApiClient, CalendarDay, Category


def can_manage_settings(user) -> bool:
    """Return True if ``user`` handles feedback for a whole province.

    Categories, deadlines, the calendar and client keys apply province-wide,
    so a commune's handlers read them but do not change them.
    """
    if user is None:
        return True  # commands and demo data
    paths = scope.roots(user, Capability.HANDLE_FEEDBACK)
    if paths is None:
        return True
    return Area.objects.filter(path__in=paths, level=Level.PROVINCE).exists()


def _require(user) -> None:
    if not can_manage_settings(user):
        raise PermissionDenied(_("Only the province's feedback office changes this."))


@transaction.atomic
def save_category(actor, category: Category) -> Category:
    _require(actor)
    created = category.pk is None
    category.full_clean()
    category.save()
    audit.record(
        "feedback.category_create" if created else "feedback.category_change",
        actor,
        category,
        data={"deadline_days": category.deadline_days, "active": category.is_active},
    )
    return category


@transaction.atomic
def save_calendar_day(actor, day: CalendarDay) -> CalendarDay:
    _require(actor)
    created = day.pk is None
    day.full_clean()
    day.save()
    audit.record(
        "feedback.calendar_create" if created else "feedback.calendar_change",
        actor,
        day,
        data={"date": day.date.isoformat(), "kind": day.kind},
    )
    transaction.on_commit(workdays.invalidate)
    return day


@transaction.atomic
def delete_calendar_day(actor, day: CalendarDay) -> None:
    _require(actor)
    audit.record(
        "feedback.calendar_delete",
        actor,
        day,
        data={"date": day.date.isoformat(), "kind": day.kind},
    )
    day.delete()
    transaction.on_commit(workdays.invalidate)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_client(
    actor, *, name: str, contact: str = "", per_minute: int = 60
) -> tuple[ApiClient, str]:
    """Make a client and return it with its key, which is shown only this once."""
    _require(actor)
    key = "gr311_" + secrets.token_urlsafe(24)
    client = ApiClient.objects.create(
        name=name,
        contact=contact,
        per_minute=per_minute,
        key_prefix=key[:10],
        key_hash=hash_key(key),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        "feedback.client_create", actor, client, data={"per_minute": per_minute}
    )
    return client, key


@transaction.atomic
def revoke_api_client(actor, client: ApiClient) -> None:
    _require(actor)
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    client.is_active = False
    audit.record("feedback.client_revoke", actor, client)


@transaction.atomic
def update_api_client(
    actor, client: ApiClient, *, name: str, contact: str, per_minute: int, active: bool
) -> ApiClient:
    """Rename a client, change its quota, or switch it off (its key stops working)."""
    _require(actor)
    ApiClient.objects.filter(pk=client.pk).update(
        name=name, contact=contact, per_minute=per_minute, is_active=active
    )
    client.refresh_from_db()
    audit.record(
        "feedback.client_change",
        actor,
        client,
        data={"per_minute": per_minute, "active": active},
    )
    return client


@transaction.atomic
def delete_category(actor, category: Category) -> str:
    """Delete a category no feedback ever used; close one that classifies feedback.

    Returns ``"deleted"`` or ``"closed"`` (no longer offered for new
    feedback, kept on the feedback it classifies and in the statistics).
    """
    _require(actor)
    if is_referenced(category):
        if category.is_active:
            category.is_active = False
            save_category(actor, category)
        return "closed"
    audit.record(
        "feedback.category_delete", actor, category, data={"code": category.code}
    )
    category.delete()
    return "deleted"


@transaction.atomic
def delete_api_client(actor, client: ApiClient) -> str:
    """Delete a client that never sent anything; revoke one that did.

    Returns ``"deleted"`` or ``"closed"`` (its key stops working; the
    feedback it sent still says where it came from).
    """
    _require(actor)
    if is_referenced(client) or client.last_used_at is not None:
        if client.is_active:
            revoke_api_client(actor, client)
        return "closed"
    audit.record("feedback.client_delete", actor, client, data={"name": client.name})
    client.delete()
    return "deleted"
