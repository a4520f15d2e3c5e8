"""Check an uploaded file by its content, and make it safe to publish.

The name and the browser's content type are not trusted: the first bytes say
what a file is. Images are decoded, turned upright, stripped of metadata (GPS
positions of phones) and resized; audio and video must be readable by
ffprobe when it is installed. Every refusal says why, in the user's language.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
import subprocess  # noqa: S404 - ffprobe with a fixed argument list
import tempfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models.attachment import AttachmentKind

logger = logging.getLogger(__name__)

MB = 1024 * 1024
#: Largest accepted file of each kind, in bytes (override with
#: ``GRASSROOTS_ATTACHMENT_LIMITS = {"audio": …}``).
DEFAULT_LIMITS: dict[str, int] = {
    AttachmentKind.AUDIO: 50 * MB,
    AttachmentKind.IMAGE: 15 * MB,
    AttachmentKind.VIDEO: 200 * MB,
    AttachmentKind.DOCUMENT: 20 * MB,
}
#: Longest side of a published image, in pixels; enough for a phone or a board.
IMAGE_MAX_SIDE_PX = 1600
IMAGE_MAX_PIXELS = 40_000_000
FFPROBE_TIMEOUT_S = 20


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str
    extension: str


@dataclass
class Prepared:
    """A checked file, ready to store, with what we learnt about it."""

    file: File
    kind: str
    content_type: str
    original_name: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


def sniff(head: bytes) -> Sniffed | None:
    """Return what the first bytes of a file say it is, or None if not allowed."""
    A, IMG, V = AttachmentKind.AUDIO, AttachmentKind.IMAGE, AttachmentKind.VIDEO
    if head.startswith(b"%PDF-"):
        return Sniffed(AttachmentKind.DOCUMENT, "application/pdf", "pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(IMG, "image/png", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(IMG, "image/jpeg", "jpg")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed(IMG, "image/gif", "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed(IMG, "image/webp", "webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed(A, "audio/wav", "wav")
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 in (0xE2, 0xE4, 0xE6)
    ):
        return Sniffed(A, "audio/mpeg", "mp3")
    if head.startswith(b"OggS"):
        return Sniffed(A, "audio/ogg", "ogg")
    if head.startswith(b"fLaC"):
        return Sniffed(A, "audio/flac", "flac")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return Sniffed(A, "audio/mp4", "m4a")
        return Sniffed(V, "video/mp4", "mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed(V, "video/webm", "webm")
    return None


def limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **settings.GRASSROOTS_ATTACHMENT_LIMITS}


def _read_all(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def prepare(upload: IO[bytes], original_name: str, size: int | None = None) -> Prepared:
    """Check ``upload`` and return it ready to store, or raise ``ValidationError``."""
    name = (original_name or "tep").rsplit("/", 1)[-1][:200]
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    if size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": name})
    found = sniff(head)
    if found is None:
        raise ValidationError(
            _(
                "“%(name)s” is not an allowed kind of file. Attach audio (MP3, M4A, "
                "OGG, WAV, FLAC), images (JPEG, PNG, WebP, GIF), video (MP4, WebM) "
                "or PDF documents; the file's content is checked, not its name."
            )
            % {"name": name}
        )
    limit = limits()[found.kind]
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; %(kind)s files may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(size),
                "kind": AttachmentKind(found.kind).label,
                "limit": filesizeformat(limit),
            }
        )
    if found.kind == AttachmentKind.IMAGE:
        return _prepare_image(upload, name)
    data = _read_all(upload)
    duration = None
    if found.kind in (AttachmentKind.AUDIO, AttachmentKind.VIDEO):
        duration = _probe_media(data, name)
    elif found.kind == AttachmentKind.DOCUMENT and b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            _("“%(name)s” is an incomplete PDF (it does not end properly).")
            % {"name": name}
        )
    return Prepared(
        file=ContentFile(data, name=f"tep.{found.extension}"),
        kind=found.kind,
        content_type=found.content_type,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        duration_s=duration,
    )


def _prepare_image(upload: IO[bytes], name: str) -> Prepared:
    from PIL import Image, ImageOps, UnidentifiedImageError

    refused = ValidationError(
        _("“%(name)s” is damaged or not a real image.") % {"name": name}
    )
    try:
        with Image.open(upload) as probe:
            if probe.width * probe.height > IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels (%(w)d × %(h)d).")
                    % {"name": name, "w": probe.width, "h": probe.height}
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((IMAGE_MAX_SIDE_PX, IMAGE_MAX_SIDE_PX))
            has_alpha = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info
            )
            out = io.BytesIO()
            if has_alpha:
                image.save(out, format="PNG", optimize=True)
                content_type, extension = "image/png", "png"
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
                content_type, extension = "image/jpeg", "jpg"
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise refused from None
    finally:
        upload.seek(0)
    data = out.getvalue()
    return Prepared(
        file=ContentFile(data, name=f"anh.{extension}"),
        kind=AttachmentKind.IMAGE,
        content_type=content_type,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
    )


def _probe_media(data: bytes, name: str) -> float | None:
    """Return the duration ffprobe reads, refusing files it cannot read."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:  # optional at run time; the magic bytes were checked
        return None
    with tempfile.NamedTemporaryFile(suffix=".media") as handle:
        handle.write(data)
        handle.flush()
        try:
            result = subprocess.run(  # noqa: S603 - fixed arguments, our temp file
                [
                    ffprobe,
                    "-v",
                    "error",
                    "-show_entries",
                    "format=duration",
                    "-of",
                    "json",
                    handle.name,
                ],
                capture_output=True,
                timeout=FFPROBE_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ValidationError(
                _("“%(name)s” could not be checked in time.") % {"name": name}
            ) from None
    if result.returncode != 0:
        raise ValidationError(
            _("“%(name)s” is damaged or not real audio or video.") % {"name": name}
        )
    try:
        return float(json.loads(result.stdout)["format"]["duration"])
    except (KeyError, ValueError, TypeError):
        return None
