from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role


class AreasConfig(AppConfig):
    name = "grassroots.areas"
    label = "areas"
    verbose_name = _("administrative areas")
    audit_actions = {
        "areas.import_catalogue": _("imported the unit catalogue"),
        "areas.import_hamlets": _("imported hamlets"),
        "areas.create_hamlet": _("added a hamlet"),
        "areas.change_hamlet": _("changed a hamlet"),
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
