import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grassroots.core import demo
from grassroots.runtime.processes import processes
from grassroots.runtime.supervisor import Supervisor

READY_TIMEOUT_S = 90


class Command(BaseCommand):
    help = (
        "Start the whole system in this terminal: web server, background worker "
        "and device processes. Ctrl-C stops them all."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--devices",
            type=int,
            default=200,
            help="how many simulated loudspeaker clusters to run (0: none)",
        )

    def handle(self, *args, devices=200, **options):
        from grassroots.loudspeakers import brokerfiles

        if (
            settings.GRASSROOTS_PRIVATE_BROKER
            and brokerfiles.mosquitto_binary() is None
        ):
            raise CommandError(brokerfiles.MISSING_MOSQUITTO)
        supervisor = Supervisor(
            processes(simulate_devices=devices),
            write=self.stdout.write,
            state_file=Path(settings.GRASSROOTS_RUN_DIR) / "supervisor.json",
        )
        import asyncio

        asyncio.run(supervisor.run(when_started=self.announce))

    def announce(self) -> None:
        """Wait until the web process answers, then print where to go and how to log in."""
        url = f"http://{settings.GRASSROOTS_HTTP_HOST}:{settings.GRASSROOTS_HTTP_PORT}"
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - our own URL
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            self.stderr.write(
                f"The web process did not answer at {url} within {READY_TIMEOUT_S} s."
            )
            return
        lines = [
            "",
            "=" * 72,
            f"  Hệ thống thông tin cơ sở is running: {url}/",
            f"  Staff console:   {url}/console/",
            f"  API (OpenAPI):   {url}/api/v1/docs",
            "",
            *demo.banner_lines(),
            "",
            "  Press Ctrl-C to stop everything.",
            "=" * 72,
        ]
        self.stdout.write("\n".join(lines))
