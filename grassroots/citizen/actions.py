"""Every change the citizen app makes: subscribing, unsubscribing, forgetting gone phones.

Subscriptions are made by anonymous citizens for their own phone: they are
not audited one by one (the audit log would then hold every endpoint, a
personal identifier, for nothing); the pushes a bulletin caused are.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.areas.models import Area, Level
from grassroots.areas.words import hamlet_word

from .models import PushSubscription, PushTally
from .push import EndpointRefused, check_endpoint

#: Areas one phone may follow: a family may watch a few hamlets, not a province.
MAX_AREAS = 10
MAX_FEEDBACKS = 20


@transaction.atomic
def subscribe(
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    areas: Iterable[Area] = (),
    feedback=None,
) -> PushSubscription:
    """Store (or extend) one phone's subscription to ``areas`` and/or ``feedback``."""
    try:
        check_endpoint(endpoint)
    except EndpointRefused:
        raise ValidationError(
            _("This browser's push service is not accepted here."),
            code="endpoint_refused",
        ) from None
    areas = list(areas)
    for area in areas:
        if area.level not in (Level.COMMUNE, Level.HAMLET) or not area.is_active:
            raise ValidationError(
                _("Choose a commune or a %(hamlet)s.") % {"hamlet": hamlet_word()},
                code="wrong_area",
            )
    subscription, _created = PushSubscription.objects.select_for_update().get_or_create(
        endpoint=endpoint, defaults={"p256dh": p256dh, "auth": auth}
    )
    if (subscription.p256dh, subscription.auth) != (p256dh, auth):
        subscription.p256dh, subscription.auth = p256dh, auth
        subscription.save(update_fields=["p256dh", "auth"])
    if areas:
        # A new choice of hamlet replaces the old one: one phone, one place.
        subscription.areas.set(areas[:MAX_AREAS])
    if feedback is not None:
        if subscription.feedbacks.count() >= MAX_FEEDBACKS:
            raise ValidationError(
                _("This phone already follows too many feedback items."),
                code="too_many",
            )
        subscription.feedbacks.add(feedback)
    return subscription


@transaction.atomic
def unsubscribe(endpoint: str, *, areas: bool = True, feedback=None) -> bool:
    """Stop pushes to a phone (its areas, or one feedback item); return True if it had any."""
    subscription = PushSubscription.objects.filter(endpoint=endpoint).first()
    if subscription is None:
        return False
    if feedback is not None:
        subscription.feedbacks.remove(feedback)
    elif areas:
        subscription.areas.clear()
    if not subscription.areas.exists() and not subscription.feedbacks.exists():
        subscription.delete()
    return True


@transaction.atomic
def forget_gone(subscription_ids: Iterable[int]) -> int:
    """Delete subscriptions the push service reported gone (404/410); return how many."""
    deleted, _rows = PushSubscription.objects.filter(
        pk__in=list(subscription_ids)
    ).delete()
    return deleted


@transaction.atomic
def record_bulletin_push(bulletin, subscriptions: int) -> None:
    """Audit that a bulletin is being pushed to ``subscriptions`` phones."""
    audit.record(
        "citizen.push_bulletin",
        obj=bulletin,
        area=bulletin.issuing_area,
        data={"subscriptions": subscriptions, "level": bulletin.level},
    )


@transaction.atomic
def tally(bulletin_id: int, counts: dict[str, dict[str, int]]) -> None:
    """Add a batch's outcomes ({area path: {reached, gone, failed}}) to the report's counts."""
    for path, outcome in counts.items():
        PushTally.objects.get_or_create(bulletin_id=bulletin_id, area_path=path)
        PushTally.objects.filter(bulletin_id=bulletin_id, area_path=path).update(
            reached=F("reached") + outcome.get("reached", 0),
            gone=F("gone") + outcome.get("gone", 0),
            failed=F("failed") + outcome.get("failed", 0),
        )
