from django.core.management.base import BaseCommand

from grassroots.accounts import audit
from grassroots.core.progress import progress_bar
from grassroots.indicators import registry, snapshots


class Command(BaseCommand):
    help = (
        "Fill the monthly indicator snapshots that the dashboard reads for closed "
        "months (the worker does it every hour). Only missing months are computed, "
        "unless --restate N asks to re-compute the last N closed months. "
        "--provisional re-computes the open month so far instead (the worker does "
        "it every few minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=snapshots.HISTORY_MONTHS)
        parser.add_argument("--restate", type=int, default=0)
        parser.add_argument("--provisional", action="store_true")

    def handle(self, *args, months, restate, provisional, **options):
        if provisional:
            with audit.acting_as(audit.Origin(source="command line")):
                with progress_bar(
                    len(registry.measured()), "Provisional snapshots"
                ) as step:
                    written = snapshots.refresh_provisional(progress=step)
            self.stdout.write(
                self.style.SUCCESS(f"{written} provisional snapshots written")
            )
            return
        steps = len(registry.measured()) * months
        with audit.acting_as(audit.Origin(source="command line")):
            with progress_bar(steps, "Indicator snapshots") as step:
                written = snapshots.refresh(
                    history=months, restate=restate, progress=step
                )
        self.stdout.write(self.style.SUCCESS(f"{written} snapshots written"))
