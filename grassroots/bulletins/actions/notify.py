"""Tell the approvers of an area that a bulletin waits for them (by e-mail).

Wagtail e-mails the submitter when a bulletin is approved or returned; it
does not know who our approvers are, so the submission notice is ours. Mail
goes through Django's e-mail backend (``EMAIL_URL``), after the commit.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots.accounts.models import RoleAssignment
from grassroots.accounts.roles import Capability, roles_with

from ..models import Bulletin

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


def approvers(bulletin: Bulletin, *, excluding: set[int]) -> list[Any]:
    """Return the active users who may approve ``bulletin``, minus ``excluding``."""
    assignments = RoleAssignment.objects.filter(
        role__in=roles_with(Capability.APPROVE_BULLETINS),
        area__path__in=bulletin.issuing_area.ancestor_paths,
        user__is_active=True,
    ).select_related("user")
    users = {a.user.pk: a.user for a in assignments if a.user.pk not in excluding}
    return sorted(users.values(), key=lambda u: u.pk)


def approvers_of(bulletin: Bulletin, *, submitted_by: Any = None) -> None:
    """E-mail the bulletin's possible approvers once the submission commits."""
    excluding = {
        pk for pk in (bulletin.author_id, getattr(submitted_by, "pk", None)) if pk
    }
    recipients = [u for u in approvers(bulletin, excluding=excluding) if u.email]
    if not recipients:
        return
    url = settings.GRASSROOTS_BASE_URL.rstrip("/") + reverse(
        "bulletins_bulletin:edit", args=[bulletin.pk]
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Bulletin awaiting your approval: %(title)s") % {
            "title": bulletin.title
        }
        body = _(
            "“%(title)s” (%(level)s, %(area)s) was submitted for approval.\n\n"
            "Read it, then approve it or return it with your remarks:\n%(url)s\n"
        ) % {
            "title": bulletin.title,
            "level": bulletin.get_level_display(),
            "area": bulletin.issuing_area.name,
            "url": url,
        }
    messages = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in recipients
    ]

    def send() -> None:
        try:
            send_mass_mail(messages, fail_silently=False)
        except OSError:  # the mail server is down: the dashboard still shows it
            logger.warning("Could not e-mail the approvers of bulletin %s", bulletin.pk)

    transaction.on_commit(send)
