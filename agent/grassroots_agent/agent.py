"""The reference device agent: runs on a Linux single-board computer in a hamlet.

``grassroots-agent --config /etc/grassroots-agent.toml``; the file is the one
the console gives when the cluster is provisioned::

    device_id = "28261-H01-1"
    secret = "…"                         # or secret_file = "/etc/grassroots-agent.secret"
    broker = "mqtts://mqtt.example.vn:8883"
    ca_pem = "-----BEGIN CERTIFICATE-----\n…"   # the CA to trust, when not a public one
    root = "gr"
    areas = ["82", "82/28261", "82/28261/H01"]
    server_keys = ["…"]                  # the server's Ed25519 public keys (base64)
    state_dir = "/var/lib/grassroots-agent"
    player = "auto"                      # "auto" (ffplay, mpv, aplay), "null", or a command list
    stream_player = ["ffplay", "…", "{source}"]  # optional: the command for live and relays
    cache_max_mb = 2048
    link = "4g"

Run it under systemd with ``Restart=always``: the "reboot" command exits the
process after acknowledging it, and systemd starts it again. The agent acts
only on messages sealed by one of ``server_keys`` (later keys arrive in the
signed configuration and are kept in ``state_dir``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import ssl
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .cache import DiskCache
from .device import Device, DeviceConfig
from .player import NullPlayer, ProcessPlayer
from .signing import Keyring
from .store import FileState, SqliteEvents

logger = logging.getLogger("grassroots_agent")

THERMAL = Path("/sys/class/thermal/thermal_zone0/temp")


def load_config(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        config = tomllib.load(handle)
    for key in ("device_id", "broker"):
        if key not in config:
            raise SystemExit(f"{path}: '{key}' is missing")
    if "secret" not in config:
        secret_file = config.get("secret_file")
        if not secret_file:
            raise SystemExit(f"{path}: give 'secret' or 'secret_file'")
        config["secret"] = Path(secret_file).read_text().strip()
    keys = config.get("server_keys")
    if not isinstance(keys, list) or not keys:
        raise SystemExit(
            f"{path}: 'server_keys' is missing: without the server's keys the "
            "device would refuse every message (take the file from the console)"
        )
    try:
        Keyring(keys)
    except (TypeError, ValueError) as exc:
        raise SystemExit(f"{path}: server_keys: {exc}") from None
    return config


def device_config(config: dict[str, Any]) -> DeviceConfig:
    broker = urlparse(config["broker"])
    tls = None
    if broker.scheme in ("mqtts", "ssl"):
        # The CA to trust: in the file (ca_pem), beside it (ca_file), or the system's.
        tls = ssl.create_default_context(
            cafile=config.get("ca_file"), cadata=config.get("ca_pem")
        )
    return DeviceConfig(
        device_id=config["device_id"],
        secret=config["secret"],
        host=broker.hostname or "127.0.0.1",
        port=broker.port or (8883 if tls else 1883),
        tls=tls,
        root=config.get("root", "gr"),
        areas=list(config.get("areas", [])),
        heartbeat_s=float(config.get("heartbeat_s", 30)),
        keepalive_s=int(config.get("keepalive_s", 60)),
        link=config.get("link", "unknown"),
        server_keys=[str(k) for k in config["server_keys"]],
    )


def make_player(choice: Any, streams: Any = None):
    if choice == "null":
        return NullPlayer()
    stream_command = [str(p) for p in streams] if isinstance(streams, list) else None
    if isinstance(choice, list):
        return ProcessPlayer(
            command=[str(part) for part in choice], stream_command=stream_command
        )
    return ProcessPlayer(stream_command=stream_command)


def temperature() -> dict[str, Any]:
    try:
        return {"temperature_c": round(int(THERMAL.read_text()) / 1000, 1)}
    except (OSError, ValueError):
        return {}


async def run(config: dict[str, Any]) -> int:
    state_dir = Path(config.get("state_dir", "/var/lib/grassroots-agent"))
    device = Device(
        device_config(config),
        player=make_player(config.get("player", "auto"), config.get("stream_player")),
        cache=DiskCache(
            state_dir / "audio", int(config.get("cache_max_mb", 2048)) * 1024**2
        ),
        events=SqliteEvents(state_dir / "events.sqlite3"),
        state=FileState(state_dir / "state.json"),
    )
    device.extra_state = temperature
    done = asyncio.Event()
    exit_code = 0

    def reboot() -> None:
        nonlocal exit_code
        exit_code = 75  # EX_TEMPFAIL: systemd restarts the agent
        done.set()

    device.on_reboot = reboot
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    device.start()
    logger.info("agent %s started (boot %s)", device.id, device.boot)
    await done.wait()
    await device.stop(graceful=True)
    return exit_code


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="grassroots-agent", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    sys.exit(asyncio.run(run(load_config(args.config))))


if __name__ == "__main__":
    main()
