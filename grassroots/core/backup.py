"""One archive holds the installation: a consistent copy of the database, media, private files.

``grassroots backup`` writes it while everything runs: SQLite through its
online backup API (a consistent snapshot even while the gateway writes),
PostgreSQL through ``pg_dump -Fc`` (one transaction, a snapshot). Then the
media (audio, images), the private files (attachments, citizens' files) and
the signing keys (without which every cluster must be provisioned again).
``manifest.json`` lists the row count of every table and every file with its
size, so a restore can be checked.

``grassroots restore`` puts an archive into an empty installation (no staff
account, no area, no media): it refuses anything else unless ``--force``.
The archive holds secrets (the signing key, password hashes): mode 0600,
kept like ``SECRET_KEY``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

FORMAT = 1
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"


class BackupError(Exception):
    """Said to the operator in one line (no traceback)."""


def _trees() -> dict[str, Path]:
    return {
        "media": Path(settings.MEDIA_ROOT),
        "private": Path(settings.GRASSROOTS_PRIVATE_MEDIA_ROOT),
        "signing": Path(settings.GRASSROOTS_SIGNING_KEYS_DIR),
    }


def table_counts() -> dict[str, int]:
    """Return the row count of every table of the database."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def file_list(root: Path) -> dict[str, int]:
    """Return every file under ``root`` (relative path → size)."""
    if not root.is_dir():
        return {}
    return {
        str(path.relative_to(root)): path.stat().st_size
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _dump_database(into: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        target = into / SQLITE_NAME
        source = sqlite3.connect(str(db["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return SQLITE_NAME
    if connection.vendor == "postgresql":
        args, env = _pg_env(db)
        binary = shutil.which("pg_dump")
        if binary is None:
            raise BackupError(
                "pg_dump is missing: sudo apt-get install -y postgresql-client"
            )
        done = subprocess.run(  # noqa: S603 - pg_dump on our own settings
            [
                binary,
                "--format=custom",
                "--no-owner",
                "--file",
                str(into / PG_NAME),
                *args,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:300]}")
        return PG_NAME
    raise BackupError(f"no backup for the {connection.vendor} database")


def backup(output: Path) -> dict[str, Any]:
    """Write the archive ``output``; return its manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        work_dir = Path(work)
        # Counts first, then the copy: rows added in between are in the copy
        # (and the restore check allows "at least").
        counts = table_counts()
        database = _dump_database(work_dir)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "vendor": connection.vendor,
            "database": database,
            "tables": counts,
            "files": {name: file_list(root) for name, root in _trees().items()},
        }
        (work_dir / "manifest.json").write_text(json.dumps(manifest, indent=1))
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=".archive-")
        os.close(fd)
        with tarfile.open(tmp, "w:gz") as archive:
            archive.add(work_dir / "manifest.json", "manifest.json")
            archive.add(work_dir / database, database)
            for name, root in _trees().items():
                if root.is_dir():
                    archive.add(root, name)
        os.chmod(tmp, 0o600)
        os.replace(tmp, output)
    return manifest


def is_empty() -> tuple[bool, str]:
    """Return whether this installation holds nothing yet, and if not, why."""
    from grassroots.accounts.models import User
    from grassroots.areas.models import Area

    names = set(connection.introspection.table_names())
    if User._meta.db_table in names and User.objects.exists():
        return False, "it has staff accounts"
    if Area._meta.db_table in names and Area.objects.exists():
        return False, "it has areas"
    for name, root in _trees().items():
        if name != "signing" and file_list(root):
            return False, f"{root} holds files"
    return True, ""


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        path = Path(member.name)
        if (
            path.is_absolute()
            or ".." in path.parts
            or not (member.isfile() or member.isdir())
        ):
            raise BackupError(f"refusing a suspicious archive member: {member.name}")
        members.append(member)
    return members


def restore(archive_path: Path, *, force: bool = False) -> dict[str, Any]:
    """Put an archive into this installation; return its manifest."""
    empty, why = is_empty()
    if not empty and not force:
        raise BackupError(
            f"this installation is not empty ({why}): restore into an empty one, "
            "or add --force to replace everything in it"
        )
    with tempfile.TemporaryDirectory(prefix="grassroots-restore-") as work:
        work_dir = Path(work)
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                archive.extractall(work_dir, members=_safe_members(archive))  # noqa: S202 - members checked above
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"cannot read {archive_path}: {exc}") from exc
        try:
            manifest = json.loads((work_dir / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise BackupError(f"{archive_path} has no manifest: not a backup") from exc
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(
                f"the backup is of a {manifest.get('vendor')} database; this installation "
                f"uses {connection.vendor}"
            )
        _restore_database(work_dir / manifest["database"])
        for name, root in _trees().items():
            source = work_dir / name
            if not source.is_dir():
                continue
            if root.exists() and force:
                shutil.rmtree(root)
            root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(source, root, dirs_exist_ok=True)
        if (Path(_trees()["signing"])).is_dir():
            os.chmod(_trees()["signing"], 0o700)
    return manifest


def _restore_database(dump: Path) -> None:
    db = connection.settings_dict
    connections.close_all()
    if connection.vendor == "sqlite":
        target = Path(db["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(str(dump))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    args, env = _pg_env(db)
    binary = shutil.which("pg_restore")
    if binary is None:
        raise BackupError(
            "pg_restore is missing: sudo apt-get install -y postgresql-client"
        )
    done = subprocess.run(  # noqa: S603 - pg_restore on our own settings
        [
            binary,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[:300]}")


def digest(root: Path) -> dict[str, str]:
    """Return every file under ``root`` with its SHA-256 (tests and restore drills)."""
    return {
        rel: hashlib.sha256((root / rel).read_bytes()).hexdigest()
        for rel in file_list(root)
    }
