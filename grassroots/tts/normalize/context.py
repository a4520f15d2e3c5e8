"""What every rule needs: the dialect, the dictionary, and a range-aware replacer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .lexicon import Lexicon
from .numbers import SOUTH, Dialect


@dataclass(frozen=True)
class Context:
    dialect: Dialect = SOUTH
    lexicon: Lexicon | None = None

    @property
    def words(self) -> Lexicon:
        return self.lexicon if self.lexicon is not None else Lexicon.default()


#: What joins the two ends of a range: "7h-9h", "15 – 20", "15/3 đến 20/3".
_RANGE_GAP = re.compile(r"\s*[-–—]\s*")


def replace(
    pattern: re.Pattern[str],
    text: str,
    read: Callable[[re.Match[str]], str],
    *,
    ranges: bool = True,
) -> str:
    """Return ``text`` with each match of ``pattern`` replaced by ``read(match)``.

    With ``ranges``, a dash between two matches is said "đến" ("7h-9h" is
    "bảy giờ đến chín giờ"): in notices a dash between two times, dates or
    quantities always means a range.
    """
    out: list[str] = []
    last = 0
    previous = False
    for match in pattern.finditer(text):
        gap = text[last : match.start()]
        if ranges and previous and _RANGE_GAP.fullmatch(gap):
            gap = " đến "
        out.append(gap)
        out.append(read(match))
        last = match.end()
        previous = True
    out.append(text[last:])
    return "".join(out)


def spaced(words: str, match: re.Match[str]) -> str:
    """Return ``words`` with a space added where the match touched a letter or digit."""
    text = match.string
    before = match.start() > 0 and text[match.start() - 1].isalnum()
    after = match.end() < len(text) and text[match.end()].isalnum()
    return f"{' ' if before else ''}{words}{' ' if after else ''}"
