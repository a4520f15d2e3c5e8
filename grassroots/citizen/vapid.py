"""The server's VAPID key pair (RFC 8292), made once into the data directory."""

from __future__ import annotations

import base64
import functools
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid02

FILENAME = "vapid_private.pem"


def key_path() -> Path:
    return Path(settings.GRASSROOTS_PUSH_KEYS_DIR) / FILENAME


def _create(path: Path) -> None:
    """Write a new key to ``path`` unless another process already did (no overwrite)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        os.write(handle, pem)
        os.fchmod(handle, 0o600)
    finally:
        os.close(handle)
    try:
        # A hard link fails if the name exists: two processes starting
        # together keep the first key, and every worker signs with it.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Vapid02:
    return Vapid02.from_file(path)


def vapid() -> Vapid02:
    """Return the key pair, making it on first use."""
    path = key_path()
    if not path.exists():
        _create(path)
    return _load(str(path))


def public_key() -> str:
    """Return the public key as browsers take it (``applicationServerKey``)."""
    raw = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
