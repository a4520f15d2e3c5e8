"""Signed server messages (protocol version 2): the seal, how it is made and checked.

Every message the server sends a device travels as two parts in one MQTT
payload, split at the first line feed::

    {"v":2,"iat":1764300000123,"to":"gr/v2/dev/28261-H01-1/cmd","sigs":[{"kid":"…","sig":"…"}]}
    {"v":2,"type":"command",…}

The first line is the **seal**; the rest is the message exactly as it was
signed. Each signature is Ed25519 over::

    b"grassroots/v2\\x00" + topic + b"\\x00" + iat (decimal ASCII) + b"\\x00" + body

so the bytes signed are the bytes received (no JSON re-encoding to agree on),
the topic they were meant for and the moment they were issued. ``kid`` is the
first 16 hex digits of the SHA-256 of the raw 32-byte public key, so a device
finds its key without trying each one. During a key rotation the seal carries
one signature per key; a device checks the first one whose key it holds.

Devices never hold a private key: :class:`Keyring` only verifies. The server
keeps its keys in its data directory (``grassroots.loudspeakers.signing``)
and seals with :func:`seal`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DOMAIN = b"grassroots/v2\x00"
SEAL_VERSION = 2
#: A seal line longer than this is not a seal (two signatures take ~330 bytes).
MAX_SEAL_BYTES = 1024
MAX_SIGNATURES = 4
KID_LENGTH = 16

#: Why a device refuses a message (the ``reason`` of its alarm).
UNSIGNED = "unsigned"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
MISADDRESSED = "misaddressed"
STALE = "stale"
INVALID = "invalid"
REASONS = (UNSIGNED, UNKNOWN_KEY, BAD_SIGNATURE, MISADDRESSED, STALE, INVALID)


class Refused(ValueError):
    """A message a device must not act on, and why (one of :data:`REASONS`)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """Return the raw 32 bytes of a public key (of a private key's public half)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Return a public key as devices are given it: standard base64 of 32 bytes."""
    return base64.b64encode(public_raw(key)).decode()


def key_id(raw: bytes) -> str:
    """Return the id of a raw public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:KID_LENGTH]


def signed_bytes(topic: str, iat: int, body: bytes) -> bytes:
    """Return exactly what each signature covers."""
    return b"".join((DOMAIN, topic.encode(), b"\x00", str(iat).encode(), b"\x00", body))


def seal(
    topic: str,
    body: bytes,
    keys: Iterable[tuple[str, Ed25519PrivateKey]],
    iat: int,
) -> bytes:
    """Return the payload carrying ``body`` to ``topic``, signed by every key."""
    data = signed_bytes(topic, iat, body)
    sigs = [
        {"kid": kid, "sig": base64.b64encode(key.sign(data)).decode()}
        for kid, key in keys
    ]
    if not sigs:
        raise ValueError("no signing key")
    header = {"v": SEAL_VERSION, "iat": iat, "to": topic, "sigs": sigs}
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


@dataclass(frozen=True, slots=True)
class Opened:
    """A message whose seal checked out: its body bytes, issue time (ms) and key."""

    body: bytes
    iat: int
    kid: str


class Keyring:
    """The server's public keys a device trusts, by key id."""

    __slots__ = ("keys", "texts", "fingerprint")

    def __init__(self, keys: Iterable[str]):
        self.keys: dict[str, Ed25519PublicKey] = {}
        self.texts: list[str] = []
        for text in keys:
            try:
                raw = base64.b64decode(text, validate=True)
                public = Ed25519PublicKey.from_public_bytes(raw)
            except (binascii.Error, ValueError) as exc:
                raise ValueError(f"not an Ed25519 public key: {text!r}") from exc
            kid = key_id(raw)
            if kid not in self.keys:
                self.keys[kid] = public
                self.texts.append(text)
        #: Equal keyrings have equal fingerprints (a cache key for the simulator).
        self.fingerprint = tuple(sorted(self.keys))

    def __bool__(self) -> bool:
        return bool(self.keys)

    def open(self, topic: str, payload: bytes) -> Opened:
        """Return the checked message in ``payload``, received on ``topic``.

        Raises :class:`Refused` when there is no seal, when it was sealed for
        another topic, when no signature is by a key of this ring, or when
        the signature does not match.
        """
        end = payload.find(b"\n", 0, MAX_SEAL_BYTES + 1)
        if end < 0:
            raise Refused(UNSIGNED, "no seal line")
        try:
            header = json.loads(payload[:end])
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Refused(UNSIGNED, "the first line is not a seal") from None
        if (
            not isinstance(header, dict)
            or header.get("v") != SEAL_VERSION
            or type(header.get("iat")) is not int
            or not isinstance(header.get("to"), str)
            or not isinstance(header.get("sigs"), list)
            or not 1 <= len(header["sigs"]) <= MAX_SIGNATURES
        ):
            raise Refused(UNSIGNED, "the first line is not a seal")
        iat, to = header["iat"], header["to"]
        if to != topic:
            raise Refused(MISADDRESSED, f"sealed for {to[:200]}")
        for entry in header["sigs"]:
            if not isinstance(entry, dict):
                raise Refused(UNSIGNED, "the first line is not a seal")
            kid = entry.get("kid")
            key = self.keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                continue
            try:
                signature = base64.b64decode(entry.get("sig") or "", validate=True)
                key.verify(signature, signed_bytes(topic, iat, payload[end + 1 :]))
            except (binascii.Error, ValueError, TypeError, InvalidSignature):
                raise Refused(BAD_SIGNATURE, f"key {kid}") from None
            return Opened(payload[end + 1 :], iat, str(kid))
        kids = ", ".join(str(e.get("kid"))[:20] for e in header["sigs"])
        raise Refused(UNKNOWN_KEY, f"signed by {kids}")


def body_of(payload: bytes) -> bytes:
    """Return the message part of a sealed payload without checking it (tests, tools)."""
    end = payload.find(b"\n", 0, MAX_SEAL_BYTES + 1)
    return payload[end + 1 :] if end >= 0 else payload
