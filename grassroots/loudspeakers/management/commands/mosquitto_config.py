import os
import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grassroots.loudspeakers import brokerfiles


class Command(BaseCommand):
    help = (
        "Write Mosquitto's password and ACL files from the loudspeaker registry (each "
        "cluster its own credentials and topics; the web and gateway service accounts), "
        "plus a configuration snippet that uses them, then reload Mosquitto."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default="",
            help="where to write (default: GRASSROOTS_BROKER_FILES_DIR)",
        )
        parser.add_argument(
            "--port", type=int, default=1883, help="listener port in the snippet"
        )
        parser.add_argument(
            "--pid-file", default="", help="send SIGHUP to this Mosquitto to reload"
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="run GRASSROOTS_BROKER_RELOAD_COMMAND after writing",
        )

    def handle(self, *args, dir, port, pid_file, reload, **options):
        directory = Path(dir or settings.GRASSROOTS_BROKER_FILES_DIR).resolve()
        files = brokerfiles.write(directory)
        conf = directory / brokerfiles.CONF
        conf.write_text(brokerfiles.mosquitto_conf(directory, port))
        accounts = sum(1 for line in files.passwd.read_text().splitlines() if line)
        self.stdout.write(f"Password file: {files.passwd} ({accounts} accounts)")
        self.stdout.write(f"ACL file:      {files.acl}")
        self.stdout.write(f"Snippet:       {conf}")
        self.stdout.write("" if files.changed else "(unchanged)")
        if pid_file:
            try:
                os.kill(int(Path(pid_file).read_text().strip()), signal.SIGHUP)
            except (OSError, ValueError) as exc:
                raise CommandError(
                    f"cannot signal the broker in {pid_file}: {exc}"
                ) from exc
            self.stdout.write("Mosquitto reloaded.")
        if reload:
            brokerfiles.reload()
