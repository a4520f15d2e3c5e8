"""Roles that staff hold on an area, and what each role may do there.

A role held on an area applies to that area and everything under it. Code asks
for a *capability* (what is about to happen), never for a role, so that a new
role is one line in ``ROLE_CAPABILITIES``.
"""

from __future__ import annotations

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from grassroots.areas.words import hamlet_label


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    EDITOR = "editor", _("editor")
    APPROVER = "approver", _("approver")
    OPERATOR = "operator", _("radio operator")
    FEEDBACK_HANDLER = "feedback_handler", _("feedback handler")
    VIEWER = "viewer", _("viewer")


class Capability(models.TextChoices):
    VIEW = "view", _("see the area's data")
    WRITE_BULLETINS = "write_bulletins", _("write bulletins")
    APPROVE_BULLETINS = "approve_bulletins", _("approve and publish bulletins")
    OPERATE_BROADCASTS = "operate_broadcasts", _("schedule programmes and play now")
    BROADCAST_EMERGENCY = "broadcast_emergency", _("broadcast and cancel emergencies")
    COMMAND_DEVICES = "command_devices", _("send commands to loudspeakers and boards")
    MANAGE_DEVICES = "manage_devices", _("register devices and their credentials")
    HANDLE_FEEDBACK = "handle_feedback", _("handle citizen feedback")
    MANAGE_AREAS = (
        "manage_areas",
        format_lazy(
            _("keep the list of {hamlets}"),
            hamlets=hamlet_label(capital=False, plural=True),
        ),
    )
    MANAGE_USERS = "manage_users", _("manage staff accounts and roles")
    MANAGE_TRAINING = "manage_training", _("keep training records")
    VIEW_AUDIT = "view_audit", _("read the audit log")
    EXPORT_REPORTS = "export_reports", _("export reports")


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(Capability.values),
    Role.EDITOR: frozenset({C.VIEW, C.WRITE_BULLETINS, C.EXPORT_REPORTS}),
    Role.APPROVER: frozenset({C.VIEW, C.APPROVE_BULLETINS, C.EXPORT_REPORTS}),
    Role.OPERATOR: frozenset(
        {
            C.VIEW,
            C.OPERATE_BROADCASTS,
            C.BROADCAST_EMERGENCY,
            C.COMMAND_DEVICES,
            C.EXPORT_REPORTS,
        }
    ),
    Role.FEEDBACK_HANDLER: frozenset({C.VIEW, C.HANDLE_FEEDBACK, C.EXPORT_REPORTS}),
    Role.VIEWER: frozenset({C.VIEW, C.EXPORT_REPORTS}),
}

#: Capabilities whose holders can put sound on the loudspeakers.
BROADCASTING_CAPABILITIES = frozenset({C.OPERATE_BROADCASTS, C.BROADCAST_EMERGENCY})
#: Whoever can broadcast, command devices, approve (publish) or administer
#: must enrol a second factor when GRASSROOTS_REQUIRE_2FA is on (the default
#: in production): a stolen password alone must not reach the public.
SECOND_FACTOR_CAPABILITIES = BROADCASTING_CAPABILITIES | frozenset(
    {
        C.COMMAND_DEVICES,
        C.APPROVE_BULLETINS,
        C.MANAGE_USERS,
        C.MANAGE_DEVICES,
        C.MANAGE_AREAS,
    }
)


def roles_with(capability: str) -> list[str]:
    """Return the roles that carry ``capability``."""
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
