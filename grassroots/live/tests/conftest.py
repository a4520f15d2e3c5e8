"""Fixtures of the live broadcast tests: the web process under uvicorn, our Icecast,
a Chromium whose microphone plays a known file, and speech to feed it."""

from __future__ import annotations

import array
import math
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from grassroots.loudspeakers.tests.conftest import (  # noqa: F401 - fixtures
    broker,
    free_port,
    loop_thread,
    outbox,
    topic_root,
    wait_port,
)
from grassroots.testing import make_user

SAMPLE_RATE = 16000


@pytest.fixture
def operator_a(tree):
    return make_user("operator", tree.commune_a, username="op_live_a")


@pytest.fixture
def operator_b(tree):
    return make_user("operator", tree.commune_b, username="op_live_b")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.DATA_DIR = tmp_path / "data"


@dataclass
class Web:
    port: int
    server: object
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def web(transactional_db, settings, monkeypatch) -> Iterator[Web]:
    """The ASGI application (pages and the microphone socket) under uvicorn, in a thread."""
    import uvicorn

    from grassroots.asgi import application

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    port = free_port()
    settings.GRASSROOTS_STREAM_HOOK_URL = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            ws="websockets-sansio",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_port(port)
    yield Web(port, server, thread)
    server.should_exit = True
    thread.join(10)


@dataclass
class Stream:
    port: int
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def stream_server(settings, tmp_path, icecast_binary) -> Iterator[Stream]:
    """Our Icecast on a free port, configured by ``grassroots.live.icecast``."""
    from grassroots.live import icecast

    port = free_port()
    settings.GRASSROOTS_STREAM_PORT = port
    settings.GRASSROOTS_STREAM_BIND = "127.0.0.1"
    settings.GRASSROOTS_STREAM_URL = f"http://127.0.0.1:{port}"
    settings.GRASSROOTS_STREAM_DIR = tmp_path / "icecast"
    files = icecast.write()
    process = subprocess.Popen(  # noqa: S603 - Debian's icecast2
        [icecast_binary, "-c", str(files.conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stream = Stream(port, process)
    try:
        wait_port(port)
        # The port opens before Icecast answers its admin pages; on a loaded
        # machine the first requests can fail, so wait until it answers.
        deadline = time.monotonic() + 15
        while icecast.mounts() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        yield stream
    finally:
        stream.stop()


def rms(pcm: bytes) -> float:
    """Return the root mean square of signed 16-bit samples, 0..1."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768


def decode(path: Path) -> bytes:
    """Return an audio file as 16 kHz mono 16-bit PCM (ffmpeg)."""
    return subprocess.run(  # noqa: S603
        [
            shutil.which("ffmpeg") or "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "pipe:1",
        ],
        check=True,
        capture_output=True,
    ).stdout


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory) -> Path:
    """A Vietnamese sentence spoken by espeak-ng, as the WAV Chromium's fake microphone plays."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is not installed; CI=true requires it")
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("speech")
    raw = folder / "raw.wav"
    subprocess.run(  # noqa: S603
        [
            espeak,
            "-v",
            "vi",
            "-w",
            str(raw),
            "Xin chào bà con. Đây là thông báo trực tiếp của Ủy ban nhân dân xã. "
            "Nước sông đang lên, bà con chú ý theo dõi.",
        ],
        check=True,
    )
    wav = folder / "speech.wav"
    subprocess.run(  # noqa: S603
        [
            shutil.which("ffmpeg") or "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(raw),
            "-ar",
            "48000",
            "-ac",
            "1",
            "-c:a",
            "pcm_s16le",
            "-y",
            str(wav),
        ],
        check=True,
    )
    return wav


def launch_with_microphone(playwright, chromium_path: str, wav: Path):
    """Return a headless Chromium whose microphone plays ``wav`` (in a loop)."""
    return playwright.chromium.launch(
        executable_path=chromium_path,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )


@pytest.fixture
def speaking_browser(chromium_path, speech_wav, monkeypatch):
    """A Chromium (Playwright) with a fake microphone speaking ``speech_wav``."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_with_microphone(playwright, chromium_path, speech_wav)
        yield browser
        browser.close()


def wait_for(condition, timeout: float = 20.0, step: float = 0.1):
    """Return ``condition()`` once it is truthy; fail after ``timeout`` seconds."""
    from django.db import OperationalError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError:
            # SQLite's shared in-memory test database locks whole tables
            # while the web process's threads write: ask again.
            value = None
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")
