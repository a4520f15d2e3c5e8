"""Is the database there and migrated? Commands say what to run first instead of a traceback.

A newcomer's first command often runs before ``grassroots migrate``; a server
after an upgrade may run one before the new migrations. Either way the answer
is one line naming the command that fixes it.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

MIGRATE_FIRST = (
    "The database is not set up yet: run `grassroots migrate` first "
    "(`make run` does it and loads the demo)."
)
MIGRATE_AGAIN = (
    "The database is older than this version ({count} migrations to apply): "
    "run `grassroots migrate` first."
)


def tables_exist(*models: type[Model], using: str = DEFAULT_DB_ALIAS) -> bool:
    """Return whether the tables of ``models`` exist (one cheap query, no migration graph)."""
    names = set(connections[using].introspection.table_names())
    return all(model._meta.db_table in names for model in models)


def problem(*, migrations: bool = True, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Return one line saying what to do before the database can be used, or None.

    Called after a database error, to tell a missing or old schema (or a
    server that does not answer) from a bug, which keeps its traceback.
    ``migrations=False`` asks only whether the database answers (for
    ``migrate`` itself, which must not be told to run itself).
    """
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[using]
    try:
        connection.close()  # a fresh start: the failed one may be in a broken state
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return (
            f"Cannot open the database ({_where(connection.settings_dict)}): "
            f"{_first_line(exc)}. Start it, or check DATABASE_URL."
        )
    if not plan or not migrations:
        return None
    applied = executor.loader.applied_migrations
    return MIGRATE_AGAIN.format(count=len(plan)) if applied else MIGRATE_FIRST


def _where(settings: dict) -> str:
    if settings.get("HOST"):
        return f"{settings['HOST']}:{settings.get('PORT') or 'default port'}"
    return str(settings.get("NAME"))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__
