"""A backup of the demo restores into an empty installation with every row and file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from grassroots.core import backup

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def installation(settings, tmp_path):
    """This installation's files in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "a" / "media"
    settings.GRASSROOTS_PRIVATE_MEDIA_ROOT = tmp_path / "a" / "private"
    settings.GRASSROOTS_SIGNING_KEYS_DIR = tmp_path / "a" / "signing"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def _restore(archive: Path, data_dir: Path, *extra: str, database_url: str = ""):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings.dev",
        "GRASSROOTS_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
    }
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "grassroots", "restore", str(archive), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _pg_target_url() -> tuple[str, str]:
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return (
        name,
        f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}",
    )


def _pg_counts(url: str, tables) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {
            t: _first(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone())  # noqa: S608 - names from the catalogue
            for t in tables
        }


def _pg_recreate(name: str, drop_only: bool = False) -> None:
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def test_the_demo_round_trips_through_backup_and_restore(installation):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = backup.table_counts()
    assert counts["areas_area"] > 100 and counts["bulletins_bulletin"] > 0
    files = {name: backup.digest(root) for name, root in backup._trees().items()}
    assert files["media"] and files["signing"], "the demo makes audio and keys"

    archive = installation / "backup.tar.gz"
    call_command("backup", output=str(archive), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    target = installation / "b"
    database_url = ""
    if connection.vendor == "postgresql":
        name, database_url = _pg_target_url()
        _pg_recreate(name)
    try:
        done = _restore(archive, target, database_url=database_url)
        assert done.returncode == 0, done.stderr[-2000:]
        if connection.vendor == "sqlite":
            restored = sqlite3.connect(target / "grassroots.sqlite3")
            got = {
                t: restored.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
                for t in counts
            }
            restored.close()
        else:
            got = _pg_counts(database_url, counts)
        assert got == counts
        for name, where in (
            ("media", "media"),
            ("private", "private"),
            ("signing", "signing"),
        ):
            assert backup.digest(target / where) == files[name], name

        # Into an installation that holds data: refused, unless --force.
        again = _restore(archive, target, database_url=database_url)
        assert again.returncode != 0
        assert "not empty" in again.stderr
        forced = _restore(archive, target, "--force", database_url=database_url)
        assert forced.returncode == 0, forced.stderr[-2000:]
    finally:
        if connection.vendor == "postgresql":
            _pg_recreate(name, drop_only=True)


def _first(row: tuple | None) -> int:
    assert row is not None
    return int(row[0])
