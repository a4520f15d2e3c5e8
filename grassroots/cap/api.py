"""CAP sources push alerts here, with their peer system's API key."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus

from grassroots.accounts import audit
from grassroots.api import ApiError
from grassroots.bulletins.api.auth import PEER_AUTH

from . import actions, xmlcap
from .models import CapSource, Outcome

router = Router(auth=PEER_AUTH, tags=["CAP"])


class ReceivedOut(Schema):
    id: int
    outcome: Outcome
    identifier: str
    code: str = ""
    message: str = ""


@router.post(
    "/alerts",
    response={201: ReceivedOut, 409: ReceivedOut, 413: dict, 422: ReceivedOut},
    summary="Push one CAP 1.2 alert (the body is the XML)",
    openapi_extra={
        "requestBody": {
            "content": {"application/cap+xml": {"schema": {"type": "string"}}},
            "required": True,
        }
    },
)
def push_alert(request):
    """Take a CAP 1.2 message in; 201 when accepted, 409 duplicate, 422 refused.

    The answer says what became of it (``outcome``) and, when refused, why
    (``code`` and ``message``, as every API error).
    """
    source = CapSource.objects.filter(peer=request.peer).first()
    if source is None:
        raise ApiError(
            403, "not_a_cap_source", _("This system is not set up to send CAP alerts.")
        )
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > xmlcap.MAX_BYTES:
        raise ApiError(
            413,
            "too_large",
            _("The message is larger than %(max)d kB.")
            % {"max": xmlcap.MAX_BYTES // 1024},
        )
    with audit.acting_as(
        audit.Origin(ip_address=audit.client_ip(request), source="api")
    ):
        record = actions.receive(source, request.body, via="push")
    body = {
        "id": record.pk,
        "outcome": record.outcome,
        "identifier": record.identifier,
        "code": record.code or record.outcome,
        "message": record.reason,
    }
    if record.outcome != Outcome.REFUSED:
        return HttpStatus(201, body)
    return HttpStatus(409 if record.code == "duplicate" else 422, body)
