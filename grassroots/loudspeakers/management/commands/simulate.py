import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from grassroots.loudspeakers import brokerfiles
from grassroots.loudspeakers.demo import credentials_file
from grassroots_agent import simulator


class Command(BaseCommand):
    help = (
        "Run simulated loudspeaker clusters (the demo's, with the credentials the demo "
        "wrote) against the broker: they connect, report, obey commands and play their "
        "schedules, with network delays, drops and outages."
    )

    def add_arguments(self, parser):
        sim = simulator.parser()
        for action in sim._actions:
            if action.dest in (
                "help",
                "credentials",
                "host",
                "port",
                "root",
                "heartbeat",
            ):
                continue
            kwargs = {
                "default": action.default,
                "help": action.help,
                "dest": action.dest,
            }
            if action.nargs == 0:
                kwargs["action"] = "store_true"
            else:
                kwargs["type"] = action.type
            parser.add_argument(*action.option_strings, **kwargs)
        parser.add_argument(
            "--credentials", default="", help="JSON file of device credentials"
        )

    def handle(self, *args, **options):
        path = Path(options.pop("credentials") or credentials_file())
        while not path.exists():
            self.stderr.write(
                f"No device credentials at {path}: run `grassroots load-demo`. Waiting…"
            )
            time.sleep(30)
        host, port = brokerfiles.local_device_address()
        argv = [
            "--credentials",
            str(path),
            "--host",
            host,
            "--port",
            str(port),
            "--root",
            settings.GRASSROOTS_MQTT_TOPIC_ROOT,
            "--heartbeat",
            str(settings.GRASSROOTS_DEVICE_HEARTBEAT_S),
        ]
        for action in simulator.parser()._actions:
            if (
                action.dest in options
                and action.option_strings
                and action.dest not in ("help",)
            ):
                value = options[action.dest]
                if action.nargs == 0:
                    if value:
                        argv.append(action.option_strings[0])
                elif value is not None:
                    argv += [action.option_strings[0], str(value)]
        simulator.main(argv)
