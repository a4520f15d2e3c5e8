"""Read numbers the way Vietnamese speakers do.

Vietnamese number words change with position and region: 21 is "hai mươi mốt"
(not "một"), 15 is "mười lăm" (not "năm"), 105 is "một trăm linh năm" in the
North and "một trăm lẻ năm" in the South, 1000 is "nghìn" or "ngàn". A
:class:`Dialect` holds the regional choices; the voice picks the dialect, so a
Southern voice never says "linh".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class Dialect:
    """The regional forms of number words."""

    code: str
    #: 1000: "nghìn" (North) or "ngàn" (Centre, South).
    thousand: str
    #: A zero tens digit after hundreds, 105: "linh" (North) or "lẻ" (South).
    zero_tens: str
    #: 4 after a tens digit of 2 or more, 24: "tư" (North) or "bốn".
    four_after_tens: str
    #: 5 after a tens digit of 2 or more, 25: "lăm", or colloquial "nhăm".
    five_after_tens: str = "lăm"


NORTH = Dialect("north", thousand="nghìn", zero_tens="linh", four_after_tens="tư")
CENTRAL = Dialect("central", thousand="ngàn", zero_tens="lẻ", four_after_tens="bốn")
SOUTH = Dialect("south", thousand="ngàn", zero_tens="lẻ", four_after_tens="bốn")
DIALECTS = {d.code: d for d in (NORTH, CENTRAL, SOUTH)}


def _below_hundred(n: int, d: Dialect) -> str:
    if n < 10:
        return DIGITS[n]
    tens, unit = divmod(n, 10)
    if tens == 1:
        if unit == 0:
            return "mười"
        return "mười lăm" if unit == 5 else f"mười {DIGITS[unit]}"
    head = f"{DIGITS[tens]} mươi"
    if unit == 0:
        return head
    tail = {1: "mốt", 4: d.four_after_tens, 5: d.five_after_tens}.get(
        unit, DIGITS[unit]
    )
    return f"{head} {tail}"


def _group(n: int, d: Dialect, *, inner: bool) -> str:
    """Return a group of three digits; ``inner`` groups say "không trăm" (1.005)."""
    hundreds, rest = divmod(n, 100)
    if not hundreds and not inner:
        return _below_hundred(rest, d)
    head = f"{DIGITS[hundreds]} trăm"
    if rest == 0:
        return head
    if rest < 10:
        return f"{head} {d.zero_tens} {DIGITS[rest]}"
    return f"{head} {_below_hundred(rest, d)}"


def _below_billion(n: int, d: Dialect, *, inner: bool) -> str:
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words: list[str] = []
    for value, scale in ((millions, "triệu"), (thousands, d.thousand), (units, "")):
        if value == 0:
            continue  # 1.000.005: "một triệu không trăm lẻ năm", no "không nghìn"
        group = _group(value, d, inner=inner or bool(words))
        words.append(f"{group} {scale}" if scale else group)
    return " ".join(words)


def cardinal(n: int, d: Dialect = SOUTH) -> str:
    """Return ``n`` in words: 21 → "hai mươi mốt", 1.000.000.000.000 → "một nghìn tỷ"."""
    if n < 0:
        return f"âm {cardinal(-n, d)}"
    if n == 0:
        return "không"
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        head = f"{cardinal(high, d)} tỷ"
        return head if low == 0 else f"{head} {_below_billion(low, d, inner=True)}"
    return _below_billion(n, d, inner=False)


def ordinal(n: int, d: Dialect = SOUTH) -> str:
    """Return the word after "thứ": 1 → "nhất", 4 → "tư", 14 → "mười bốn"."""
    return {1: "nhất", 4: "tư"}.get(n) or cardinal(n, d)


def month(n: int, d: Dialect = SOUTH) -> str:
    """Return the word after "tháng": April is "tháng tư", never "tháng bốn"."""
    return "tư" if n == 4 else cardinal(n, d)


def day(n: int, d: Dialect = SOUTH) -> str:
    """Return the day of the month as said: the first ten days take "mùng"."""
    return f"mùng {cardinal(n, d)}" if n <= 10 else cardinal(n, d)


def digits(text: str) -> str:
    """Return each digit of ``text`` as a word: "0277" → "không hai bảy bảy"."""
    return " ".join(DIGITS[int(c)] for c in text if c.isdigit())


def fraction(text: str, d: Dialect = SOUTH) -> str:
    """Return the digits after a decimal mark: "5" → "năm", "05" → "không năm".

    Up to three digits without a leading zero are read as a number
    ("3,14" is "ba phẩy mười bốn"), the way Vietnamese speakers read them.
    """
    if text.startswith("0") or len(text) > 3:
        return digits(text)
    return cardinal(int(text), d)


# A number as written in Vietnamese text: "." groups thousands, "," marks the
# decimals (1.500.000; 12,5). English-style thousands (1,500,000) are accepted
# when there are at least two groups, where they cannot be decimals; a "." with
# one or two digits after it (4.0, 1.5) is a decimal point.
NUMBER = (
    r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?"
    r"|\d+\.\d{1,2}(?![\d.])"
    r"|\d+(?:,\d+)?"
)
_EN_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?")
_VI_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DOT_DECIMAL = re.compile(r"\d+\.\d{1,2}")

#: Plain integers this long are identifiers (citizen ID, account numbers), read digit by digit.
LONG_DIGITS = 10


def read(text: str, d: Dialect = SOUTH, *, dot: str = "chấm") -> str:
    """Return a written number (as matched by :data:`NUMBER`) in words.

    ``dot`` is the word for a "." decimal point: "chấm" for version numbers
    (công nghiệp 4.0), "phẩy" where a quantity follows (1.5 triệu).
    """
    if _EN_THOUSANDS.fullmatch(text):
        whole, _, frac = text.replace(",", "").partition(".")
        return _with_fraction(whole, frac, "phẩy", d)
    if _VI_THOUSANDS.fullmatch(text):
        whole, _, frac = text.replace(".", "").partition(",")
        return _with_fraction(whole, frac, "phẩy", d)
    if _DOT_DECIMAL.fullmatch(text):
        whole, _, frac = text.partition(".")
        return _with_fraction(whole, frac, dot, d)
    whole, _, frac = text.partition(",")
    if not frac and len(whole) >= LONG_DIGITS:
        return grouped_digits(whole)
    return _with_fraction(whole, frac, "phẩy", d)


def _with_fraction(whole: str, frac: str, mark: str, d: Dialect) -> str:
    words = cardinal(int(whole), d)
    return f"{words} {mark} {fraction(frac, d)}" if frac else words


def value(text: str) -> float:
    """Return the numeric value of a written number (for choosing words by size)."""
    if _EN_THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    if _VI_THOUSANDS.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    return float(text.replace(",", "."))


def grouped_digits(text: str, sizes: tuple[int, ...] | None = None) -> str:
    """Return digits read in groups separated by commas (a pause when spoken).

    Without ``sizes``: four digits, then even groups of three or four
    (0912 345 678, 0277 3851 234), the way Vietnamese phone numbers and
    long codes are read aloud.
    """
    text = "".join(c for c in text if c.isdigit())
    if sizes is None:
        sizes = _default_sizes(len(text))
    groups: list[str] = []
    start = 0
    for size in sizes:
        if start >= len(text):
            break
        groups.append(text[start : start + size])
        start += size
    if start < len(text):
        groups.append(text[start:])
    return ", ".join(digits(g) for g in groups)


def _default_sizes(length: int) -> tuple[int, ...]:
    """Return group sizes: four digits, then the rest in even groups of 3-4."""
    if length <= 4:
        return (length,)
    rest = length - 4
    count = -(-rest // 4)
    small, extra = divmod(rest, count)
    return (4,) + tuple(small + 1 if i < extra else small for i in range(count))


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
ROMAN = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_RE = re.compile(ROMAN)


def roman(text: str) -> int | None:
    """Return the value of a Roman numeral (III → 3), or None if it is not one."""
    if not text or not _ROMAN_RE.fullmatch(text):
        return None
    total = 0
    for i, char in enumerate(text):
        n = _ROMAN[char]
        total += -n if i + 1 < len(text) and _ROMAN[text[i + 1]] > n else n
    return total
