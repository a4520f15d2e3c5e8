from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_VIEW = ["cap.view_receivedalert"]
_DECIDE = [*_VIEW, "cap.change_receivedalert"]


class CapConfig(AppConfig):
    name = "grassroots.cap"
    label = "cap"
    verbose_name = _("CAP warnings")
    default_auto_field = "django.db.models.BigAutoField"
    # Model permissions only open the console pages; who decides where comes
    # from the scope rule (Capability.BROADCAST_EMERGENCY).
    role_permissions = {
        Role.ADMINISTRATOR: _DECIDE,
        Role.OPERATOR: _DECIDE,
        Role.EDITOR: _VIEW,
        Role.APPROVER: _VIEW,
        Role.FEEDBACK_HANDLER: _VIEW,
        Role.VIEWER: _VIEW,
    }

    audit_actions = {
        "cap.receive": _("received a CAP warning"),
        "cap.refuse": _("refused a CAP warning"),
        "cap.confirm": _("confirmed a CAP warning for the air"),
        "cap.dismiss": _("set a CAP warning aside"),
        "cap.source": _("changed a CAP source"),
    }
