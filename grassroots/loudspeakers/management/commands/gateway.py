import signal
import threading

from django.core.management.base import BaseCommand

from grassroots.loudspeakers.gateway.service import Gateway


class Command(BaseCommand):
    help = (
        "Run the loudspeaker gateway: receive device states and events from the MQTT "
        "broker, check them and write them to the database in batches. Run several with "
        "--share-group to share the load."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--instance", default="1", help="name of this instance (its broker session)"
        )
        parser.add_argument(
            "--share-group",
            default=None,
            help="MQTT shared-subscription group (default: GRASSROOTS_GATEWAY_SHARE_GROUP)",
        )

    def handle(self, *args, instance, share_group, **options):
        gateway = Gateway(instance=instance, share_group=share_group)

        def stop(signum, frame):
            gateway.stop()

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        gateway.run()
