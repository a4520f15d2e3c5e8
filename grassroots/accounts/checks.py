from django.core.checks import Error, Tags, register
from django.db import connection
from django.db.utils import DatabaseError

TRIGGER = "accounts_auditentry_no_update"
MIGRATION = "0002_audit_append_only"
DELETE_MIGRATION = "0003_audit_no_delete"


@register(Tags.database)
def audit_log_is_append_only(app_configs, **kwargs):
    """Report a database whose audit table lost one of its append-only triggers."""
    from . import audit_triggers

    if connection.vendor not in audit_triggers.CREATE:
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM django_migrations WHERE app = 'accounts' "
                "AND name IN (%s, %s)",
                [MIGRATION, DELETE_MIGRATION],
            )
            applied = {row[0] for row in cursor.fetchall()}
        if MIGRATION not in applied:
            return []  # not migrated yet: migrate creates the triggers
        expected = [TRIGGER]
        if DELETE_MIGRATION in applied:
            expected = list(audit_triggers.CREATE[connection.vendor])
        missing = set(expected) - set(audit_triggers.present(connection))
    except DatabaseError:
        return []  # no database yet
    if not missing:
        return []
    return [
        Error(
            "The audit log table has no append-only trigger: "
            + ", ".join(sorted(missing))
            + ".",
            hint="Run 'grassroots migrate'; if it is migrated, a later migration altered the table: recreate the triggers of migrations accounts 0002 and 0003.",
            id="grassroots.E001",
        )
    ]
