from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grassroots.accounts.roles import Role

_VIEW = ["emergencies.view_emergency"]
_BROADCAST = [*_VIEW, "emergencies.add_emergency", "emergencies.change_emergency"]


class EmergenciesConfig(AppConfig):
    name = "grassroots.emergencies"
    label = "emergencies"
    verbose_name = _("emergency broadcasts")
    default_auto_field = "django.db.models.BigAutoField"
    # Model permissions only open the console pages; where a user may broadcast
    # comes from the scope rule and Capability.BROADCAST_EMERGENCY.
    role_permissions = {
        Role.ADMINISTRATOR: _BROADCAST,
        Role.OPERATOR: _BROADCAST,
        Role.EDITOR: _VIEW,
        Role.APPROVER: _VIEW,
        Role.FEEDBACK_HANDLER: _VIEW,
        Role.VIEWER: _VIEW,
    }

    audit_actions = {
        "emergency.start": _("broadcast an emergency"),
        "emergency.update": _("updated an emergency broadcast"),
        "emergency.cancel": _("cancelled an emergency broadcast"),
        "emergency.expire": _("an emergency broadcast expired"),
        "drill.start": _("started a drill (test of the warning system)"),
        "drill.update": _("updated a drill"),
        "drill.cancel": _("cancelled a drill"),
        "drill.expire": _("a drill ended"),
        "drill.preempt": _("a drill was stopped by a real emergency"),
        "drill.plan": _("planned a drill"),
        "drill.plan_cancel": _("cancelled a planned drill"),
        "drill.plan_run": _("a planned drill started"),
        "drill.plan_missed": _("a planned drill was missed"),
        "drill.plan_failed": _("a planned drill could not start"),
    }

    def ready(self):
        from grassroots.bulletins import channels
        from grassroots.loudspeakers.signals import (
            retained_lost,
            signing_keys_changed,
            unsent_due,
        )

        from . import coverage  # noqa: F401 - registers the report's sent source
        from .channel import (
            on_bulletin,
            on_retained_lost,
            on_signing_keys_changed,
            on_unsent_due,
        )

        signing_keys_changed.connect(
            on_signing_keys_changed, dispatch_uid="emergencies-reseal"
        )
        retained_lost.connect(on_retained_lost, dispatch_uid="emergencies-republish")
        unsent_due.connect(on_unsent_due, dispatch_uid="emergencies-unsent")

        # Every channel: an update that takes a bulletin off the loudspeakers
        # is dispatched to its remaining channels only, and must still cancel.
        for name in channels.Channel.values:
            channels.register(name, on_bulletin)
