"""Find the area people name by code or path, on the command line and in URLs."""

from __future__ import annotations

from django.utils.translation import gettext as _

from grassroots.areas.models import Area, Level

#: Words that mean the whole country.
COUNTRY = {"all", "vn", "ca-nuoc", "national"}


def find_area(text: str) -> Area | None:
    """Return the area for a code ("82", "28261") or a path ("82/28261/H01").

    Return None for the whole country; raise ValueError when nothing matches.
    """
    text = (text or "").strip()
    if text.lower() in COUNTRY:
        return None
    if "/" in text:
        area = Area.objects.filter(path=text.strip("/") + "/").first()
    else:
        candidates = list(Area.objects.filter(code=text, level__lte=Level.COMMUNE))
        if not candidates and text.isdigit():
            candidates = list(
                Area.objects.filter(
                    code__in=[text.zfill(2), text.zfill(5)], level__lte=Level.COMMUNE
                )
            )
        area = candidates[0] if len(candidates) == 1 else None
    if area is None:
        raise ValueError(
            _(
                "No area has the code “%(code)s”. Use a province or commune code (82, 28261) or a path (82/28261/H01)."
            )
            % {"code": text}
        )
    return area
