"""Template tags of the boards: the proof of display shown on a bulletin's console page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from .. import coverage
from ..models import Board

register = template.Library()


@register.filter
def on_screen(seconds) -> str:
    """Return a time on screen as people say it: "3 min 05 s", "1 h 20 min"."""
    total = int(round(float(seconds or 0)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
    return _("%(s)d s") % {"s": secs}


@register.inclusion_tag("boards/console/bulletin_displays.html", takes_context=True)
def board_displays(context, bulletin):
    """Render which boards (in the user's scope) showed ``bulletin``, and how long."""
    user = context["request"].user
    mine = set(
        scope.scope(Board.objects.all(), user, Capability.VIEW).values_list(
            "pk", flat=True
        )
    )
    result = coverage.displays_for(bulletin.pk)
    boards = [b for b in result.boards if b.board_id in mine]
    return {
        "boards": boards,
        "total": sum(b.total_seconds for b in boards),
        "communes": len({b.commune_id for b in boards if b.commune_id}),
        "on_boards": bulletin.on_boards,
    }
