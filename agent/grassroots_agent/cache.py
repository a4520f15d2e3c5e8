"""The device's audio cache: files fetched over HTTP, kept by content hash.

A file is used only once its SHA-256 matches the one in the schedule, so a
broken download, a proxy's error page or a tampered file is never played.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import shutil
import tempfile
import urllib.request
from pathlib import Path

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_S = 60
CHUNK = 64 * 1024


class ChecksumMismatch(OSError):
    """The downloaded bytes do not have the expected SHA-256."""


class DiskCache:
    """Audio files under ``root/ab/abcdef…``; the oldest go when over ``max_bytes``."""

    def __init__(self, root: Path, max_bytes: int = 2 * 1024**3):
        self.root = root
        self.max_bytes = max_bytes
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def free_mb(self) -> float | None:
        try:
            return shutil.disk_usage(self.root).free / 1024**2
        except OSError:
            return None

    async def fetch(self, url: str, sha256: str, keep: set[str] | None = None) -> Path:
        """Download ``url`` into the cache unless held; raise OSError on failure."""
        if self.has(sha256):
            return self.path(sha256)
        path = await asyncio.to_thread(self._download, url, sha256)
        await asyncio.to_thread(self._evict, keep or {sha256})
        return path

    def _download(self, url: str, sha256: str) -> Path:
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with (
                os.fdopen(fd, "wb") as out,
                urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response,  # noqa: S310 - http(s) only, checked by the schema
            ):
                while chunk := response.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise ChecksumMismatch(
                    f"{url}: SHA-256 {digest.hexdigest()} != {sha256}"
                )
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return target

    def _evict(self, keep: set[str]) -> None:
        files = [p for p in self.root.glob("??/*") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        for path in sorted(files, key=lambda p: p.stat().st_atime):
            if total <= self.max_bytes:
                return
            if path.name in keep:
                continue
            total -= path.stat().st_size
            path.unlink(missing_ok=True)


class SimulatedFailure(OSError):
    """A download failure the simulator made up: the device's alarm reports it,
    and its log does not shout about it (it is the simulator doing its job)."""


class SimulatedCache:
    """A cache that only remembers hashes: the simulator's devices.

    With ``fetch_audio`` it really downloads and checks each file (and drops
    the bytes), so a demo shows whether the server's audio URLs work; without
    it a download takes a random few seconds and fails now and then.
    """

    __slots__ = ("held", "fetch_audio", "failure_rate", "rng", "delay_s")

    def __init__(
        self,
        *,
        fetch_audio: bool = False,
        failure_rate: float = 0.0,
        rng=None,
        delay_s: tuple[float, float] = (0.05, 0.5),
    ):
        self.delay_s = delay_s
        self.held: set[str] = set()
        self.fetch_audio = fetch_audio
        self.failure_rate = failure_rate
        self.rng = rng or random.Random()  # noqa: S311 - simulated delays, not security

    def path(self, sha256: str) -> Path | None:
        return None

    def has(self, sha256: str) -> bool:
        return sha256 in self.held

    def free_mb(self) -> float | None:
        return 3000.0 - 4.0 * len(self.held)

    async def fetch(self, url: str, sha256: str, keep: set[str] | None = None) -> None:
        if sha256 in self.held:
            return None
        if self.fetch_audio:
            await asyncio.to_thread(_check_remote, url, sha256)
        else:
            await asyncio.sleep(self.rng.uniform(*self.delay_s))
            if self.rng.random() < self.failure_rate:
                raise SimulatedFailure("simulated download failure")
        self.held.add(sha256)
        return None


def _check_remote(url: str, sha256: str) -> None:
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 - http(s) only, checked by the schema
        while chunk := response.read(CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise ChecksumMismatch(f"{url}: SHA-256 {digest.hexdigest()} != {sha256}")
