"""The fleet simulator: thousands of virtual loudspeaker clusters in one asyncio process.

Each virtual device runs the same :class:`~grassroots_agent.device.Device` code
as the reference agent, with a silent player, a cache that remembers hashes,
and memory for storage. The fleet adds what real networks do: a delay on every
message (by link: 4G, Wi-Fi, wired), connections that drop and come back, and
devices that go offline for minutes (power cut, 4G lost) while they go on
playing their schedule.

Credentials come from a JSON file (``grassroots simulate`` writes and reads
the one the demo made)::

    {"host": "127.0.0.1", "port": 1884, "root": "gr", "server_keys": ["…"],
     "devices": [{"id": "28261-H01-1", "secret": "…", "areas": ["82", "82/28261", "82/28261/H01"], "link": "4g"}]}

``server_keys`` are the server's Ed25519 public keys: like real devices, the
simulated ones act only on messages sealed by one of them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import random
import resource
import signal
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import SimulatedCache
from .device import Device, DeviceConfig
from .player import NullPlayer
from .store import MemoryEvents, MemoryState

logger = logging.getLogger("grassroots_agent.simulator")

#: One-way network delay by link, in seconds: (low, high) of the device's base
#: delay; each message adds up to half of it again as jitter.
LINK_DELAY_S = {"4g": (0.03, 0.12), "wifi": (0.005, 0.04), "wired": (0.001, 0.01)}
LINK_RSSI = {"4g": (-105, -65), "wifi": (-80, -45), "wired": (None, None)}


@dataclass
class Behaviour:
    """How unreliable the simulated world is; rates are per device per hour."""

    #: Connections that drop and reconnect at once (a 4G handover).
    drops_per_hour: float = 0.5
    #: Outages: the device is offline for a while, playing from its cache.
    outages_per_hour: float = 0.1
    outage_s: tuple[float, float] = (30.0, 600.0)
    #: Multiply the network delay (0 turns it off).
    delay_factor: float = 1.0
    #: Items play this many times faster than real time (tests).
    speed: float = 1.0
    download_failure_rate: float = 0.02
    fetch_audio: bool = False
    #: Connect to live broadcasts and read them (the stream server counts
    #: each device as a listener), rather than pretending for a while.
    listen: bool = True


class VirtualDevice:
    """A device plus the conditions it lives in (link, temperature, clock)."""

    __slots__ = (
        "device",
        "base_delay",
        "temperature",
        "rssi",
        "offset_ms",
        "rng",
        "factor",
    )

    def __init__(self, device: Device, link: str, rng: random.Random, factor: float):
        self.device = device
        self.rng = rng
        self.factor = factor
        low, high = LINK_DELAY_S.get(link, LINK_DELAY_S["4g"])
        self.base_delay = rng.uniform(low, high) * factor
        self.temperature = rng.uniform(35.0, 50.0)
        rssi_low, rssi_high = LINK_RSSI.get(link, (None, None))
        self.rssi = (
            rng.uniform(rssi_low, rssi_high)
            if rssi_low is not None and rssi_high is not None
            else None
        )
        self.offset_ms = rng.gauss(0, 150)
        device.delay = self.delay if factor > 0 else None
        device.extra_state = self.extra_state
        # A simulated fleet shares one CPU: report changes after the burst,
        # spread over a few seconds rather than all at the same moment.
        device.change_delay_s = rng.uniform(1.0, 4.0)

    def delay(self) -> float:
        return self.base_delay * (1 + 0.5 * self.rng.random())

    def extra_state(self) -> dict[str, Any]:
        self.temperature = min(
            90.0, max(20.0, self.temperature + self.rng.uniform(-0.5, 0.5))
        )
        link = self.device.config.link
        quality = (
            None if self.rssi is None else int(max(0, min(100, (self.rssi + 110) * 2)))
        )
        return {
            "temperature_c": round(self.temperature, 1),
            "signal": {
                "link": link,
                "rssi_dbm": None if self.rssi is None else round(self.rssi),
                "quality": quality,
            },
            "clock_offset_ms": round(self.offset_ms, 1),
        }


class Fleet:
    def __init__(
        self,
        devices: list[dict[str, Any]],
        *,
        host: str,
        port: int,
        root: str,
        behaviour: Behaviour | None = None,
        heartbeat_s: float = 30.0,
        keepalive_s: int = 60,
        validate: bool = True,
        seed: int | None = None,
        server_keys: list[str] | None = None,
    ):
        self.specs = devices
        self.server_keys = list(server_keys or [])
        self.host, self.port, self.root = host, port, root
        self.behaviour = behaviour or Behaviour()
        self.heartbeat_s = heartbeat_s
        self.keepalive_s = keepalive_s
        self.validate = validate
        self.rng = random.Random(seed)  # noqa: S311 - simulation, not security
        self.devices: list[VirtualDevice] = []
        self.by_id: dict[str, VirtualDevice] = {}
        self._chaos: asyncio.Task | None = None
        self._outages: dict[str, asyncio.TimerHandle] = {}

    def build(self) -> None:
        behaviour = self.behaviour
        for spec in self.specs:
            rng = random.Random(self.rng.random())  # noqa: S311 - simulation, not security
            config = DeviceConfig(
                device_id=spec["id"],
                secret=spec["secret"],
                host=self.host,
                port=self.port,
                root=self.root,
                areas=list(spec.get("areas", [])),
                heartbeat_s=self.heartbeat_s,
                keepalive_s=self.keepalive_s,
                link=spec.get("link", "4g"),
                firmware=spec.get("firmware", "sim-1.0"),
                validate=self.validate,
                server_keys=list(spec.get("server_keys", self.server_keys)),
            )
            device = Device(
                config,
                player=NullPlayer(speed=behaviour.speed, listen=behaviour.listen),
                cache=SimulatedCache(
                    fetch_audio=behaviour.fetch_audio,
                    failure_rate=behaviour.download_failure_rate,
                    rng=rng,
                ),
                events=MemoryEvents(),
                state=MemoryState(),
                rng=rng,
            )
            virtual = VirtualDevice(device, config.link, rng, behaviour.delay_factor)
            self.devices.append(virtual)
            self.by_id[config.device_id] = virtual

    async def start(self, ramp_per_s: float = 1000.0) -> None:
        """Start every device, at most ``ramp_per_s`` a second (as a real fleet powers up)."""
        if not self.devices:
            self.build()
        step = max(1, int(ramp_per_s / 20))
        for index, virtual in enumerate(self.devices):
            virtual.device.start()
            if index % step == step - 1:
                await asyncio.sleep(0.05)
        self._chaos = asyncio.get_running_loop().create_task(self._chaos_loop())

    async def stop(self, graceful: bool = True) -> None:
        if self._chaos is not None:
            self._chaos.cancel()
        for handle in self._outages.values():
            handle.cancel()
        await asyncio.gather(
            *(v.device.stop(graceful) for v in self.devices), return_exceptions=True
        )

    def online(self) -> int:
        return sum(1 for v in self.devices if v.device.online)

    async def wait_online(self, count: int | None = None, timeout: float = 60.0) -> int:
        """Wait until ``count`` devices (default all) are connected; return how many are."""
        want = len(self.devices) if count is None else count
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            online = self.online()
            if online >= want:
                return online
            await asyncio.sleep(0.1)
        return self.online()

    def outage(self, device_id: str, seconds: float) -> None:
        """Take one device off the network for ``seconds``."""
        virtual = self.by_id[device_id]
        virtual.device.unplug()
        loop = asyncio.get_running_loop()
        self._outages[device_id] = loop.call_later(seconds, self._end_outage, device_id)

    def _end_outage(self, device_id: str) -> None:
        self._outages.pop(device_id, None)
        self.by_id[device_id].device.plug()

    async def _chaos_loop(self) -> None:
        behaviour = self.behaviour
        tick = 1.0
        while True:
            await asyncio.sleep(tick)
            if not self.devices:
                continue
            n = len(self.devices)
            for rate, act in (
                (behaviour.drops_per_hour, self._drop),
                (behaviour.outages_per_hour, self._random_outage),
            ):
                for _ in range(_poisson(self.rng, n * rate * tick / 3600)):
                    act(self.rng.choice(self.devices))

    def _drop(self, virtual: VirtualDevice) -> None:
        connection = virtual.device.connection
        if connection is not None:
            connection.abort()

    def _random_outage(self, virtual: VirtualDevice) -> None:
        if virtual.device.id in self._outages:
            return
        low, high = self.behaviour.outage_s
        self.outage(virtual.device.id, self.rng.uniform(low, high))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def load_credentials(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("devices"), list):
        raise ValueError(f"{path}: expected an object with a 'devices' list")
    return data


def raise_file_limit(want: int) -> int:
    """Raise the open-file limit towards ``want`` (one socket per device); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, want), hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def run(args: argparse.Namespace) -> None:
    credentials = load_credentials(Path(args.credentials))
    everyone = credentials["devices"][args.offset :]
    specs = everyone[: args.devices] if args.devices else everyone
    if args.devices and len(specs) < args.devices:
        logger.warning(
            "only %d devices have credentials in %s (asked for %d)",
            len(specs),
            args.credentials,
            args.devices,
        )
    limit = raise_file_limit(len(specs) + 256)
    if limit < len(specs) + 64:
        logger.warning(
            "open-file limit %d is too low for %d devices", limit, len(specs)
        )
    behaviour = Behaviour(
        drops_per_hour=args.drops_per_hour,
        outages_per_hour=args.outages_per_hour,
        delay_factor=args.delay_factor,
        speed=args.speed,
        fetch_audio=args.fetch_audio,
    )
    fleet = Fleet(
        specs,
        host=args.host or credentials.get("host", "127.0.0.1"),
        port=args.port or int(credentials.get("port", 1883)),
        root=args.root or credentials.get("root", "gr"),
        behaviour=behaviour,
        heartbeat_s=args.heartbeat,
        keepalive_s=args.keepalive,
        validate=not args.no_validate,
        seed=args.seed,
        server_keys=credentials.get("server_keys", []),
    )
    if not fleet.server_keys:
        logger.warning(
            "%s has no server_keys: the devices will refuse every message",
            args.credentials,
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    fleet.build()
    logger.info(
        "starting %d simulated devices on %s:%s", len(specs), fleet.host, fleet.port
    )
    await fleet.start(ramp_per_s=args.ramp)
    online = await fleet.wait_online(timeout=min(120.0, 10 + len(specs) / 200))
    logger.info("%d of %d devices online; RSS %.0f MB", online, len(specs), rss_mb())
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.stats_every)
        if not stop.is_set():
            buffered = sum(len(v.device.events) for v in fleet.devices)
            logger.info(
                "%d of %d online, %d events waiting for receipts, RSS %.0f MB",
                fleet.online(),
                len(specs),
                buffered,
                rss_mb(),
            )
    logger.info("stopping the simulated devices")
    await fleet.stop(graceful=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grassroots-simulate", description=__doc__.split("\n\n")[0]
    )
    p.add_argument(
        "--credentials",
        required=True,
        help="JSON file with the devices' ids and secrets",
    )
    p.add_argument(
        "--devices",
        type=int,
        default=0,
        help="how many devices (default: all in the file)",
    )
    p.add_argument(
        "--offset",
        type=int,
        default=0,
        help="skip this many devices of the file (to shard a fleet)",
    )
    p.add_argument("--host", default="", help="broker host (default: from the file)")
    p.add_argument(
        "--port", type=int, default=0, help="broker port (default: from the file)"
    )
    p.add_argument("--root", default="", help="topic root (default: from the file)")
    p.add_argument(
        "--heartbeat", type=float, default=30.0, help="seconds between state reports"
    )
    p.add_argument(
        "--keepalive", type=int, default=60, help="MQTT keepalive in seconds"
    )
    p.add_argument(
        "--speed", type=float, default=1.0, help="play items this many times faster"
    )
    p.add_argument("--drops-per-hour", type=float, default=0.5)
    p.add_argument("--outages-per-hour", type=float, default=0.1)
    p.add_argument(
        "--delay-factor",
        type=float,
        default=1.0,
        help="scale the network delay; 0 for none",
    )
    p.add_argument(
        "--fetch-audio",
        action="store_true",
        help="really download and check audio files",
    )
    p.add_argument(
        "--no-validate",
        action="store_true",
        help="skip schema checks of inbound messages",
    )
    p.add_argument(
        "--ramp", type=float, default=1000.0, help="connections started per second"
    )
    p.add_argument("--stats-every", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=None)
    return p


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    run_loop(run(parser().parse_args(argv)))


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop where it is installed, else on asyncio's own loop.

    Ten thousand sockets and their timers in one process spend most of their
    time in the event loop; uvloop's, written in C, does the same work in
    a fraction of the time (``bench/fanout.py``).
    """
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


if __name__ == "__main__":
    main()
