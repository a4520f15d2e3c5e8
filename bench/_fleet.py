"""Shared pieces of the loudspeaker benchmarks: a Mosquitto of our own, a fleet's credentials.

Everything runs on 127.0.0.1 on free ports; the benchmarks start and stop
their own broker and never touch the shared one.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _hash(secret: str) -> str:
    from grassroots.loudspeakers.credentials import hash_secret

    return hash_secret(secret)


def fleet_specs(count: int, communes: int = 12, hamlets: int = 10) -> list[dict]:
    """Return ``count`` devices spread over a province's communes and hamlets."""
    specs = []
    for i in range(count):
        commune = 28000 + i % communes
        hamlet = f"H{(i // communes) % hamlets:02d}"
        specs.append(
            {
                "id": f"b{commune}-{hamlet}-{i}",
                "secret": secrets.token_urlsafe(24),
                "areas": ["82", f"82/{commune}", f"82/{commune}/{hamlet}"],
                "link": "4g",
            }
        )
    return specs


def hash_all(secrets_: list[str]) -> list[str]:
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        return list(pool.map(_hash, secrets_, chunksize=256))


def start_mosquitto(directory: Path, port: int) -> subprocess.Popen:
    """Mosquitto with one listener on the passwd and acl files in ``directory``."""
    conf = directory / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous false\n"
        f"password_file {directory / 'passwd'}\n"
        f"acl_file {directory / 'acl'}\n"
        "persistence false\n"
        "user root\n"
        "max_queued_messages 100000\n"
        "max_inflight_messages 0\n"
        "set_tcp_nodelay true\n"
        "log_dest stderr\nlog_type error\n"
    )
    return launch_mosquitto(conf, port)


def launch_mosquitto(conf: Path, port: int) -> subprocess.Popen:
    """Start Mosquitto on ``conf``; return once ``port`` answers."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    process = subprocess.Popen([binary, "-c", str(conf)])  # noqa: S603 - Debian's mosquitto
    # Reading 10,000 password hashes takes a while on a busy machine.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("mosquitto did not start")


def write_credentials(path: Path, specs: list[dict], port: int, root: str) -> None:
    path.write_text(
        json.dumps({"host": "127.0.0.1", "port": port, "root": root, "devices": specs})
    )
    path.chmod(0o600)


def start_simulator(
    credentials: Path, count: int, *extra: str, offset: int = 0
) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own simulator
        [
            sys.executable,
            "-m",
            "grassroots_agent.simulator",
            "--credentials",
            str(credentials),
            "--devices",
            str(count),
            "--offset",
            str(offset),
            "--drops-per-hour",
            "0",
            "--outages-per-hour",
            "0",
            "--stats-every",
            "30",
            *extra,
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def machine() -> str:
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    help_text = subprocess.run([binary, "-h"], capture_output=True, text=True)  # noqa: S603
    mosquitto = help_text.stdout.splitlines()[0]
    return f"{os.cpu_count()} cores ({model}), {int(mem) // 1024 // 1024} GB RAM, Python {sys.version.split()[0]}, {mosquitto}"
