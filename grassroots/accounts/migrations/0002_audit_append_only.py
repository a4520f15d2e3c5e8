"""Make the audit log append-only in the database itself, not only in the ORM."""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION accounts_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The audit log is append-only';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER accounts_auditentry_no_update
    BEFORE UPDATE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only();
    """,
]
SQLITE = [
    """
    CREATE TRIGGER accounts_auditentry_no_update
    BEFORE UPDATE ON accounts_auditentry
    BEGIN SELECT RAISE(ABORT, 'The audit log is append-only'); END;
    """,
]
REVERSE = ["DROP TRIGGER IF EXISTS accounts_auditentry_no_update" ]


def forwards(apps, schema_editor):
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    suffix = " ON accounts_auditentry" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(REVERSE[0] + suffix)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
