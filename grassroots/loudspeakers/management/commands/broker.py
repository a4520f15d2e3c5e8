import os
import sys

from django.core.management.base import BaseCommand, CommandError

from grassroots.loudspeakers import brokerfiles
from grassroots.loudspeakers.checks import cluster_codes


class Command(BaseCommand):
    help = (
        "Run the device plane's Mosquitto on the files written from the loudspeaker "
        "registry (configuration, passwords, access rules, in the data directory). "
        "`grassroots run` starts it when MQTT_URL is not set; in production it is a "
        "systemd unit."
    )

    def handle(self, *args, **options):
        binary = brokerfiles.mosquitto_binary()
        if binary is None:
            raise CommandError(brokerfiles.MISSING_MOSQUITTO)
        for problem in cluster_codes(None):
            # Those clusters are left out of the files; the broker still starts.
            self.stderr.write(f"{problem.msg} {problem.hint}")
        files = brokerfiles.write()
        self.stdout.write(f"Mosquitto on {files.conf}")
        sys.stdout.flush()
        sys.stderr.flush()
        # Become Mosquitto: a supervisor or systemd then signals the broker itself
        # (SIGTERM saves its persistence; SIGHUP rereads the files).
        os.execv(binary, [binary, "-c", str(files.conf)])  # noqa: S606 - Debian's mosquitto
