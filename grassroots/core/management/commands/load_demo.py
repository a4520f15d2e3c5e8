import logging

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from grassroots.accounts import audit
from grassroots.accounts.models import Source
from grassroots.core import demo


class Command(BaseCommand):
    help = (
        "Load the demo: Đồng Tháp province with its communes and hamlets, staff "
        "accounts, and the other apps' demo data. Safe to run again: it only adds "
        "what is missing."
    )

    def handle(self, *args, **options):
        # The broker starts after the demo is loaded (make run): what the demo
        # sends to devices is sent again once it is up (emergency lists by the
        # worker within a minute, schedules when devices report an older
        # version), so "the broker did not confirm" here is expected noise.
        logging.getLogger("grassroots.emergencies").setLevel(logging.ERROR)
        # The demo approves and publishes bulletins: the notification e-mails
        # this sends (on commit, hence the order) would flood the start-up output.
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"
            ),
            audit.acting_as(audit.Origin(source=Source.COMMAND)),
            transaction.atomic(),
        ):
            demo.load_all(self.stdout.write)
