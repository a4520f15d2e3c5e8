from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_READ = [
    "bulletins.view_bulletin",
    "bulletins.view_category",
    "bulletins.view_inboxitem",
]
_WRITE = [
    "bulletins.add_bulletin",
    "bulletins.change_bulletin",
    "bulletins.delete_bulletin",
]


class BulletinsConfig(AppConfig):
    name = "grassroots.bulletins"
    label = "bulletins"
    verbose_name = _("bulletins")
    default_auto_field = "django.db.models.BigAutoField"
    # Model permissions only open the console pages; which bulletins a user
    # may touch comes from the scope rule (rules.py, permissions.py).
    #: Who may open which private file (core/private_files.py).
    private_files = {"bulletins": "grassroots.bulletins.attachments.private_file"}
    role_permissions = {
        Role.ADMINISTRATOR: [
            *_READ,
            *_WRITE,
            "bulletins.change_inboxitem",
            "bulletins.add_category",
            "bulletins.change_category",
            "bulletins.add_peersystem",
            "bulletins.change_peersystem",
            "bulletins.view_peersystem",
        ],
        Role.EDITOR: [*_READ, *_WRITE],
        Role.APPROVER: [
            *_READ,
            "bulletins.change_bulletin",
            "bulletins.change_inboxitem",
        ],
        Role.OPERATOR: [*_READ, "bulletins.change_inboxitem"],
        Role.FEEDBACK_HANDLER: _READ,
        Role.VIEWER: _READ,
    }
