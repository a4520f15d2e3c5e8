import os
import sys

from django.core.management.base import BaseCommand, CommandError

from grassroots.live import icecast


class Command(BaseCommand):
    help = (
        "Run the live broadcasts' stream server: Debian's Icecast on the "
        "configuration and passwords written into the data directory. "
        "`grassroots run` starts it; in production it is a systemd unit."
    )

    def handle(self, *args, **options):
        binary = icecast.binary()
        if binary is None:
            raise CommandError(icecast.MISSING_ICECAST)
        files = icecast.write()
        self.stdout.write(f"Icecast on {files.conf}")
        sys.stdout.flush()
        sys.stderr.flush()
        # Become Icecast: the supervisor or systemd then signals it directly.
        os.execv(binary, [binary, "-c", str(files.conf)])  # noqa: S606 - Debian's icecast2
