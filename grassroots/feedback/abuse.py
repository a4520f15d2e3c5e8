"""Keep floods, scripts and junk files out, without turning real citizens away.

Rate limits count in the shared Django cache (Redis when ``REDIS_URL`` is
set, the file cache in embedded mode), so every web process sees the same
counts. Uploaded files are judged by their bytes, not by their name or the
type the browser claims.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AttachmentKind

# Markup, found in linear time: an opening ``<tag`` counts only when a ``>``
# follows somewhere (see :func:`has_markup`), and an ``onclick=`` only at the
# start of a word, with possessive repeats, so no text makes the engine
# retry from every position (the old pattern, ``<[a-z][^>]*>``, scanned to
# the end of an 80,000-character ``<a<a<a...`` once per ``<``: seconds of CPU).
_OPENER = re.compile(r"<\s*+(?:/\s*+)?[a-zA-Z!?]")
_SCRIPTY = re.compile(r"javascript\s*+:|(?<![a-z])on[a-z]++\s*+=\s*+[\"']", re.I)


def has_markup(text: str) -> bool:
    """Return True if ``text`` holds an HTML tag, a ``javascript:`` link or a handler."""
    close = text.rfind(">")
    if close > 0 and _OPENER.search(text, 0, close):
        return True
    return _SCRIPTY.search(text) is not None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Types accepted from citizens, by content.
CITIZEN_TYPES = {
    "image/jpeg": AttachmentKind.IMAGE,
    "image/png": AttachmentKind.IMAGE,
    "image/webp": AttachmentKind.IMAGE,
    "image/heic": AttachmentKind.IMAGE,
    "image/heif": AttachmentKind.IMAGE,
    "audio/mpeg": AttachmentKind.AUDIO,
    "audio/mp4": AttachmentKind.AUDIO,
    "audio/m4a": AttachmentKind.AUDIO,
    "audio/x-m4a": AttachmentKind.AUDIO,
    "audio/aac": AttachmentKind.AUDIO,
    "audio/ogg": AttachmentKind.AUDIO,
    "audio/x-wav": AttachmentKind.AUDIO,
    "audio/wav": AttachmentKind.AUDIO,
    "audio/amr": AttachmentKind.AUDIO,
    "video/webm": AttachmentKind.AUDIO,  # browsers record voice as WebM
}
#: Staff may also attach documents to answers.
STAFF_TYPES = {**CITIZEN_TYPES, "application/pdf": AttachmentKind.DOCUMENT}


class RateLimited(Exception):
    """Raised when a limit is reached; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def hit(key: str, limit: int, window_s: int) -> int | None:
    """Count one event for ``key``; return seconds to wait if over ``limit``, else None.

    A fixed window per ``window_s``: simple, one round trip to the cache in
    the usual case, and shared by all processes.
    """
    if limit <= 0:
        return None
    now = int(time.time())
    window = now // window_s
    full_key = f"feedback:rl:{key}:{window}"
    if cache.add(full_key, 1, window_s + 5):
        count = 1
    else:
        try:
            count = cache.incr(full_key)
        except ValueError:  # expired between add and incr
            cache.add(full_key, 1, window_s + 5)
            count = 1
    if count > limit:
        return (window + 1) * window_s - now
    return None


def _refuse(retry_after: int) -> RateLimited:
    minutes = max(1, (retry_after + 59) // 60)
    return RateLimited(
        ngettext(
            "Too many submissions. Please wait %(minutes)d minute and try again.",
            "Too many submissions. Please wait %(minutes)d minutes and try again.",
            minutes,
        )
        % {"minutes": minutes},
        retry_after,
    )


def check_rates(
    *, ip: str | None, contacts: list[str], client_key: str | None, client_limit: int
) -> None:
    """Raise :class:`RateLimited` if this address, contact or client sent too much."""
    if client_key is not None:
        wait = hit(f"client:{client_key}", client_limit, 60)
    else:
        limit, window = settings.GRASSROOTS_FEEDBACK_RATE_ADDRESS
        wait = hit(f"ip:{ip or '-'}", limit, window) if ip else None
    if wait is not None:
        raise _refuse(wait)
    limit, window = settings.GRASSROOTS_FEEDBACK_RATE_CONTACT
    for contact in contacts:
        if contact:
            wait = hit(f"contact:{contact.lower()}", limit, window)
            if wait is not None:
                raise _refuse(wait)


def check_reopen_rate(ip: str | None) -> None:
    """Raise :class:`RateLimited` if this address reopened too many items lately."""
    limit, window = settings.GRASSROOTS_FEEDBACK_RATE_REOPEN
    wait = hit(f"reopen:{ip or '-'}", limit, window)
    if wait is not None:
        raise _refuse(wait)


def check_track_rate(ip: str | None) -> None:
    limit, window = settings.GRASSROOTS_FEEDBACK_RATE_TRACK
    wait = hit(f"track:{ip or '-'}", limit, window)
    if wait is not None:
        raise _refuse(wait)


def clean_text(text: str, *, field: str, min_length: int = 0, max_length: int) -> str:
    """Return plain text, or raise ``ValidationError`` for markup or bad length."""
    text = (text or "").replace("\r\n", "\n").strip()
    # The length first: nothing else runs on text longer than allowed.
    if len(text) > max_length:
        raise ValidationError(
            _("%(field)s is too long: at most %(max)d characters.")
            % {"field": field, "max": max_length},
            code="too_long",
        )
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if has_markup(text):
        raise ValidationError(
            _(
                "%(field)s must be plain text: HTML tags and scripts are not accepted. "
                "Remove the parts in < >."
            )
            % {"field": field},
            code="markup",
        )
    if len(text) < min_length:
        raise ValidationError(
            _("%(field)s is too short: write at least %(min)d characters.")
            % {"field": field, "min": min_length},
            code="too_short",
        )
    if len(text) > max_length:
        raise ValidationError(
            _("%(field)s is too long: at most %(max)d characters.")
            % {"field": field, "max": max_length},
            code="too_long",
        )
    return text


_PHONE = re.compile(r"^0[1-9]\d{8,9}$")


def clean_phone(text: str) -> str:
    """Return a Vietnamese phone number as 0xxxxxxxxx, or raise ``ValidationError``."""
    digits = re.sub(r"[\s.\-()]", "", text or "")
    if not digits:
        return ""
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _PHONE.match(digits):
        raise ValidationError(
            _(
                "The phone number should have 10 digits and start with 0, e.g. 0912345678."
            ),
            code="phone",
        )
    return digits


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    kind: str
    size: int
    data: bytes


def check_files(files: list, *, staff: bool = False) -> list[CheckedFile]:
    """Return the files if each is allowed by size and content, else raise ``ValidationError``."""
    allowed = STAFF_TYPES if staff else CITIZEN_TYPES
    max_files = settings.GRASSROOTS_FEEDBACK_MAX_FILES
    max_bytes = settings.GRASSROOTS_FEEDBACK_MAX_FILE_BYTES
    max_total = settings.GRASSROOTS_FEEDBACK_MAX_TOTAL_BYTES
    if len(files) > max_files:
        raise ValidationError(
            _("At most %(n)d files can be attached.") % {"n": max_files}, code="files"
        )
    checked: list[CheckedFile] = []
    total = 0
    mb = max_bytes // (1024 * 1024)
    for upload in files:
        name = (getattr(upload, "name", "") or "file")[-200:]
        size = getattr(upload, "size", None) or 0
        if size > max_bytes:
            raise ValidationError(
                _("“%(name)s” is too large: each file may be at most %(mb)d MB.")
                % {"name": name, "mb": mb},
                code="file_too_large",
            )
        upload.seek(0)
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValidationError(
                _("“%(name)s” is too large: each file may be at most %(mb)d MB.")
                % {"name": name, "mb": mb},
                code="file_too_large",
            )
        total += len(data)
        if total > max_total:
            raise ValidationError(
                _("The files together are too large: at most %(mb)d MB in all.")
                % {"mb": max_total // (1024 * 1024)},
                code="files_too_large",
            )
        kind = filetype.guess(data[:8192])
        mime = kind.mime if kind else ""
        if mime not in allowed:
            raise ValidationError(
                _(
                    "“%(name)s” is not a photo or a sound recording we can open "
                    "(JPEG, PNG, WebP, HEIC, MP3, M4A, OGG, WAV, AMR)."
                )
                % {"name": name},
                code="file_type",
            )
        if allowed[mime] == AttachmentKind.IMAGE and mime not in (
            "image/heic",
            "image/heif",
        ):
            _verify_image(name, data)
        checked.append(CheckedFile(name, mime, allowed[mime], len(data), data))
    return checked


def _verify_image(name: str, data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            if image.width * image.height > 60_000_000:
                raise ValidationError(
                    _("“%(name)s” has too many pixels.") % {"name": name},
                    code="file_type",
                )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("“%(name)s” is damaged or not really an image.") % {"name": name},
            code="file_type",
        ) from exc
