"""Audit entries for logins, and the role groups after migrations.

Logins happen inside Django's and Wagtail's own views, so signals are the only
place to see them.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_migrate

from . import audit
from .groups import ensure_role_groups


def record_login(sender, request, user, **kwargs):
    audit.record("account.login", user, user)


def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("account.logout", user, user)


def record_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        "account.login_failed", None, data={"username": username}, object_repr=username
    )


def create_role_groups(sender, **kwargs):
    # Permissions are created app by app after migrating; the groups need all
    # of them, so wait for the last app with models.
    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    if sender.label == last.label:
        ensure_role_groups()


def register_signal_handlers() -> None:
    user_logged_in.connect(record_login, dispatch_uid="grassroots_audit_login")
    user_logged_out.connect(record_logout, dispatch_uid="grassroots_audit_logout")
    user_login_failed.connect(
        record_login_failure, dispatch_uid="grassroots_audit_login_failed"
    )
    post_migrate.connect(create_role_groups, dispatch_uid="grassroots_role_groups")
