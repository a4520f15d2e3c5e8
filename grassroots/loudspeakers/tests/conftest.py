"""Fixtures of the loudspeaker tests: the device plane in memory, and a real broker.

``broker`` is Debian's Mosquitto started for the test on the configuration,
password and ACL files ``grassroots broker`` writes from the registry, on free
ports of its own (never the shared Mosquitto on 1883).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from grassroots.loudspeakers import brokerfiles, plane


@pytest.fixture
def outbox(settings) -> Iterator[plane.MemoryPlane]:
    """The in-memory device plane; ``outbox.messages`` is what was published."""
    settings.GRASSROOTS_DEVICE_PLANE = "memory"
    memory = plane.get_plane()
    assert isinstance(memory, plane.MemoryPlane)
    memory.clear()
    yield memory
    memory.clear()


@pytest.fixture
def topic_root(settings) -> str:
    """A topic root of our own, so tests never hear each other on a shared broker."""
    root = "t" + uuid.uuid4().hex[:10]
    settings.GRASSROOTS_MQTT_TOPIC_ROOT = root
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


@dataclass
class Broker:
    """A Mosquitto started on the generated configuration, on free ports."""

    port: int  # the plain device listener
    service_port: int
    directory: Path
    process: subprocess.Popen
    tls_port: int | None = None

    @property
    def url(self) -> str:
        """The service listener (web, gateway)."""
        return f"mqtt://127.0.0.1:{self.service_port}"

    @property
    def device_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def reload(self) -> None:
        """Apply the registry as the worker does after a commit (SIGHUP, then confirm)."""
        from grassroots.loudspeakers.models import BrokerSync

        brokerfiles.refresh()
        sync = BrokerSync.current()
        assert not sync.failing_since, sync.problem

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def start(self) -> None:
        """Start (again) on the files in ``directory``; returns once every listener answers."""
        binary = brokerfiles.mosquitto_binary()
        assert binary is not None
        self.process = subprocess.Popen(  # noqa: S603 - Debian's mosquitto
            [binary, "-c", str(self.directory / brokerfiles.CONF)]
        )
        for port in (self.port, self.service_port, self.tls_port):
            if port:
                wait_port(port)


class LoopThread:
    """An asyncio loop in a thread, for devices."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn, *args):
        async def wrapper():
            return fn(*args)

        return self.run(wrapper())

    def stop(self) -> None:
        async def drain():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.run(drain(), timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.stop()


def use_private_broker(settings, directory: Path) -> None:
    """Point the settings at a private broker of the test's own, on free ports."""
    settings.GRASSROOTS_BROKER_FILES_DIR = directory
    settings.GRASSROOTS_PRIVATE_BROKER = True
    settings.GRASSROOTS_BROKER_RELOAD_COMMAND = ""
    settings.GRASSROOTS_MQTT_PORT = free_port()
    settings.GRASSROOTS_MQTT_SERVICE_PORT = free_port()
    settings.GRASSROOTS_MQTT_BIND = "127.0.0.1"
    settings.GRASSROOTS_MQTT_URL = (
        f"mqtt://127.0.0.1:{settings.GRASSROOTS_MQTT_SERVICE_PORT}"
    )
    settings.GRASSROOTS_DEVICE_BROKER_URL = (
        f"mqtt://127.0.0.1:{settings.GRASSROOTS_MQTT_PORT}"
    )


@pytest.fixture
def broker_settings(db, tmp_path, topic_root, settings):
    """Settings of a private broker of the test's own (not started)."""
    use_private_broker(settings, tmp_path / "mqtt")
    return settings


def run_broker(settings) -> Iterator[Broker]:
    """Write the files for the current settings, start Mosquitto on them, stop it after."""
    files = brokerfiles.write()
    os.chmod(files.directory, 0o755)  # noqa: S103 - a test directory
    tls = settings.GRASSROOTS_MQTT_TLS_CERT and settings.GRASSROOTS_MQTT_TLS_KEY
    broker = Broker(
        port=settings.GRASSROOTS_MQTT_PORT,
        service_port=settings.GRASSROOTS_MQTT_SERVICE_PORT,
        directory=files.directory,
        process=None,  # type: ignore[arg-type]
        tls_port=settings.GRASSROOTS_MQTT_TLS_PORT if tls else None,
    )
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def broker(db, tmp_path, topic_root, settings, mosquitto_binary) -> Iterator[Broker]:
    """Mosquitto on the generated configuration, enforcing the registry's credentials and ACL."""
    use_private_broker(settings, tmp_path / "mqtt")
    yield from run_broker(settings)
