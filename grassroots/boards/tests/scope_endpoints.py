"""Staff lists of the boards app, for the scope harness."""

from grassroots.accounts.roles import Capability
from grassroots.boards import actions
from grassroots.testing.scope import ScopedEndpoint

from .builders import make_board, make_item


def _board(area, marker):
    return make_board(area, name=marker)


def _item(area, marker):
    return make_item(area, title=marker)


def _takeover(area, marker):
    return actions.take_over(
        emergency_id=marker,
        area_paths=[area.path],
        title=marker,
        text="",
        level="emergency",
        actor=None,
    )


ENDPOINTS = [
    ScopedEndpoint(
        "console boards", "/console/boards/?q={marker_prefix}", _board, Capability.VIEW
    ),
    ScopedEndpoint(
        "console board items",
        "/console/boards/items/?q={marker_prefix}",
        _item,
        Capability.VIEW,
    ),
    ScopedEndpoint(
        "console board emergencies",
        "/console/boards/emergencies/?q={marker_prefix}",
        _takeover,
        Capability.VIEW,
    ),
    ScopedEndpoint(
        "api boards",
        "/api/v1/boards/",
        _board,
        Capability.VIEW,
        refused=(401, 403),
        json=True,
    ),
]
