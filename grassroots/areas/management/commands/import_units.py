from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grassroots.areas import actions
from grassroots.core.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import provinces and communes from the official catalogue (34 provinces, "
        "3,321 communes since 1 July 2025). Running it again updates; it never "
        "duplicates. Example: grassroots import-units --province 82"
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--province",
            type=int,
            action="append",
            metavar="CODE",
            help="province code, e.g. 82 for Đồng Tháp; repeat for several",
        )
        group.add_argument(
            "--all", action="store_true", help="every province of Vietnam"
        )

    def handle(self, *args, province=None, all=False, **options):
        codes = None if all else province
        with progress_bar(actions.catalogue_size(codes), "Importing units") as step:
            try:
                result = actions.import_catalogue(codes, progress=step)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(str(result)))
