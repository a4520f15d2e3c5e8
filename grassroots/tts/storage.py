"""Files stored under the SHA-256 of their content: ``audio/ab/abcdef….mp3``.

A device asks for audio by hash and checks what it got against the name; the
same bytes are stored once however many renders produce them. Issue-5
uploads (recordings) can use :func:`store` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

from .audio import sha256_of

PREFIX = "audio"


@dataclass(frozen=True)
class Stored:
    name: str
    sha256: str
    size: int


def name_for(sha256: str, extension: str) -> str:
    return f"{PREFIX}/{sha256[:2]}/{sha256}.{extension}"


def store(path: Path, extension: str) -> Stored:
    """Store the file at ``path`` under its hash (once) and return where it is."""
    sha256 = sha256_of(path)
    name = name_for(sha256, extension)
    size = path.stat().st_size
    if not default_storage.exists(name):
        with path.open("rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            # Another worker stored the same bytes meanwhile; keep one copy.
            default_storage.delete(saved)
    return Stored(name=name, sha256=sha256, size=size)
