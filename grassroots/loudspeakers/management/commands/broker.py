import asyncio
import contextlib
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from grassroots.loudspeakers import brokerfiles
from grassroots.loudspeakers.broker import server


class Command(BaseCommand):
    help = (
        "Run the embedded MQTT broker for the loudspeakers (when MQTT_URL is not set). "
        "It accepts only the credentials and topics of the registry, like Mosquitto with "
        "the files of `grassroots mosquitto-config`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=settings.CONFIG.embedded_mqtt_port
        )

    def handle(self, *args, host, port, **options):
        files = brokerfiles.write()
        self.stdout.write(f"Broker files: {files.passwd}, {files.acl}")

        async def main():
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            await server.serve(host, port, files.directory, stop)

        asyncio.run(main())
