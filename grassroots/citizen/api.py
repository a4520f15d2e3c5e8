"""The citizen app's API (``/api/v1/citizen/``): the VAPID key and push subscriptions.

No login: a subscription is the phone's own, identified by its endpoint.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from grassroots.accounts.audit import client_ip
from grassroots.api import ApiError
from grassroots.bulletins import public
from grassroots.feedback import abuse, codes
from grassroots.feedback.models import Feedback

from . import actions, vapid

router = Router(tags=["citizen"])


class KeyOut(Schema):
    public_key: str


class Keys(Schema):
    p256dh: str = Field(..., min_length=20, max_length=200)
    auth: str = Field(..., min_length=8, max_length=100)


class SubscriptionIn(Schema):
    endpoint: str = Field(..., min_length=10, max_length=1000)
    keys: Keys
    #: Area paths (a commune or hamlet, e.g. "82/28261/H01").
    areas: list[str] = Field(default_factory=list, max_length=actions.MAX_AREAS)
    #: A tracking code: follow that feedback item's status.
    feedback_code: str | None = Field(None, max_length=40)


class SubscriptionOut(Schema):
    areas: list[str]
    feedback_codes: list[str]


class UnsubscribeIn(Schema):
    endpoint: str = Field(..., min_length=10, max_length=1000)
    feedback_code: str | None = Field(None, max_length=40)


@router.get("/push/key", response=KeyOut, summary="The server's VAPID public key")
def push_key(request):
    return {"public_key": vapid.public_key()}


def _feedback(request, code: str | None) -> Feedback | None:
    if not code:
        return None
    item = Feedback.objects.filter(code=codes.normalise(code) or "-").first()
    if item is None:
        try:
            abuse.check_track_rate(client_ip(request))
        except abuse.RateLimited as exc:
            raise ApiError(429, "rate_limited", exc.message) from None
        raise ApiError(404, "unknown_code", _("No feedback has this code."))
    return item


@router.post(
    "/push/subscriptions",
    response={201: SubscriptionOut},
    summary="Subscribe a phone to its areas' warnings or to a feedback item",
)
def subscribe(request, payload: SubscriptionIn):
    areas = []
    for path in payload.areas:
        area = public.area_by_path(path)
        if area is None:
            raise ApiError(404, "unknown_area", _("There is no such area."))
        areas.append(area)
    item = _feedback(request, payload.feedback_code)
    if not areas and item is None:
        raise ApiError(
            400, "nothing_to_follow", _("Choose an area or a feedback item to follow.")
        )
    try:
        subscription = actions.subscribe(
            endpoint=payload.endpoint,
            p256dh=payload.keys.p256dh,
            auth=payload.keys.auth,
            areas=areas,
            feedback=item,
        )
    except ValidationError as exc:
        raise ApiError(400, exc.code or "invalid", " ".join(exc.messages)) from None
    return Status(
        201,
        {
            "areas": [a.url_path for a in subscription.areas.all()],
            "feedback_codes": [f.code for f in subscription.feedbacks.all()],
        },
    )


@router.post(
    "/push/unsubscribe", response={204: None}, summary="Stop pushes to a phone"
)
def unsubscribe(request, payload: UnsubscribeIn):
    item = _feedback(request, payload.feedback_code)
    actions.unsubscribe(payload.endpoint, feedback=item)
    return Status(204, None)
