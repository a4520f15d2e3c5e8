"""Full-text indexes on the folded title and document (see search.py).

SQLite: an FTS5 table over ``search_title`` and ``search_document`` kept in
step by triggers, so every write path (ORM, bulk loads, raw SQL) stays
searchable. PostgreSQL: generated ``tsvector`` columns (``'simple'``
configuration: the text is already folded) with GIN indexes.
Other databases get no index and fall back to a scan.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE bulletins_search USING fts5(
        search_title, search_document, content='bulletins_bulletin',
        content_rowid='id', tokenize='unicode61')""",
    """CREATE TRIGGER bulletins_search_ai AFTER INSERT ON bulletins_bulletin BEGIN
        INSERT INTO bulletins_search(rowid, search_title, search_document)
        VALUES (new.id, new.search_title, new.search_document);
    END""",
    """CREATE TRIGGER bulletins_search_ad AFTER DELETE ON bulletins_bulletin BEGIN
        INSERT INTO bulletins_search(bulletins_search, rowid, search_title,
            search_document)
        VALUES ('delete', old.id, old.search_title, old.search_document);
    END""",
    """CREATE TRIGGER bulletins_search_au AFTER UPDATE OF search_title,
        search_document ON bulletins_bulletin BEGIN
        INSERT INTO bulletins_search(bulletins_search, rowid, search_title,
            search_document)
        VALUES ('delete', old.id, old.search_title, old.search_document);
        INSERT INTO bulletins_search(rowid, search_title, search_document)
        VALUES (new.id, new.search_title, new.search_document);
    END""",
    "INSERT INTO bulletins_search(bulletins_search) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS bulletins_search_ai",
    "DROP TRIGGER IF EXISTS bulletins_search_ad",
    "DROP TRIGGER IF EXISTS bulletins_search_au",
    "DROP TABLE IF EXISTS bulletins_search",
]
# Stored vectors, not expression indexes: a query that filters on the words
# after another index (a category, an area) would otherwise recompute the
# vector of every candidate document.
POSTGRES_FORWARD = [
    "ALTER TABLE bulletins_bulletin ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_document)) STORED",
    "ALTER TABLE bulletins_bulletin ADD COLUMN search_title_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_title)) STORED",
    "CREATE INDEX bulletin_search_gin ON bulletins_bulletin USING gin (search_vector)",
    "CREATE INDEX bulletin_search_title_gin ON bulletins_bulletin "
    "USING gin (search_title_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS bulletin_search_gin",
    "DROP INDEX IF EXISTS bulletin_search_title_gin",
    "ALTER TABLE bulletins_bulletin DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE bulletins_bulletin DROP COLUMN IF EXISTS search_title_vector",
]


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
