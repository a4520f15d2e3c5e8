"""Web Push to citizens' phones: who gets a bulletin, and sending one message.

A published emergency or priority bulletin goes to every subscription for an
area it is meant for: aimed at the subscribed hamlet or commune, above it
(the commune, the province) or inside it (a commune's subscriber hears of its
hamlets). The fan-out runs in the worker (``tasks.push_bulletin``) and queues
the sending in batches, each retried by huey; a push service answering 404 or
410 says the subscription is gone, and it is deleted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import Q
from pywebpush import WebPushException, webpush

from grassroots.areas.models import Area

from . import vapid
from .models import PushSubscription

logger = logging.getLogger(__name__)

#: Bulletin levels that are pushed; normal ones are only read in the app.
PUSHED_LEVELS = ("emergency", "priority")
#: How long a push service keeps a message for a phone that is off (RFC 8030 TTL).
TTL_S = {"emergency": 24 * 3600, "priority": 12 * 3600, "feedback": 3 * 24 * 3600}
URGENCY = {"emergency": "high", "priority": "normal", "feedback": "normal"}
REACHED, GONE, FAILED = "reached", "gone", "failed"


class EndpointRefused(ValueError):
    """The endpoint is not one of the push services we post to."""


def check_endpoint(endpoint: str) -> None:
    """Refuse endpoints outside the configured push services (the server posts there)."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    allowed = [h.lower().lstrip(".") for h in settings.GRASSROOTS_PUSH_ENDPOINT_HOSTS]
    if parts.scheme != "https" and not (
        parts.scheme == "http" and settings.GRASSROOTS_PUSH_ALLOW_HTTP
    ):
        raise EndpointRefused(endpoint)
    if not host or not any(host == h or host.endswith("." + h) for h in allowed):
        raise EndpointRefused(endpoint)


def on_bulletin_event(event) -> None:
    """Channel handler: queue the push of a newly published emergency or priority bulletin."""
    if event.event != "published" or event.level not in PUSHED_LEVELS:
        return
    from .tasks import push_bulletin

    push_bulletin(event.bulletin_id)


def target_areas(bulletin) -> list[Area]:
    targets = list(bulletin.target_areas.all())
    return targets or [bulletin.issuing_area]


def subscriber_query(targets: list[Area]) -> Q:
    """Return the filter on subscribed areas that a bulletin for ``targets`` reaches."""
    query = Q()
    for area in targets:
        query |= Q(area__path__in=area.ancestor_paths) | Q(area__path__under=area.path)
    return query


def subscribers(bulletin) -> dict[int, str]:
    """Return {subscription id: the subscribed area's path} for ``bulletin``.

    One query on the subscriptions' area table; a phone subscribed to two
    areas the bulletin reaches is counted once, under the first.
    """
    through = PushSubscription.areas.through
    rows = (
        through.objects.filter(subscriber_query(target_areas(bulletin)))
        .order_by("pushsubscription_id", "area__path")
        .values_list("pushsubscription_id", "area__path")
    )
    found: dict[int, str] = {}
    for pk, path in rows.iterator(chunk_size=5000):
        found.setdefault(pk, path)
    return found


def bulletin_payload(bulletin) -> dict:
    base = settings.GRASSROOTS_BASE_URL.rstrip("/")
    return {
        "title": bulletin.title,
        "body": (bulletin.summary or "")[:240],
        "url": base + bulletin.get_absolute_url(),
        "level": bulletin.level,
        "tag": f"bulletin-{bulletin.pk}",
    }


@dataclass
class Sender:
    """Send pushes over one HTTP session (connections are kept between messages)."""

    session: requests.Session | None = None

    def __post_init__(self):
        if self.session is None:
            self.session = requests.Session()

    def send(self, subscription: PushSubscription, payload: dict, kind: str) -> str:
        """Encrypt and post one message; return REACHED, GONE or FAILED."""
        try:
            webpush(
                subscription.info,
                json.dumps(payload, ensure_ascii=False),
                vapid_private_key=vapid.vapid(),
                vapid_claims={"sub": settings.GRASSROOTS_PUSH_CONTACT},
                ttl=TTL_S[kind],
                headers={"Urgency": URGENCY[kind]},
                timeout=10,
                requests_session=self.session,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                return GONE
            logger.warning("Push %s refused: %s", subscription.pk, status)
            return FAILED
        except (requests.RequestException, ValueError) as exc:
            # ValueError: keys a browser sent that do not decode (bad subscription).
            logger.warning("Push %s failed: %s", subscription.pk, exc)
            return FAILED
        return REACHED
