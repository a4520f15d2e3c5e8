"""One Django group per role, carrying the model permissions Wagtail's UI checks.

Wagtail shows menus and buttons from model permissions; *which rows* a user
may touch comes from the scope rule on top. Each app says what its models
need in ``AppConfig.role_permissions``: ``{role: ["app_label.codename", ...]}``.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from .roles import Role

#: Every role may open the console.
COMMON_PERMISSIONS = ("wagtailadmin.access_admin",)


def group_name(role: str) -> str:
    return f"role:{role}"


def wanted_permissions() -> dict[str, set[str]]:
    """Return, for each role, the permissions every installed app asks for."""
    wanted: dict[str, set[str]] = {
        role: set(COMMON_PERMISSIONS) for role in Role.values
    }
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            wanted[role].update(perms)
    return wanted


def ensure_role_groups() -> None:
    """Create or update the role groups; run after every migration."""
    by_key = {
        f"{app}.{codename}": pk
        for pk, app, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in wanted_permissions().items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        group.permissions.set([by_key[p] for p in perms if p in by_key])
