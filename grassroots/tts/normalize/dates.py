"""Dates, months, quarters and times as a commune announcer says them.

"15/3/2025" is "ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi
lăm"; the first ten days take "mùng"; April is "tháng tư"; "7h30" is "bảy giờ
ba mươi phút"; "7h-9h" and "15-20/3" are ranges said with "đến".
"""

from __future__ import annotations

import re

from . import numbers
from .context import Context, replace, spaced

_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_Y = r"(?:1[89]\d\d|2[01]\d\d)"
_NOT_BEFORE = r"(?<![\w/.,:\-])"
_NOT_AFTER = r"(?![\w/]|[.,:\-]\d)"

# "15/3/2025", "15-3-2025", "15.3.2025" (a year is needed with "-" and "."
# so that "10-12 mm" stays a range), "15/3", and "15-20/3/2025" (a span of days).
_DATE = re.compile(
    rf"{_NOT_BEFORE}(?P<lead>(?:[Nn]gày|[Mm]ùng|[Mm]ồng)\s+)?"
    rf"(?:(?P<d0>{_D})\s*[-–]\s*)?"
    rf"(?:(?P<d>{_D})/(?P<m>{_M})(?:/(?P<y>{_Y}))?"
    rf"|(?P<d2>{_D})(?P<sep>[-.])(?P<m2>{_M})(?P=sep)(?P<y2>{_Y})){_NOT_AFTER}"
)
# "tháng 3/2025", "3/2025", "tháng 03-2025".
_MONTH_YEAR = re.compile(
    rf"{_NOT_BEFORE}(?:(?P<lead>[Tt]háng\s+)(?P<m>{_M})[/\-.]|(?P<m2>{_M})/)"
    rf"(?P<y>{_Y}){_NOT_AFTER}"
)
# "tháng 4" (April, not "tháng bốn"); "ngày 5 tháng 3" ("ngày mùng năm").
_MONTH = re.compile(rf"(?<!\w)(?P<lead>[Tt]háng\s+)(?P<m>{_M})(?![\w/.,:\-])")
_DAY = re.compile(rf"(?<!\w)(?P<lead>[Nn]gày\s+)(?P<d>{_D})(?=\s+tháng\b)")

_H = r"(?:[01]?\d|2[0-3])"
_MIN = r"(?:[0-5]\d)"
# "7h30", "7h", "07h00", "7 giờ 30 phút", "7g30"; "7-9h" (a span of hours).
# "g" alone means hours only before minutes or a time of day: "500g" is grams.
_TIME_OF_DAY = r"(?=\s+(?:sáng|trưa|chiều|tối|đêm|ngày|hôm|đến|cùng)\b)"
_TIME = re.compile(
    rf"(?<![\w/.,:])(?:(?P<h0>{_H})\s*[-–]\s*)?(?P<h>{_H})\s*"
    rf"(?:(?:h|giờ)(?:\s*(?P<min>{_MIN})(?!\d)(?:\s*(?:'|p\b|phút))?)?"
    rf"|g(?:(?P<gmin>{_MIN})(?!\d)|{_TIME_OF_DAY}))"
    rf"(?![^\W\d_])"
)
# "19:00", "07:30:15" (not "1:2" or a map scale "1:25.000").
_CLOCK = re.compile(
    rf"(?<![\w/.,:])(?P<h>{_H}):(?P<min>{_MIN})(?::(?P<s>{_MIN}))?(?![\w:]|[.,]\d)"
)
_QUARTER = re.compile(
    rf"(?<!\w)(?P<lead>[Qq]uý|QUÝ)\s+(?P<q>IV|I{{1,3}}|[1-4])"
    rf"(?:\s*[/\-]\s*(?P<y>{_Y})|(?P<nam>\s+năm\s+)(?P<y2>{_Y}))?(?![\w/])"
)


def _has_lead(match: re.Match[str], words: str) -> bool:
    """Return True if the text right before the match already says ``words``."""
    before = match.string[max(0, match.start() - 12) : match.start()].lower()
    return bool(re.search(rf"(?:^|\W)(?:{words})\s*$", before))


def _year(text: str, ctx: Context) -> str:
    return numbers.cardinal(int(text), ctx.dialect)


#: Words before "12/3" that make it an address or a numbered item, not a date.
_NOT_A_DATE = "số|hẻm|ngõ|ngách|kiệt|nhà|lô|căn|phòng|tổ"


def read_date(match: re.Match[str], ctx: Context) -> str:
    d = ctx.dialect
    day = int(match.group("d") or match.group("d2"))
    month = int(match.group("m") or match.group("m2"))
    year = match.group("y") or match.group("y2")
    lead = (match.group("lead") or "").strip().lower()
    if not year and not lead and not match.group("d0"):
        if _has_lead(match, _NOT_A_DATE):  # "hẻm 12/3": "mười hai trên ba"
            address = f"{numbers.cardinal(day, d)} trên {numbers.cardinal(month, d)}"
            return spaced(address, match)
    words: list[str] = []
    if lead in ("mùng", "mồng"):
        words.append(lead)
        day_words = numbers.cardinal(day, d)
    else:
        if lead == "ngày" or not _has_lead(match, "ngày|mùng|mồng"):
            words.append("ngày")
        day_words = numbers.day(day, d)
    if match.group("d0"):
        words.append(f"{numbers.day(int(match.group('d0')), d)} đến")
        day_words = numbers.cardinal(day, d)
    words.append(f"{day_words} tháng {numbers.month(month, d)}")
    if year:
        words.append(f"năm {_year(year, ctx)}")
    return spaced(" ".join(words), match)


def read_month_year(match: re.Match[str], ctx: Context) -> str:
    month = int(match.group("m") or match.group("m2"))
    words = (
        f"tháng {numbers.month(month, ctx.dialect)} năm {_year(match.group('y'), ctx)}"
    )
    return spaced(words, match)


def read_time(match: re.Match[str], ctx: Context) -> str:
    d = ctx.dialect
    hour = numbers.cardinal(int(match.group("h")), d)
    minute = match.groupdict().get("min") or match.groupdict().get("gmin")
    words = f"{hour} giờ"
    if minute and int(minute):
        words += f" {numbers.cardinal(int(minute), d)} phút"
    second = match.groupdict().get("s")
    if second and int(second):
        words += f" {numbers.cardinal(int(second), d)} giây"
    if match.groupdict().get("h0"):
        words = f"{numbers.cardinal(int(match.group('h0')), d)} đến {words}"
    return spaced(words, match)


def read_quarter(match: re.Match[str], ctx: Context) -> str:
    q = match.group("q")
    value = numbers.roman(q) if q.isalpha() else int(q)
    words = f"{match.group('lead')} {numbers.cardinal(value or 0, ctx.dialect)}"
    year = match.group("y") or match.group("y2")
    if year:
        words += f" năm {_year(year, ctx)}"
    return words


def apply(text: str, ctx: Context) -> str:
    """Return ``text`` with dates, quarters and times said in words."""
    text = replace(_QUARTER, text, lambda m: read_quarter(m, ctx))
    text = replace(_DATE, text, lambda m: read_date(m, ctx))
    text = replace(_MONTH_YEAR, text, lambda m: read_month_year(m, ctx))
    text = _DAY.sub(
        lambda m: m.group("lead") + numbers.day(int(m.group("d")), ctx.dialect), text
    )
    text = _MONTH.sub(
        lambda m: m.group("lead") + numbers.month(int(m.group("m")), ctx.dialect),
        text,
    )
    text = replace(_TIME, text, lambda m: read_time(m, ctx))
    return replace(_CLOCK, text, lambda m: read_time(m, ctx))
