"""File formats of the indicator reports: XLSX and PDF, from one ``Report``."""

from __future__ import annotations

from ..registry import Status

#: Background colours of the status cells (RGB), the same in both formats.
STATUS_FILLS: dict[str, tuple[int, int, int]] = {
    Status.MET: (198, 239, 206),
    Status.NEAR: (255, 235, 156),
    Status.BEHIND: (255, 199, 206),
    Status.NONE: (230, 230, 230),
}
