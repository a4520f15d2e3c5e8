"""Photos as they are kept: re-encoded without their metadata (GPS, camera, owner).

A phone writes where a photo was taken into its EXIF; a citizen's photo must
not tell anyone where the citizen stood, nor which phone they own. Re-encoding
drops every metadata block, after turning the picture the way EXIF said.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

#: Longest side kept; a phone's 4000 px is more than a handler needs.
MAX_SIDE_PX = 2560


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str


def without_metadata(data: bytes) -> CleanImage:
    """Return the image re-encoded (JPEG, or PNG when transparent), metadata gone.

    HEIC/HEIF photos (iPhones) are read through pillow-heif and kept as JPEG.
    Raises ``ValueError`` when the data is not an image Pillow can read.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - installed with Wagtail's Willow
        pass
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
            transparent = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info
            )
            out = io.BytesIO()
            if transparent:
                image.save(out, format="PNG", optimize=True)
                return CleanImage(out.getvalue(), "image/png", "png")
            image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
            return CleanImage(out.getvalue(), "image/jpeg", "jpg")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValueError(str(exc)) from exc
