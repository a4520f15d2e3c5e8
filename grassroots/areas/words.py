"""The installation's own word for the level below the commune.

A southern province calls it ấp (and khóm in towns), a northern one thôn or
tổ dân phố: labels ask here instead of fixing one word. The answer comes from
the active hamlet-level areas: every kind holding at least a tenth of them,
the most common first ("ấp, khóm" for Đồng Tháp), at most three.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.functional import lazy
from django.utils.translation import get_language

#: The Vietnamese word of each hamlet-level ``Kind`` (names, not translations).
#: Keyed by the kind's value so that app configs and choices (``Capability``)
#: can use :func:`hamlet_label` before the models are loaded.
VIETNAMESE = {
    "ap": "ấp",
    "thon": "thôn",
    "to_dan_pho": "tổ dân phố",
    "khom": "khóm",
    "khu_pho": "khu phố",
    "soc": "sóc",
    "ban": "bản",
    "buon": "buôn",
    "lang": "làng",
}
#: With no hamlet yet: the word of the national programme's documents.
DEFAULT = ("ap",)


def hamlet_kinds() -> tuple[str, ...]:
    """Return the kinds the installation uses below the commune, commonest first."""
    from .models import Area, Level

    rows = list(
        Area.objects.filter(level=Level.HAMLET, is_active=True, kind__in=VIETNAMESE)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    total = sum(row["n"] for row in rows)
    kinds = tuple(row["kind"] for row in rows if row["n"] * 10 >= total)[:3]
    return kinds or DEFAULT


def hamlet_word(*, capital: bool = False, plural: bool = False) -> str:
    """Return "ấp, khóm" (Vietnamese, from the areas) or "hamlet(s)" (English)."""
    if (get_language() or "vi").startswith("vi"):
        word = ", ".join(VIETNAMESE[kind] for kind in hamlet_kinds())
    else:
        word = "hamlets" if plural else "hamlet"  # the English branch: no catalogue
    return word[:1].upper() + word[1:] if capital else word


def _label(capital: bool, plural: bool) -> str:
    return hamlet_word(capital=capital, plural=plural)


_lazy_label = lazy(_label, str)


def hamlet_label(*, capital: bool = True, plural: bool = False) -> str:
    """A lazy ``hamlet_word`` for labels defined at import time (columns, fields)."""
    return _lazy_label(capital, plural)
