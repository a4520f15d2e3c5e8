"""``grassroots backup``: the database (consistent copy), media and private files in one archive."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grassroots.core import backup


class Command(BaseCommand):
    help = (
        "Write one archive with a consistent copy of the database (SQLite backup API "
        "or pg_dump), the media, the private files and the signing keys."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="the archive to write (default: DATA_DIR/backups/grassroots-<time>.tar.gz)",
        )

    def handle(self, *args, output=None, **options):
        if output is None:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
            output = Path(settings.DATA_DIR) / "backups" / f"grassroots-{stamp}.tar.gz"
        try:
            manifest = backup.backup(Path(output))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        files = sum(len(f) for f in manifest["files"].values())
        self.stdout.write(
            f"{output}: {manifest['vendor']} database ({rows} rows in "
            f"{len(manifest['tables'])} tables), {files} files"
        )
