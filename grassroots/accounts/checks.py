from django.core.checks import Error, Tags, register
from django.db import connection
from django.db.utils import DatabaseError

TRIGGER = "accounts_auditentry_no_update"
MIGRATION = "0002_audit_append_only"


@register(Tags.database)
def audit_log_is_append_only(app_configs, **kwargs):
    """Report a database whose audit table lost its no-update trigger."""
    queries = {
        "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
        "postgresql": "SELECT 1 FROM pg_trigger WHERE tgname = %s",
    }
    query = queries.get(connection.vendor)
    if query is None:
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM django_migrations WHERE app = 'accounts' AND name = %s",
                [MIGRATION],
            )
            if cursor.fetchone() is None:
                return []  # not migrated yet: migrate creates the trigger
            cursor.execute(query, [TRIGGER])
            if cursor.fetchone() is not None:
                return []
    except DatabaseError:
        return []  # no database yet
    return [
        Error(
            "The audit log table has no append-only trigger.",
            hint="Run 'grassroots migrate'; if it is migrated, a later migration altered the table: recreate the trigger of migration accounts 0002.",
            id="grassroots.E001",
        )
    ]
