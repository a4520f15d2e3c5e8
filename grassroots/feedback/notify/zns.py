"""Zalo Notification Service (ZNS) template messages over HTTPS.

Configured by ``GRASSROOTS_ZNS_*``: the API's URL, the Official Account's
access token and the approved template, whose parameters are ``title`` and
``content``. ZNS answers HTTP 200 with ``{"error": 0, "data": {"msg_id": …}}``
on success and a negative ``error`` with a ``message`` otherwise (an expired
token, a phone without Zalo, a quota): each raises ``DeliveryError`` and the
outbox retries. Without a token, messages are logged (development).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import requests
from django.conf import settings

from . import DeliveryError, LogZaloNotifier, ZaloNotifier
from .smpp import msisdn

logger = logging.getLogger(__name__)

#: Template parameters are short: ZNS refuses longer values.
MAX_TITLE, MAX_CONTENT = 100, 400


class ZnsNotifier(ZaloNotifier):
    """Send a ZNS template message (or log it when no token is configured)."""

    subject = ""

    def send(self, recipient: str, subject: str, body: str) -> None:
        self.subject = subject
        self.send_zalo(recipient, body)

    def send_zalo(self, phone: str, text: str) -> None:
        config = settings.GRASSROOTS_ZNS
        if not config.get("access_token"):
            LogZaloNotifier().send_zalo(phone, text)
            return
        payload: dict[str, Any] = {
            "phone": msisdn(phone),
            "template_id": config["template_id"],
            "template_data": {
                "title": (self.subject or text)[:MAX_TITLE],
                "content": text[:MAX_CONTENT],
            },
            "tracking_id": uuid.uuid4().hex,
        }
        try:
            response = requests.post(
                config["url"],
                json=payload,
                headers={"access_token": config["access_token"]},
                timeout=15,
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"ZNS connection: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            raise DeliveryError(
                f"ZNS answered {response.status_code} without JSON"
            ) from None
        error = answer.get("error") if isinstance(answer, dict) else None
        if response.status_code != 200 or error != 0:
            message = answer.get("message", "") if isinstance(answer, dict) else ""
            raise DeliveryError(f"ZNS error {error}: {message}"[:250])
        logger.info(
            "Zalo ZNS to %s sent: %s", phone, (answer.get("data") or {}).get("msg_id")
        )
