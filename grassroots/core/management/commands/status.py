"""``grassroots status``: one line per part of the installation, even when parts are down."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from grassroots.core import health


class Command(BaseCommand):
    requires_database = False
    requires_system_checks: list[str] = []
    help = (
        "Check every process, the broker, the database, the job queue, the disk and "
        "the devices online; one line each. Exit code 1 if anything is down."
    )

    def handle(self, *args, **options):
        health.fail_fast()
        checks = health.status()
        for check in checks:
            line = check.line()
            self.stdout.write(
                self.style.SUCCESS(line) if check.ok else self.style.ERROR(line)
            )
        if not all(check.ok for check in checks):
            raise SystemExit(1)
