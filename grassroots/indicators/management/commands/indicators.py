import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from grassroots.indicators import periods, reports, service
from grassroots.indicators.lookup import find_area


class Command(BaseCommand):
    help = (
        "Print the indicators of an area for a period, the same values as the "
        "console dashboard. Example: grassroots indicators --area 82 --from "
        "01/01/2025 --to 31/12/2025 --format json"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--area",
            required=True,
            help="province or commune code (82, 28261), a path (82/28261/H01), or 'all'",
        )
        parser.add_argument(
            "--from", dest="start", help="first day, dd/mm/yyyy (default: 1 January)"
        )
        parser.add_argument(
            "--to", dest="end", help="last day, dd/mm/yyyy (default: today)"
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--units",
            action="store_true",
            help="also give each unit one level below (communes of a province…)",
        )
        parser.add_argument(
            "--live",
            action="store_true",
            help="compute this month now rather than read the worker's figures "
            "of the last few minutes",
        )

    def handle(self, *args, area, start, end, format, units, live, **options):
        # Vietnamese first, as in the console (Django commands start in English).
        translation.activate(settings.LANGUAGE_CODE)
        try:
            target = find_area(area)
            end_date = periods.parse_date(end) if end else periods.today()
            start_date = (
                periods.parse_date(start) if start else end_date.replace(month=1, day=1)
            )
            periods.check_period(start_date, end_date)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with service.reading(live=live):
            results = service.results(target, start_date, end_date)
            breakdown = (
                service.breakdown(target, start_date, end_date) if units else None
            )
        if format == "json":
            self.stdout.write(
                json.dumps(
                    self._json(target, start_date, end_date, results, breakdown),
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        name = target.full_name if target else translation.gettext("Whole country")
        self.stdout.write(
            f"{name} — {periods.label(start_date)} – {periods.label(end_date)}"
        )
        for r in results:
            m = r.measure
            parts = (
                f"{reports.format_number(m.numerator)}/{reports.format_number(m.denominator)}"
                if m
                else "—"
            )
            self.stdout.write(
                f"  {r.spec.code:<24} {reports.format_value(r.value, r.spec.unit):>8}"
                f"  ({parts})  {reports.format_target(r.spec, end_date):>6}"
                f"  {r.status_label}"
            )
        if breakdown:
            children, entries, table = breakdown
            for child in children:
                values = []
                for entry in entries:
                    res = table[entry.spec.code].get(child.pk)
                    values.append(
                        f"{entry.spec.code}={reports.format_value(res.value, entry.spec.unit) if res else '—'}"
                    )
                self.stdout.write(
                    f"    {child.code:<8} {child.name:<32} {' '.join(values)}"
                )

    def _json(self, target, start, end, results, breakdown):
        data = {
            "area": None
            if target is None
            else {"code": target.code, "path": target.path, "name": target.name},
            "from": start.isoformat(),
            "to": end.isoformat(),
            "indicators": [r.as_dict() for r in results],
        }
        if breakdown:
            children, entries, table = breakdown
            data["units"] = [
                {
                    "code": child.code,
                    "path": child.path,
                    "name": child.name,
                    "indicators": [
                        table[e.spec.code][child.pk].as_dict()
                        for e in entries
                        if child.pk in table[e.spec.code]
                    ],
                }
                for child in children
            ]
        return data
