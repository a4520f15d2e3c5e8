from django.apps import AppConfig
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

from .words import hamlet_label


class AreasConfig(AppConfig):
    name = "grassroots.areas"
    label = "areas"
    verbose_name = _("administrative areas")
    audit_actions = {
        "areas.import_catalogue": _("imported the unit catalogue"),
        "areas.import_hamlets": format_lazy(
            _("imported {hamlets}"), hamlets=hamlet_label(capital=False, plural=True)
        ),
        "areas.create_hamlet": format_lazy(
            _("added a {hamlet}"), hamlet=hamlet_label(capital=False)
        ),
        "areas.change_hamlet": format_lazy(
            _("changed a {hamlet}"), hamlet=hamlet_label(capital=False)
        ),
        "areas.activate": _("reactivated an area"),
        "areas.deactivate": _("retired an area"),
        "areas.delete": _("deleted an area"),
    }
    role_permissions = {
        Role.ADMINISTRATOR: ["areas.add_area", "areas.change_area", "areas.view_area"],
        Role.EDITOR: ["areas.view_area"],
        Role.APPROVER: ["areas.view_area"],
        Role.OPERATOR: ["areas.view_area"],
        Role.FEEDBACK_HANDLER: ["areas.view_area"],
        Role.VIEWER: ["areas.view_area"],
    }
