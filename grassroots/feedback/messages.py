"""What citizens and officials are told, in Vietnamese, and where it goes."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots.areas.models import Level

from .models import Feedback, Status
from .notify.outbox import queue

#: Channel used for citizens who left a phone number ("sms" or "zalo").


def tracking_url(item: Feedback) -> str:
    return settings.GRASSROOTS_BASE_URL.rstrip("/") + reverse(
        "feedback:track", args=[item.code]
    )


#: An SMS is at most this long (5 UCS-2 parts); the code and the link always fit.
SMS_CHARS = 320


def _sender(item: Feedback) -> str:
    """The unit that writes: the commune handling it (never a hamlet)."""
    area = item.area
    if area.level == Level.HAMLET and area.parent is not None:
        area = area.parent
    return area.name


def _what_happened(item: Feedback, kind: str) -> tuple[str, str]:
    """Return (subject, the sentence saying what happened)."""
    code = item.display_code
    if kind == "received":
        subject = _("Feedback received, code %(code)s") % {"code": code}
        lead = _(
            "Your feedback on “%(category)s” was received and sent to %(area)s. "
            "It will be answered by %(date)s."
        ) % {
            "category": item.category.name,
            "area": item.area.name,
            "date": item.due_date.strftime("%d/%m/%Y"),
        }
    elif kind == "answered":
        subject = _("Your feedback %(code)s has been answered") % {"code": code}
        lead = _("%(area)s answered your feedback:") % {"area": item.area.name}
    elif kind == "merged":
        subject = _("Your feedback %(code)s joins an earlier report") % {"code": code}
        lead = _(
            "Others reported the same problem; it is handled together with theirs and "
            "the answer will show on your tracking page."
        )
    else:
        subject = _("Your feedback %(code)s: %(status)s") % {
            "code": code,
            "status": Status(item.status).label,
        }
        lead = _("Its status is now: %(status)s.") % {
            "status": Status(item.status).label
        }
    return subject, lead


def _citizen_text(item: Feedback, kind: str, extra: str) -> tuple[str, str]:
    """The e-mail (and push): the code first, a greeting, what happened, how to
    reply, and who writes."""
    code = item.display_code
    subject, lead = _what_happened(item, kind)
    name = item.citizen_name.strip()
    greeting = _("Dear %(name)s,") % {"name": name} if name else _("Dear citizen,")
    reply = _(
        "To add information or ask again, open %(url)s and quote code %(code)s, "
        "or come to %(area)s with the code. Please do not reply to this message."
    ) % {"url": tracking_url(item), "code": code, "area": _sender(item)}
    signature = _("Yours faithfully,\nFeedback desk, %(area)s") % {
        "area": _sender(item)
    }
    body = "\n\n".join(
        part
        for part in (
            _("Feedback code: %(code)s") % {"code": code},
            greeting,
            lead,
            extra,
            reply,
            signature,
        )
        if part
    )
    return subject, body


def fit_sms(head: str, middle: str, tail: str, limit: int = SMS_CHARS) -> str:
    """Return ``head middle tail`` within ``limit``: only the middle is shortened.

    The tracking code lives in ``head`` and the link in ``tail``: an SMS never
    loses them, however long the answer.
    """
    room = limit - len(head) - len(tail) - 2
    middle = " ".join(middle.split())
    if len(middle) > room:
        middle = middle[: max(room - 1, 0)].rstrip() + "…"
    return " ".join(part for part in (head, middle, tail) if part)


def _citizen_sms(item: Feedback, kind: str, extra: str) -> str:
    """The SMS: the code first, what happened, the answer as far as it fits,
    the link, and who sends it."""
    code = item.display_code
    _subject, lead = _what_happened(item, kind)
    head = _("[%(code)s] %(area)s:") % {"code": code, "area": _sender(item)}
    tail = _("Details: %(url)s") % {"url": tracking_url(item)}
    return fit_sms(head, f"{lead} {extra}".strip(), tail)


def tell_citizen(item: Feedback, kind: str, extra: str = "") -> None:
    """Queue a status update to the contact the citizen left and the phones following it."""
    from grassroots.citizen.tasks import push_feedback

    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _citizen_text(item, kind, extra)
        short = _citizen_sms(item, kind, extra)
    if item.push_subscriptions.exists():
        transaction.on_commit(lambda: push_feedback(item.pk, subject, short))
    if not (item.email or item.phone):
        return
    if item.email:
        queue(
            channel="email",
            recipient=item.email,
            subject=subject,
            body=body,
            feedback=item,
        )
    if item.phone:
        channel = settings.GRASSROOTS_FEEDBACK_PHONE_CHANNEL
        queue(
            channel=channel,
            recipient=item.phone,
            subject=subject,
            body=short,
            feedback=item,
        )


def tell_officials(item: Feedback, area, subject: str, body: str) -> int:
    """E-mail the feedback handlers of ``area`` (not of the areas above); return how many."""
    from grassroots.accounts.models import RoleAssignment
    from grassroots.accounts.roles import Role

    emails = set(
        RoleAssignment.objects.filter(
            area=area,
            role__in=[Role.FEEDBACK_HANDLER, Role.ADMINISTRATOR],
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    handler = item.assigned_to if item.assigned_to_id else None
    if handler is not None and handler.email and area.pk == item.area_id:
        emails.add(handler.email)
    for email in sorted(emails):
        queue(
            channel="email", recipient=email, subject=subject, body=body, feedback=item
        )
    return len(emails)
