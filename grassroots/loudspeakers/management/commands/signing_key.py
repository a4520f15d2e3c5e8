from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grassroots.accounts import audit
from grassroots.loudspeakers import actions


class Command(BaseCommand):
    help = (
        "Show or rotate the key that signs every message to the loudspeakers. "
        "`rotate` starts signing with a new key beside the old one and sends every "
        "cluster both; `finish` deletes the old key once every cluster holds the new "
        "one (`--force` cuts off those that do not: provision them again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "step", nargs="?", choices=("show", "rotate", "finish"), default="show"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="finish even though some clusters do not hold the new key",
        )

    def handle(self, *args, step: str, force: bool, **options):
        with audit.acting_as(audit.SYSTEM):
            try:
                if step == "rotate":
                    status = actions.rotate_signing_key(None)
                    self.stdout.write(
                        f"New signing key {status.current}; the old key "
                        f"{status.previous} still signs beside it. Every cluster was "
                        "sent both. Run `grassroots signing-key finish` once they all "
                        "hold the new one."
                    )
                elif step == "finish":
                    status = actions.finish_key_rotation(None, force=force)
                    self.stdout.write(
                        f"Rotation finished: only key {status.current} signs now."
                    )
                else:
                    status = actions.rotation_status()
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Signing key: {status.current}")
        if status.previous:
            self.stdout.write(
                f"Old key still signing (rotation open): {status.previous}"
            )
        listed = ", ".join(status.waiting_codes)
        more = "…" if status.waiting > len(status.waiting_codes) else ""
        self.stdout.write(
            f"Clusters: {status.clusters}; not yet holding their newest configuration: "
            f"{status.waiting}" + (f" ({listed}{more})" if listed else "")
        )
