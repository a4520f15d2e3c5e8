from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grassroots.areas import actions
from grassroots.areas.models import Area, Level
from grassroots.core import tabular


class Command(BaseCommand):
    help = (
        "Import hamlets (ấp, thôn, tổ dân phố) from a CSV or XLSX file with the "
        "columns code, name, kind, latitude, longitude (and commune_code, or "
        "--commune). The whole file is checked first: if any row is wrong, "
        "nothing is imported and every problem is listed by line and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV or XLSX file")
        parser.add_argument(
            "--commune",
            metavar="CODE",
            help="the commune's official code, when the file has no commune column",
        )

    def handle(self, *args, file: Path, commune=None, **options):
        target = None
        if commune:
            target = Area.objects.filter(level=Level.COMMUNE, code=commune).first()
            if target is None:
                raise CommandError(
                    f"No commune has the code {commune}. Import the catalogue first: "
                    "grassroots import-units --province CODE"
                )
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            with file.open("rb") as handle:
                result = actions.import_hamlets(handle, commune=target)
        except tabular.TableError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing was imported: {len(exc.errors)} problem(s) in {file.name}."
            ) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(str(result)))
