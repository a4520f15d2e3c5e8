"""Full-text index on the folded search document (see search.py).

SQLite: an FTS5 table over ``search_document`` kept in step by triggers, so
every write path (ORM, bulk loads, raw SQL) stays searchable. PostgreSQL: a
GIN index on ``to_tsvector('simple', search_document)``. Other databases get
no index and fall back to a scan.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE bulletins_search USING fts5(
        search_document, content='bulletins_bulletin', content_rowid='id',
        tokenize='unicode61')""",
    """CREATE TRIGGER bulletins_search_ai AFTER INSERT ON bulletins_bulletin BEGIN
        INSERT INTO bulletins_search(rowid, search_document)
        VALUES (new.id, new.search_document);
    END""",
    """CREATE TRIGGER bulletins_search_ad AFTER DELETE ON bulletins_bulletin BEGIN
        INSERT INTO bulletins_search(bulletins_search, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
    END""",
    """CREATE TRIGGER bulletins_search_au AFTER UPDATE OF search_document
        ON bulletins_bulletin BEGIN
        INSERT INTO bulletins_search(bulletins_search, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
        INSERT INTO bulletins_search(rowid, search_document)
        VALUES (new.id, new.search_document);
    END""",
    "INSERT INTO bulletins_search(bulletins_search) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS bulletins_search_ai",
    "DROP TRIGGER IF EXISTS bulletins_search_ad",
    "DROP TRIGGER IF EXISTS bulletins_search_au",
    "DROP TABLE IF EXISTS bulletins_search",
]
POSTGRES_FORWARD = [
    "CREATE INDEX bulletin_search_gin ON bulletins_bulletin "
    "USING gin (to_tsvector('simple', search_document))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS bulletin_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
