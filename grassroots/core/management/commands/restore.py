"""``grassroots restore ARCHIVE``: put a backup into an empty installation."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grassroots.core import backup


class Command(BaseCommand):
    requires_database = False
    requires_system_checks: list[str] = []
    help = (
        "Restore an archive written by `grassroots backup` into an empty installation "
        "(stop the web, worker and gateway first). Refuses one holding data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database and files of a non-empty installation",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            manifest = backup.restore(Path(archive), force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = backup.table_counts()
        short = {t: n for t, n in manifest["tables"].items() if counts.get(t, 0) < n}
        if short:
            raise CommandError(
                f"restored, but tables have fewer rows than backed up: {short}"
            )
        self.stdout.write(
            f"Restored {archive} (made {manifest['created_at']}): "
            f"{sum(counts.values())} rows, "
            f"{sum(len(f) for f in manifest['files'].values())} files. "
            "Run `grassroots migrate` if this version is newer, then start the services."
        )
