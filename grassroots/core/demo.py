"""Demo data for ``make run``: the current Đồng Tháp province, loaded idempotently.

Each app with demo data has a ``demo`` module with ``load(out)``; they run in
the order of ``LOADERS`` (later ones use what earlier ones made). Loading twice
changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.conf import settings

PROVINCE_CODE = 82
#: The password of every demo account, printed by ``make run``; demo only.
DEMO_PASSWORD = "demo-dongthap"  # noqa: S105 - a published demo password, not a secret

LOADERS = (
    "grassroots.areas.demo",
    "grassroots.accounts.demo",
    "grassroots.tts.demo",
    "grassroots.training.demo",
    "grassroots.bulletins.demo",
    "grassroots.loudspeakers.demo",
    "grassroots.feedback.demo",
    "grassroots.boards.demo",
    "grassroots.broadcasts.demo",
    "grassroots.dissemination.demo",
    "grassroots.cap.demo",
)


def load_all(out: Callable[[str], None]) -> None:
    for dotted in LOADERS:
        import_module(dotted).load(out)


def banner_lines() -> list[str]:
    """Return what the demo apps want shown at start-up (logins, device addresses)."""
    lines: list[str] = []
    for dotted in LOADERS:
        module = import_module(dotted)
        if hasattr(module, "banner"):
            lines.extend(module.banner())
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        lines.append(
            f"E-mails are not sent; each is a file in {settings.EMAIL_FILE_PATH}"
        )
    return lines
