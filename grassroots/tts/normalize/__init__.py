"""Turn what officials write into what a loudspeaker should say.

We keep our own normaliser because no maintained library covers Vietnamese
administrative text: general text-normalisation packages for Vietnamese
handle numbers at best, and none knows that "UBND" is "Ủy ban nhân dân",
that "135/QĐ-TTg" is a document number, that "15-20 mm" is a range of rain,
that "0277 3851 234" must be read digit by digit, or that a Southern voice
says "ngàn" and "lẻ". Each rule lives in a small module with real sentences
from public notices as its tests (``tests/test_normalize*.py``).

``normalize(text)`` is pure Python, needs no database, and is fast enough to
run on every keystroke of the console preview.
"""

from __future__ import annotations

from . import cleanup, contacts, dates, quantities
from .context import Context
from .lexicon import Lexicon, read_defaults, spell
from .numbers import CENTRAL, DIALECTS, NORTH, SOUTH, Dialect, cardinal, ordinal

__all__ = [
    "CENTRAL",
    "DIALECTS",
    "NORTH",
    "SOUTH",
    "Dialect",
    "Lexicon",
    "cardinal",
    "normalize",
    "ordinal",
    "read_defaults",
    "spell",
]


def normalize(
    text: str, *, dialect: Dialect = SOUTH, lexicon: Lexicon | None = None
) -> str:
    """Return the spoken form of ``text``: every number, date and abbreviation in words.

    ``dialect`` chooses the regional forms ("nghìn"/"ngàn", "linh"/"lẻ");
    ``lexicon`` is the pronunciation dictionary (the shipped one by default).
    """
    ctx = Context(dialect=dialect, lexicon=lexicon)
    text = cleanup.prepare(text)
    text = contacts.apply(text, ctx)
    text = ctx.words.expand(text)
    text = dates.apply(text, ctx)
    text = quantities.apply(text, ctx)
    return cleanup.finish(text, ctx)
