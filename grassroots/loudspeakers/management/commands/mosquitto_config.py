from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grassroots.loudspeakers import brokerfiles
from grassroots.loudspeakers.models import BrokerSync


class Command(BaseCommand):
    help = (
        "Write Mosquitto's configuration, password and ACL files from the loudspeaker "
        "registry (each cluster its own credentials and topics; the web and gateway "
        "service accounts on their own listener). With --reload, make the running "
        "broker reread them and check that it did."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default="",
            help="where to write, instead of GRASSROOTS_BROKER_FILES_DIR (no reload)",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="reload the broker (SIGHUP, or GRASSROOTS_BROKER_RELOAD_COMMAND) and confirm",
        )

    def handle(self, *args, dir, reload, **options):
        if dir and reload:
            raise CommandError("--reload works on GRASSROOTS_BROKER_FILES_DIR only.")
        if reload:
            files = brokerfiles.refresh(force=True)
        else:
            files = brokerfiles.write(Path(dir).resolve() if dir else None)
        devices = sum(1 for line in files.passwd.read_text().splitlines() if line)
        self.stdout.write(f"Configuration: {files.conf}")
        self.stdout.write(
            f"Devices:       {files.passwd} ({devices} accounts), {files.acl}"
        )
        self.stdout.write("" if files.changed else "(unchanged)")
        if reload:
            sync = BrokerSync.current()
            if sync.failing_since:
                raise CommandError(
                    f"The broker did not apply the files: {sync.problem}"
                )
            self.stdout.write("The broker applied the files.")
