"""A server key for the agent's tests, and sealing as the server does."""

from __future__ import annotations

import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from grassroots_agent import protocol as p
from grassroots_agent import signing

KEY = Ed25519PrivateKey.generate()
PUBLIC = signing.key_text(KEY)
KID = signing.key_id(signing.public_raw(KEY))


def sealed(
    topic: str,
    message: dict[str, Any] | bytes,
    *,
    key: Ed25519PrivateKey = KEY,
    to: str | None = None,
    iat: int | None = None,
) -> bytes:
    """Return ``message`` sealed for ``to`` (default: ``topic``) by ``key``."""
    body = message if isinstance(message, bytes) else p.encode(message)
    kid = signing.key_id(signing.public_raw(key))
    when = int(time.time() * 1000) if iat is None else iat
    return signing.seal(to or topic, body, [(kid, key)], when)
