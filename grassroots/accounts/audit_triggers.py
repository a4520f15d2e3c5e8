"""The database triggers that keep the audit log append-only, by name and SQL.

Migrations accounts 0002 (UPDATE) and 0003 (DELETE, TRUNCATE) create them;
the system check reports a lost one; ``flush`` lifts the delete ones for its
own statements only.
"""

from __future__ import annotations

_FUNCTION = "accounts_auditentry_append_only()"

CREATE = {
    "postgresql": {
        "accounts_auditentry_no_update": "CREATE TRIGGER accounts_auditentry_no_update "
        "BEFORE UPDATE ON accounts_auditentry "
        f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}",
        "accounts_auditentry_no_delete": "CREATE TRIGGER accounts_auditentry_no_delete "
        "BEFORE DELETE ON accounts_auditentry "
        f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}",
        "accounts_auditentry_no_truncate": "CREATE TRIGGER "
        "accounts_auditentry_no_truncate BEFORE TRUNCATE ON accounts_auditentry "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}",
    },
    "sqlite": {
        "accounts_auditentry_no_update": "CREATE TRIGGER accounts_auditentry_no_update "
        "BEFORE UPDATE ON accounts_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only'); END",
        "accounts_auditentry_no_delete": "CREATE TRIGGER accounts_auditentry_no_delete "
        "BEFORE DELETE ON accounts_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only'); END",
    },
}
#: Triggers that stop emptying the table (lifted by ``flush``).
DELETE_GUARDS = ("accounts_auditentry_no_delete", "accounts_auditentry_no_truncate")


def present(connection) -> list[str]:
    """Return the names of our audit triggers that exist on ``connection``."""
    names = list(CREATE.get(connection.vendor, {}))
    if not names:
        return []
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = %s",
        "postgresql": "SELECT tgname FROM pg_trigger WHERE tgname = %s",
    }[connection.vendor]
    found = []
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(query, [name])
            if cursor.fetchone() is not None:
                found.append(name)
    return found


def drop_statements(vendor: str, names: list[str]) -> list[str]:
    suffix = " ON accounts_auditentry" if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {n}{suffix}" for n in names if n in DELETE_GUARDS]


def create_statements(vendor: str, names: list[str]) -> list[str]:
    return [CREATE[vendor][n] for n in names if n in DELETE_GUARDS]
