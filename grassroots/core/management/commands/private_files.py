"""Move files uploaded before private storage existed out of the public media."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand
from django.utils import timezone

from grassroots.core.private_files import move_to_private


def _feedback_name(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()[:5] if "." in name else "bin"
    return f"feedback/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Command(BaseCommand):
    help = (
        "Move citizens' files and bulletins' attachments still in the public media "
        "storage to the private one (photos lose their metadata). The migrations "
        "do it on upgrade; run it again after copying media from elsewhere. "
        "Safe to run twice."
    )

    def handle(self, *args, **options) -> None:
        from grassroots.bulletins.models import Attachment as BulletinFile
        from grassroots.feedback.models import Attachment as FeedbackFile

        bulletins = move_to_private(BulletinFile)
        feedback = move_to_private(
            FeedbackFile, rename=_feedback_name, clean_images=True
        )
        self.stdout.write(
            f"Moved {bulletins} bulletin attachment(s) and {feedback} feedback "
            "file(s) to the private storage."
        )
