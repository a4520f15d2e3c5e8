"""The console's home page: boards of your area that stopped reporting."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from ..models import Board, BoardState
from .mixins import local_time

#: Boards listed on the home page at most (the list page has them all).
SHOWN = 10


class OfflineBoardsPanel(Component):
    name = "boards_offline"
    order = 150
    template_name = "boards/console/home_offline.html"

    def __init__(self, request):
        self.request = request

    def offline(self) -> list[Board]:
        boards = scope.scope(
            Board.objects.filter(state=BoardState.ACTIVE)
            .exclude(player_token=None)
            .select_related("area", "status")
            .defer("status__screenshot"),
            self.request.user,
            Capability.VIEW,
        ).order_by("code")
        return [
            b
            for b in boards[:2000]
            if getattr(b, "status", None) is None or not b.status.is_online()
        ]

    def render_html(self, parent_context=None):
        if not scope.can_anywhere(self.request.user, Capability.VIEW):
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context):
        offline = self.offline()
        return {
            "boards": [
                {
                    "board": b,
                    "last_seen": local_time(b.status.last_seen_at)
                    if getattr(b, "status", None) and b.status.last_seen_at
                    else "",
                }
                for b in offline[:SHOWN]
            ],
            "more": max(0, len(offline) - SHOWN),
        }
