"""Keep the province's list of bulletin categories."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Level

from ..models import Category


def may_keep_categories(user: Actor) -> bool:
    """Return True for superusers and administrators of a whole province."""
    roots = scope.roots(user, Capability.MANAGE_AREAS)
    return roots is None or any(r.count("/") == Level.PROVINCE for r in roots)


@transaction.atomic
def save_category(actor: Actor, category: Category) -> Category:
    """Create or change a category (they are never deleted, only put out of use)."""
    if actor is not None and not may_keep_categories(actor):
        raise PermissionDenied(_("Only province administrators keep the categories."))
    created = category.pk is None
    category.full_clean()
    category.save()
    audit.record(
        "category.create" if created else "category.change",
        actor,
        category,
        data={"slug": category.slug, "active": category.is_active},
    )
    return category
