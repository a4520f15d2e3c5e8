"""What every console view of the boards shares."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateformat import format as date_format

from grassroots.core import console


def local_time(value) -> str:
    return date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""


class ActionFormMixin(console.FormForUserMixin, console.ActionFormMixin):
    """The boards' forms offer only the areas and boards of the user's scope."""
