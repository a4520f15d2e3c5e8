"""Django's ``flush``, able to empty the append-only audit log.

The audit table refuses DELETE and TRUNCATE by trigger (migration accounts
0003); ``flush`` (which tests between transactional cases and ``make reset``
use) lifts those triggers for its own statements only and puts them back,
whatever happens. Someone who can run this command owns the database anyway.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from grassroots.accounts import audit_triggers as triggers


@contextmanager
def audit_log_unlocked(connection):
    """Drop the no-delete triggers on ``connection`` for the block, then restore them."""
    if "accounts_auditentry" not in connection.introspection.table_names():
        yield
        return
    present = triggers.present(connection)
    with connection.cursor() as cursor:
        for statement in triggers.drop_statements(connection.vendor, present):
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in triggers.create_statements(connection.vendor, present):
                cursor.execute(statement)


class Command(FlushCommand):
    help = FlushCommand.help + " The audit log's no-delete triggers are restored after."

    def handle(self, **options):
        connection = connections[options["database"]]
        with audit_log_unlocked(connection):
            return super().handle(**options)
