"""Tracking codes: short, read aloud over the phone, and not guessable.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L) give
31**10 ≈ 8·10**14 codes, about 50 bits drawn by ``secrets``: with tracking
look-ups rate-limited per address, nobody can walk through other people's
feedback by trying codes.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
_SEPARATORS = re.compile(r"[\s\-_.]+")
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    """Return a fresh random tracking code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """Return the code typed by a citizen in canonical form, or None if it cannot be one.

    Case, spaces and dashes do not matter: "abcde-fghjk" is "ABCDEFGHJK".
    """
    code = _SEPARATORS.sub("", (text or "").strip().upper())
    return code if _VALID.match(code) else None


def display(code: str) -> str:
    """Return the code in two groups of five, as printed and read aloud."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def new_public_id() -> str:
    """Return a fresh public identifier: what public lists call an item.

    Lowercase hex, 16 characters: never a tracking code (which opens the
    item's tracking page and lets it be reopened), and not derived from one.
    """
    return secrets.token_hex(8)
