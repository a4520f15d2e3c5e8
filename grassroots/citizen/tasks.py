"""Pushing in the background: fan a bulletin out in batches, send, retry what failed."""

from __future__ import annotations

import logging
from collections import defaultdict

from huey.contrib.djhuey import db_task

from grassroots.accounts import audit

from . import actions
from .push import FAILED, GONE, REACHED, Sender, bulletin_payload, subscribers

logger = logging.getLogger(__name__)
WORKER = audit.Origin(source="worker")

#: Subscriptions per sending job: small enough to retry, large enough to queue fast.
BATCH = 500
#: Sending attempts of one message before giving up on a phone.
ATTEMPTS = 3
RETRY_DELAY_S = 60


@db_task(retries=2, retry_delay=30)
def push_bulletin(bulletin_id: int) -> int:
    """Find the phones a published bulletin reaches and queue their batches."""
    from grassroots.bulletins.models import Bulletin

    bulletin = (
        Bulletin.objects.select_related("issuing_area").filter(pk=bulletin_id).first()
    )
    if bulletin is None or not bulletin.is_public:
        return 0
    found = list(subscribers(bulletin).items())
    with audit.acting_as(WORKER):
        actions.record_bulletin_push(bulletin, len(found))
    for start in range(0, len(found), BATCH):
        send_bulletin_batch(bulletin_id, found[start : start + BATCH])
    return len(found)


def _send(items, payload: dict, kind: str) -> dict[int, str]:
    from .models import PushSubscription

    sender = Sender()
    subscriptions = PushSubscription.objects.in_bulk([pk for pk, _path in items])
    return {
        pk: sender.send(subscriptions[pk], payload, kind)
        for pk, _path in items
        if pk in subscriptions
    }


@db_task(retries=2, retry_delay=30)
def send_bulletin_batch(bulletin_id: int, items: list, attempt: int = 1) -> None:
    """Push one bulletin to a batch of [subscription id, area path]; retry the failures."""
    from grassroots.bulletins.models import Bulletin

    bulletin = Bulletin.objects.filter(pk=bulletin_id).first()
    if bulletin is None or not bulletin.is_public:
        return
    outcomes = _send(items, bulletin_payload(bulletin), bulletin.level)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    failed = []
    for pk, path in items:
        outcome = outcomes.get(pk)
        if outcome is None:
            continue
        if outcome == FAILED:
            if attempt < ATTEMPTS:
                failed.append([pk, path])
                continue
        counts[path][outcome] += 1
    actions.forget_gone(pk for pk, outcome in outcomes.items() if outcome == GONE)
    actions.tally(bulletin_id, counts)
    if failed:
        logger.info(
            "Bulletin %s: %s pushes failed, retrying in %s s",
            bulletin_id,
            len(failed),
            RETRY_DELAY_S * attempt,
        )
        send_bulletin_batch.schedule(
            (bulletin_id, failed, attempt + 1), delay=RETRY_DELAY_S * attempt
        )


@db_task(retries=2, retry_delay=30)
def push_feedback(
    feedback_id: int, title: str, body: str, attempt: int = 1, only=None
) -> None:
    """Tell the phones following a feedback item that its status changed."""
    from django.conf import settings
    from django.urls import reverse

    from grassroots.feedback.models import Feedback

    item = Feedback.objects.filter(pk=feedback_id).first()
    if item is None:
        return
    ids = list(item.push_subscriptions.values_list("pk", flat=True))
    if only is not None:
        ids = [pk for pk in ids if pk in set(only)]
    if not ids:
        return
    payload = {
        "title": title,
        "body": body[:240],
        "url": settings.GRASSROOTS_BASE_URL.rstrip("/")
        + reverse("feedback:track", args=[item.code]),
        "level": "feedback",
        "tag": f"feedback-{item.pk}",
    }
    outcomes = _send([(pk, "") for pk in ids], payload, "feedback")
    actions.forget_gone(pk for pk, outcome in outcomes.items() if outcome == GONE)
    failed = [pk for pk, outcome in outcomes.items() if outcome == FAILED]
    if failed and attempt < ATTEMPTS:
        push_feedback.schedule(
            (feedback_id, title, body, attempt + 1, failed),
            delay=RETRY_DELAY_S * attempt,
        )


__all__ = ["REACHED", "push_bulletin", "push_feedback", "send_bulletin_batch"]
