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

    audit_actions = {
        "account.login": _("logged in"),
        "account.logout": _("logged out"),
        "account.login_failed": _("failed to log in"),
        "account.create": _("created a staff account"),
        "account.change": _("changed a staff account"),
        "account.activate": _("reopened a staff account"),
        "account.deactivate": _("closed a staff account"),
        "account.delete": _("deleted a staff account"),
        "account.own_change": _("changed their own account"),
        "account.password_change": _("changed their own password"),
        "account.password_reset": _("set a new password from the e-mailed link"),
        "account.2fa_enable": _("turned on two-step verification"),
        "account.2fa_disable": _("turned off two-step verification"),
        "account.2fa_replace_start": _(
            "began moving two-step verification to a new phone"
        ),
        "account.2fa_replace": _("moved two-step verification to a new phone"),
        "account.2fa_reset": _("reset someone's two-step verification"),
        "account.2fa_verified": _("passed two-step verification"),
        "account.2fa_failed": _("gave a wrong verification code"),
        "role.grant": _("granted a role"),
        "role.revoke": _("took back a role"),
    }

    def ready(self):
        from . import checks  # noqa: F401 - registers the system check
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
