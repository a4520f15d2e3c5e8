"""The processes of one machine, in start order; each later issue adds its own.

``grassroots run`` starts them all under one supervisor. In production each is
its own systemd unit (see docs/deployment.md); the web and worker processes
can run as several copies.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from django.conf import settings

from grassroots.live import icecast


@dataclass(frozen=True)
class Process:
    name: str
    argv: list[str]
    #: Seconds to wait after SIGTERM before SIGKILL.
    stop_timeout_s: float = 10.0
    env: dict[str, str] = field(default_factory=dict)


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "grassroots", *args]


def processes(*, simulate_devices: int = 0) -> list[Process]:
    """Return the processes to start, in order (they stop in reverse order)."""
    host, port = settings.GRASSROOTS_HTTP_HOST, str(settings.GRASSROOTS_HTTP_PORT)
    found = []
    if settings.GRASSROOTS_PRIVATE_BROKER:
        # First up and last down: everything else talks to it. It becomes
        # Mosquitto, which saves retained messages and sessions on SIGTERM.
        found.append(Process("broker", _command("broker")))
    if icecast.binary() is not None:
        # Live broadcasts' stream server, up before the web process feeds it;
        # without icecast2 the console says live broadcasting is unavailable.
        found.append(Process("stream", _command("icecast")))
    found += [
        Process(
            "web",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "grassroots.asgi:application",
                "--host",
                host,
                "--port",
                port,
                "--no-access-log",
                "--lifespan",
                "off",
                "--timeout-graceful-shutdown",
                "5",
            ],
        ),
        Process("worker", _command("run_huey", "--quiet")),
    ]
    found.append(Process("gateway", _command("gateway")))
    if simulate_devices:
        found.append(
            Process("devices", _command("simulate", "--devices", str(simulate_devices)))
        )
    return found
