from django.core.management.base import BaseCommand
from django.db import transaction

from grassroots.bulletins.models import Bulletin


class Command(BaseCommand):
    help = (
        "Recompute the folded search fields of every bulletin. Run it after "
        "areas were recoded or moved (their codes are part of the search "
        "document) or after changing how text is folded."
    )

    def handle(self, *args, **options):
        done = 0
        ids = list(Bulletin.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                batch = Bulletin.objects.filter(pk__in=ids[start : start + 500])
                for bulletin in batch.prefetch_related("target_areas"):
                    bulletin.refresh_search_fields()
                    Bulletin.objects.filter(pk=bulletin.pk).update(
                        search_title=bulletin.search_title,
                        search_document=bulletin.search_document,
                    )
                    done += 1
        self.stdout.write(f"Search fields recomputed for {done} bulletins.")
