"""``grassroots coverage-rebuild [--bulletin ID ...]``: recompute the coverage tables."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from grassroots.accounts import audit
from grassroots.dissemination import coverage


class Command(BaseCommand):
    help = (
        "Recompute the coverage of bulletins from the stored play events (after "
        "installing the app over existing events, or a restore). Reads the raw "
        "events: slow at national scale."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bulletin",
            type=int,
            action="append",
            help="Only this bulletin (repeat for several); all by default.",
        )

    def handle(self, *args, bulletin=None, **options):
        with audit.acting_as(audit.Origin(source="command line")):
            events = coverage.rebuild(bulletin)
            audit.record("coverage.rebuild", data={"bulletins": bulletin or "all"})
        self.stdout.write(f"{events} play events of bulletins read.")
