"""Money, units, percentages, ranges, ordinals, Roman numerals and plain numbers.

"50.000đ/kg" is "năm mươi nghìn đồng một ki lô gam"; "15-20 mm" is "mười
lăm đến hai mươi mi li mét"; "quý III" is "quý ba"; "lần thứ 4" is "lần thứ
tư". In Vietnamese text "." groups thousands and "," marks decimals.
"""

from __future__ import annotations

import re

from . import numbers
from .context import Context, replace, spaced
from .lexicon import LETTER_NAMES

_N = numbers.NUMBER
_NOT_BEFORE = r"(?<![\w.,])"

#: Currencies: written form → what to say.
CURRENCIES = {
    "đồng": "đồng",
    "đ": "đồng",
    "Đ": "đồng",
    "VNĐ": "đồng",
    "VND": "đồng",
    "vnđ": "đồng",
    "vnd": "đồng",
    "USD": "đô la Mỹ",
    "usd": "đô la Mỹ",
    "đô la": "đô la",
    "EUR": "ơ rô",
    "euro": "ơ rô",
}
#: Units: written form → what to say. Longer forms are tried first.
UNITS = {
    "km/h": "ki lô mét một giờ",
    "km/giờ": "ki lô mét một giờ",
    "m/s": "mét trên giây",
    "m3/s": "mét khối trên giây",
    "m³/s": "mét khối trên giây",
    "mg/l": "mi li gam trên lít",
    "mg/L": "mi li gam trên lít",
    "µg/m3": "mi crô gam trên mét khối",
    "μg/m3": "mi crô gam trên mét khối",
    "µg/m³": "mi crô gam trên mét khối",
    "μg/m³": "mi crô gam trên mét khối",
    "km2": "ki lô mét vuông",
    "km²": "ki lô mét vuông",
    "m2": "mét vuông",
    "m²": "mét vuông",
    "m3": "mét khối",
    "m³": "mét khối",
    "mm": "mi li mét",
    "cm": "xen ti mét",
    "km": "ki lô mét",
    "m": "mét",
    "ha": "héc ta",
    "kg": "ki lô gam",
    "mg": "mi li gam",
    "g": "gam",
    "ml": "mi li lít",
    "lít": "lít",
    "tấn": "tấn",
    "kWh": "ki lô oát giờ",
    "kW": "ki lô oát",
    "MW": "mê ga oát",
    "kV": "ki lô vôn",
    "°C": "độ xê",
    "độ C": "độ xê",
    "%": "phần trăm",
}
_MAGNITUDES = r"nghìn|ngàn|triệu|tỷ|tỉ"


def _alternatives(words: dict[str, str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PER = r"(?:\s*/\s*(?:" + _alternatives(UNITS) + r"|[^\W\d_]+))"
_MONEY = re.compile(
    rf"{_NOT_BEFORE}(?:(?P<n0>{_N})\s*[-–]\s*)?(?P<n>{_N})\s*"
    rf"(?P<mag>(?:{_MAGNITUDES})\s*)?(?P<cur>{_alternatives(CURRENCIES)})"
    rf"(?![^\W\d_])(?P<per>{_PER}*)"
)
_DOLLAR = re.compile(rf"(?<!\w)\$\s*(?P<n>{_N})(?P<mag>\s*(?:{_MAGNITUDES}))?")
# "50k" for thousands of đồng, as written in informal notices.
_THOUSANDS_K = re.compile(rf"{_NOT_BEFORE}(?P<n>{_N})[kK](?!\w)")
_UNIT = re.compile(
    rf"{_NOT_BEFORE}(?:(?P<n0>{_N})\s*[-–]\s*)?(?P<n>{_N})\s*"
    rf"(?P<unit>{_alternatives(UNITS)})(?![^\W\d_])(?P<per>{_PER}*)"
)
_ORDINAL = re.compile(r"(?<!\w)(?P<lead>[Tt]hứ|THỨ)\s+(?P<n>\d{1,3})(?![\w.,]\d|\w)")
# "hạng nhì", "giải ba": ranks have their own word for second place.
_RANK = re.compile(r"(?<!\w)(?P<lead>[Hh]ạng|[Gg]iải)\s+(?P<n>[1-4])(?!\w)")
_ROMAN_AFTER = (
    r"[Kk]hóa|[Kk]hoá|KHÓA|[Đđ]ại hội|ĐẠI HỘI|[Cc]hương|CHƯƠNG|[Pp]hần|PHẦN"
    r"|[Mm]ục|[Cc]ấp|[Tt]hế kỷ|[Tt]hế kỉ|[Kk]ỳ|[Kk]ì|[Gg]iai đoạn|[Đđ]ợt|[Vv]ùng"
    r"|[Tt]hứ|THỨ|[Hh]ạng|[Ll]oại|[Tt]ập|[Qq]uân khu|[Đđ]iều|[Nn]hóm|[Kk]hu vực"
)
# Only I, V and X: "hạng C" is licence category C, not a hundred.
_ROMAN = re.compile(rf"(?<!\w)(?P<lead>{_ROMAN_AFTER})\s+(?P<r>[IVX]+)(?!\w)")
# A letter naming a category, block or plot: "hạng C", "lô B", "khu A".
_LETTER = re.compile(
    r"(?<!\w)(?P<lead>[Hh]ạng|[Ll]oại|[Nn]hóm|[Kk]hu|[Ll]ô|[Dd]ãy|[Pp]hòng|[Kk]hối|[Mm]ục)"
    r"\s+(?P<letter>[A-Z])(?!\w)"
)
# Section headings: "II. TÌNH HÌNH", "III) Giải pháp".
_ROMAN_HEADING = re.compile(r"(?m)^(?P<r>[IVXL]{1,6})(?P<end>[.)])\s")
# Free-standing numerals of two letters or more: "Khóa học 2025 - XV".
_ROMAN_FREE = re.compile(r"(?<![\w.])(?P<r>(?:X{0,3})(?:IX|IV|VI{0,3}|I{2,3}))(?!\w)")
# A unit after a word and a slash: "người/km2" is "người trên ki lô mét vuông".
_PER_UNIT = re.compile(
    rf"(?<=[^\W\d_])\s*/\s*(?P<unit>{_alternatives(UNITS)})(?![^\W\d_])"
)
_PLAIN = re.compile(rf"(?<![\w.,])(?P<n>{_N})(?P<letter>[A-Z](?!\w))?(?![\d])")


def _amount(match: re.Match[str], ctx: Context, *, mark: str = "phẩy") -> str:
    words = numbers.read(match.group("n"), ctx.dialect, dot=mark)
    if match.groupdict().get("n0"):
        first = numbers.read(match.group("n0"), ctx.dialect, dot=mark)
        words = f"{first} đến {words}"
    magnitude = (match.groupdict().get("mag") or "").strip()
    if magnitude:
        words += " " + {"tỉ": "tỷ", "ngàn": ctx.dialect.thousand}.get(
            magnitude, magnitude
        )
    return words


def _per(text: str) -> str:
    """Return "/kg/tháng" as " một ki lô gam một tháng"."""
    parts = [p.strip() for p in text.split("/") if p.strip()]
    return "".join(f" một {UNITS.get(p, p)}" for p in parts)


def read_money(match: re.Match[str], ctx: Context) -> str:
    words = f"{_amount(match, ctx)} {CURRENCIES[match.group('cur')]}"
    return spaced(words + _per(match.group("per") or ""), match)


def read_unit(match: re.Match[str], ctx: Context) -> str:
    words = f"{_amount(match, ctx)} {UNITS[match.group('unit')]}"
    return spaced(words + _per(match.group("per") or ""), match)


def read_roman(match: re.Match[str], ctx: Context) -> str:
    value = numbers.roman(match.group("r"))
    lead = match.groupdict().get("lead")
    if not value or (lead is None and len(match.group("r")) < 2):
        return match.group(0)
    if lead is None:
        return numbers.cardinal(value, ctx.dialect)
    if lead.lower() == "thứ":
        return f"{lead} {numbers.ordinal(value, ctx.dialect)}"
    return f"{lead} {numbers.cardinal(value, ctx.dialect)}"


def read_plain(match: re.Match[str], ctx: Context) -> str:
    words = numbers.read(match.group("n"), ctx.dialect)
    letter = match.group("letter")
    if letter:
        words += " " + LETTER_NAMES.get(letter, letter.lower())
    return spaced(words, match)


def apply(text: str, ctx: Context) -> str:
    """Return ``text`` with money, units, ordinals, Roman numerals and numbers in words."""
    d = ctx.dialect
    text = _ROMAN_HEADING.sub(
        lambda m: (
            f"{numbers.cardinal(value, d)}{m.group('end')} "
            if (value := numbers.roman(m.group("r")))
            else m.group(0)
        ),
        text,
    )
    text = _ROMAN.sub(lambda m: read_roman(m, ctx), text)
    text = _ROMAN_FREE.sub(lambda m: read_roman(m, ctx), text)
    text = _LETTER.sub(
        lambda m: f"{m.group('lead')} {LETTER_NAMES[m.group('letter')]}", text
    )
    text = replace(_MONEY, text, lambda m: read_money(m, ctx))
    text = _DOLLAR.sub(lambda m: spaced(f"{_amount(m, ctx)} đô la", m), text)
    text = _THOUSANDS_K.sub(
        lambda m: spaced(f"{numbers.read(m.group('n'), d)} {d.thousand}", m), text
    )
    text = replace(_UNIT, text, lambda m: read_unit(m, ctx))
    text = _PER_UNIT.sub(lambda m: f" trên {UNITS[m.group('unit')]}", text)
    text = _ORDINAL.sub(
        lambda m: f"{m.group('lead')} {numbers.ordinal(int(m.group('n')), d)}", text
    )
    text = _RANK.sub(
        lambda m: (
            f"{m.group('lead')} "
            + {1: "nhất", 2: "nhì", 3: "ba", 4: "tư"}[int(m.group("n"))]
        ),
        text,
    )
    return replace(_PLAIN, text, lambda m: read_plain(m, ctx))
