"""The audit log refuses DELETE and TRUNCATE too, in the database itself.

0002 refused UPDATE only: a ``DELETE FROM accounts_auditentry`` (or, on
PostgreSQL, ``TRUNCATE``) through any SQL path wiped the record. SQLite has
no TRUNCATE: its ``DELETE`` without ``WHERE`` runs row triggers like any other.
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE TRIGGER accounts_auditentry_no_delete
    BEFORE DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only();
    """,
    """
    CREATE TRIGGER accounts_auditentry_no_truncate
    BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_append_only();
    """,
]
SQLITE = [
    """
    CREATE TRIGGER accounts_auditentry_no_delete
    BEFORE DELETE ON accounts_auditentry
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only'); END;
    """,
]
TRIGGERS = {
    "postgresql": ["accounts_auditentry_no_delete", "accounts_auditentry_no_truncate"],
    "sqlite": ["accounts_auditentry_no_delete"],
}


def forwards(apps, schema_editor):
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    suffix = " ON accounts_auditentry" if vendor == "postgresql" else ""
    for name in TRIGGERS.get(vendor, []):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{suffix}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_audit_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
