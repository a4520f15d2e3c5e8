from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_VIEW = [
    "boards.view_board",
    "boards.view_boarditem",
    "boards.view_takeover",
]
_CONTENT = [
    "boards.add_boarditem",
    "boards.change_boarditem",
    "boards.delete_boarditem",
]


class BoardsConfig(AppConfig):
    name = "grassroots.boards"
    label = "boards"
    verbose_name = _("e-bulletin boards")
    default_auto_field = "django.db.models.BigAutoField"
    # Model permissions only open the console pages; which boards a user may
    # touch, and how, comes from the scope rule and the capabilities.
    role_permissions = {
        Role.ADMINISTRATOR: [
            *_VIEW,
            *_CONTENT,
            "boards.add_board",
            "boards.change_board",
            "boards.view_allowedorigin",
            "boards.add_allowedorigin",
            "boards.delete_allowedorigin",
        ],
        Role.OPERATOR: [*_VIEW, *_CONTENT],
        Role.EDITOR: _VIEW,
        Role.APPROVER: _VIEW,
        Role.FEEDBACK_HANDLER: _VIEW,
        Role.VIEWER: _VIEW,
    }

    audit_actions = {
        "board.register": _("registered an e-bulletin board"),
        "board.change": _("changed an e-bulletin board"),
        "board.rotate_address": _("gave a board a new player address"),
        "board.revoke_address": _("revoked a board's player address"),
        "board.command": _("sent a command to a board"),
        "board_item.create": _("added an item to the boards"),
        "board_item.change": _("changed an item of the boards"),
        "board_item.delete": _("removed an item from the boards"),
        "board_origin.add": _("allowed a web site on the boards"),
        "board_origin.delete": _("removed an allowed web site"),
        "board_origin.change": _("changed an allowed web site"),
        "board.takeover": _("put an emergency on the boards"),
        "board.takeover_update": _("updated an emergency on the boards"),
        "board.release": _("ended an emergency on the boards"),
    }

    def ready(self):
        from grassroots.bulletins import channels

        from .channel import on_bulletin

        # Every channel, not only "boards": an update that takes a bulletin
        # off the boards is dispatched to its remaining channels only, and the
        # boards must still hear of it (see channel.py).
        for name in channels.Channel.values:
            channels.register(name, on_bulletin)
