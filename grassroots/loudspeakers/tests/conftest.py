"""Fixtures of the loudspeaker tests: the device plane in memory, and real brokers.

``broker`` runs each test twice: on the embedded broker (amqtt, in this
process) and on Debian's Mosquitto started for the test, both with the
password and ACL files written from the registry, on free ports.
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
from collections.abc import Callable, Iterator
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
    kind: str
    port: int
    directory: Path
    reload: Callable[[], None]

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"


class LoopThread:
    """An asyncio loop in a thread, for the embedded broker and for devices."""

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


def _embedded(directory: Path) -> Iterator[Broker]:
    from grassroots.loudspeakers.broker import server

    port = free_port()
    runner = LoopThread()
    stop = asyncio.Event()
    ready = asyncio.Event()

    async def start():
        nonlocal stop, ready
        stop, ready = asyncio.Event(), asyncio.Event()
        runner.loop.create_task(server.serve("127.0.0.1", port, directory, stop, ready))
        await asyncio.wait_for(ready.wait(), 10)

    runner.run(start())

    def reload() -> None:
        brokerfiles.write(directory)
        time.sleep(1.2)  # the broker looks at its files once a second

    try:
        yield Broker("embedded", port, directory, reload)
    finally:
        runner.loop.call_soon_threadsafe(stop.set)
        time.sleep(0.3)
        runner.stop()


def _mosquitto(binary: str, directory: Path) -> Iterator[Broker]:
    port = free_port()
    conf = directory / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous false\n"
        f"password_file {directory / 'passwd'}\n"
        f"acl_file {directory / 'acl'}\n"
        "persistence false\n"
        "user root\n"
        "log_dest stderr\n"
        "log_type error\n"
        "log_type warning\n"
    )
    process = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.PIPE)  # noqa: S603 - Debian's mosquitto
    try:
        wait_port(port)

        def reload() -> None:
            brokerfiles.write(directory)
            process.send_signal(1)  # SIGHUP: Mosquitto reloads the files
            time.sleep(0.5)

        yield Broker("mosquitto", port, directory, reload)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(params=["embedded", "mosquitto"])
def broker(request, db, tmp_path, topic_root, settings) -> Iterator[Broker]:
    """A real broker enforcing the registry's credentials and ACL (run on both kinds)."""
    directory = tmp_path / "mqtt"
    settings.GRASSROOTS_BROKER_FILES_DIR = directory
    brokerfiles.write(directory)
    os.chmod(directory, 0o755)  # noqa: S103 - a test directory
    if request.param == "embedded":
        yield from _embedded(directory)
    else:
        binary = request.getfixturevalue("mosquitto_binary")
        yield from _mosquitto(binary, directory)


@pytest.fixture
def embedded_broker(db, tmp_path, topic_root, settings) -> Iterator[Broker]:
    directory = tmp_path / "mqtt"
    settings.GRASSROOTS_BROKER_FILES_DIR = directory
    brokerfiles.write(directory)
    yield from _embedded(directory)
