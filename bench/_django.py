"""Set up Django for a benchmark on a fresh database of its own (SQLite or PostgreSQL)."""

from __future__ import annotations

import os


def setup_django(args) -> None:
    """Start Django on ``args.database`` (sqlite or postgres), emptied first.

    ``args.data_dir`` holds the SQLite file and media; ``args.postgres_url``
    names a PostgreSQL database that is dropped and created again.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")
    os.environ["GRASSROOTS_DATA_DIR"] = args.data_dir
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.postgres_url
        import psycopg

        name = args.postgres_url.rsplit("/", 1)[1]
        admin = args.postgres_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
