"""Vietnamese text helpers shared by search, imports and matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return ``text`` lowercased with Vietnamese diacritics removed.

    "Thông báo lũ" and "thong bao lu" fold to the same string, so people who
    type without diacritics (common on phones) still find what they look for.
    """
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", text).strip().lower()
