"""Template tags of the boards: the proof of display shown on a bulletin's console page."""

from __future__ import annotations

from django import template

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from .. import coverage
from ..models import Board

register = template.Library()


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
        "hours": round(sum(b.total_seconds for b in boards) / 3600, 1),
        "communes": len({b.commune_id for b in boards if b.commune_id}),
        "on_boards": bulletin.on_boards,
    }
