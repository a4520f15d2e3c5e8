from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .roles import Role


class AccountsConfig(AppConfig):
    name = "grassroots.accounts"
    label = "accounts"
    verbose_name = _("staff accounts")
    role_permissions = {
        Role.ADMINISTRATOR: [
            "accounts.add_user",
            "accounts.change_user",
            "accounts.add_roleassignment",
            "accounts.change_roleassignment",
            "accounts.delete_roleassignment",
            "accounts.view_auditentry",
        ],
    }

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
