"""The installation's signing keys: every message to devices is sealed with them.

The keys live in ``GRASSROOTS_SIGNING_KEYS_DIR`` (the data directory's
``signing/`` by default), readable by the installation's user only:

- ``current.pem`` — the key that seals; generated the first time a message
  is sealed, so a fresh installation needs no step;
- ``previous.pem`` — during a rotation only: the old key, which still seals
  every message beside the new one, so that devices that do not hold the new
  key yet go on accepting messages (``grassroots signing-key``).

Every process of the installation (web, worker, gateway) seals with the same
files; each one notices a rotation by the directory's change time, checked on
every seal (one ``stat``). Devices only ever get the public halves
(``public_keys()``): in the provisioning file and in their signed
configuration.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings

import grassroots_agent.signing as signing

CURRENT = "current.pem"
PREVIOUS = "previous.pem"


class RotationError(ValueError):
    """A rotation step that does not fit where the keys are (started twice, …)."""


@dataclass(frozen=True)
class Key:
    kid: str
    private: Ed25519PrivateKey
    created: datetime

    @property
    def public(self) -> str:
        return signing.key_text(self.private)


@dataclass(frozen=True)
class KeySet:
    current: Key
    previous: Key | None

    @property
    def in_use(self) -> list[Key]:
        """Return every key that seals, the current one first."""
        return [self.current] + ([self.previous] if self.previous else [])

    @property
    def sealing(self) -> list[tuple[str, Ed25519PrivateKey]]:
        return [(k.kid, k.private) for k in self.in_use]

    @property
    def public_keys(self) -> list[str]:
        """Return the public keys devices must trust, the current one first."""
        return [k.public for k in self.in_use]


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], KeySet]] = {}


def directory() -> Path:
    return Path(settings.GRASSROOTS_SIGNING_KEYS_DIR)


def _load(path: Path) -> Key:
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RotationError(f"{path} is not an Ed25519 key")
    return Key(
        signing.key_id(signing.public_raw(key)),
        key,
        datetime.fromtimestamp(path.stat().st_mtime, UTC),
    )


def _write_new(folder: Path) -> Path:
    """Write a new private key to a temporary file (mode 0600); return its path."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path = folder / f".new-{os.getpid()}-{threading.get_native_id()}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def _folder() -> Path:
    folder = directory()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def keys() -> KeySet:
    """Return the keys that seal now; the first call of an installation makes one."""
    folder = _folder()
    stamp = folder.stat()
    version = (stamp.st_mtime_ns, stamp.st_ino)
    cached = _cache.get(str(folder))
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if not (folder / CURRENT).exists():
            fresh = _write_new(folder)
            try:
                os.link(fresh, folder / CURRENT)  # another process may have won
            except FileExistsError:
                pass
            finally:
                fresh.unlink()
        stamp = folder.stat()
        previous = folder / PREVIOUS
        found = KeySet(
            _load(folder / CURRENT), _load(previous) if previous.exists() else None
        )
        _cache[str(folder)] = ((stamp.st_mtime_ns, stamp.st_ino), found)
        return found


def seal(topic: str, body: bytes) -> bytes:
    """Return ``body`` sealed for ``topic`` with every key in use, issued now."""
    return signing.seal(topic, body, keys().sealing, int(time.time() * 1000))


def public_keys() -> list[str]:
    """Return the public keys devices must trust (provisioning, configuration)."""
    return keys().public_keys


def rotate() -> KeySet:
    """Start a rotation: a new current key; the old one seals beside it until finished."""
    current = keys()
    if current.previous is not None:
        raise RotationError("a rotation is already in progress: finish it first")
    folder = _folder()
    fresh = _write_new(folder)
    try:
        os.link(folder / CURRENT, folder / PREVIOUS)
    except FileExistsError:
        fresh.unlink()
        raise RotationError(
            "a rotation is already in progress: finish it first"
        ) from None
    os.replace(fresh, folder / CURRENT)
    return keys()


def finish() -> KeySet:
    """End a rotation: the old key is deleted and seals nothing any more."""
    if keys().previous is None:
        raise RotationError("no rotation is in progress")
    (_folder() / PREVIOUS).unlink(missing_ok=True)
    return keys()
