"""Notification channels behind one small interface, chosen by a setting.

``GRASSROOTS_FEEDBACK_NOTIFIERS`` maps a channel ("email", "sms", "zalo") to
a class with ``send(recipient, subject, body)``. E-mail goes through Django's
mail backend (the console in development); SMS and Zalo ship as logging
adapters: plug a gateway in by naming its class in the setting.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Notifier(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> None:
        """Deliver one message or raise ``DeliveryError``."""


class DeliveryError(Exception):
    """Raised by a notifier that could not deliver; the message is retried."""


class EmailNotifier:
    """E-mail through Django's configured backend (``EMAIL_URL``)."""

    def send(self, recipient: str, subject: str, body: str) -> None:
        try:
            send_mail(subject, body, None, [recipient], fail_silently=False)
        except OSError as exc:  # SMTP connection and protocol errors
            raise DeliveryError(str(exc)) from exc


def shorten(text: str, limit: int) -> str:
    """Return ``text`` within ``limit``, cut in the middle: the start (where the
    tracking code is) and a closing link stay whole."""
    if len(text) <= limit:
        return text
    head, _space, last = text.rpartition(" ")
    tail = last if last.startswith(("http://", "https://")) and head else ""
    room = limit - len(tail) - (2 if tail else 1)
    return (
        (text if not tail else head)[:room].rstrip()
        + "…"
        + (" " + tail if tail else "")
    )


class SmsNotifier:
    """Base of SMS gateways: subclass and implement :meth:`send_sms`."""

    #: SMS carries no subject and should stay within a few segments.
    MAX_CHARS = 320

    def send(self, recipient: str, subject: str, body: str) -> None:
        self.send_sms(recipient, shorten(body, self.MAX_CHARS))

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LogSmsNotifier(SmsNotifier):
    """Development SMS: write the message to the log."""

    def send_sms(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class ZaloNotifier:
    """Base of Zalo Official Account (ZNS) adapters: implement :meth:`send_zalo`."""

    def send(self, recipient: str, subject: str, body: str) -> None:
        self.send_zalo(recipient, body)

    def send_zalo(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LogZaloNotifier(ZaloNotifier):
    """Development Zalo: write the message to the log."""

    def send_zalo(self, phone: str, text: str) -> None:
        logger.info("Zalo to %s: %s", phone, text)


class MemoryNotifier:
    """For tests: keep every message in :attr:`sent`."""

    sent: list[tuple[str, str, str]] = []

    def send(self, recipient: str, subject: str, body: str) -> None:
        MemoryNotifier.sent.append((recipient, subject, body))


def notifier(channel: str) -> Notifier | None:
    """Return the notifier configured for ``channel``, or None if there is none."""
    dotted = settings.GRASSROOTS_FEEDBACK_NOTIFIERS.get(channel)
    return import_string(dotted)() if dotted else None
