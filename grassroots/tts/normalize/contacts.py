"""Phone numbers, web addresses, e-mail addresses and document numbers.

A listener must be able to write a phone number down: "0277 3851 234" is
read digit by digit in the writer's groups, with a pause between them. A
hotline "1900 1234" and an emergency number after "gọi" ("gọi 114") too.
Document numbers ("Quyết định số 135/QĐ-TTg") are said the way announcers
say them: "số một trăm ba mươi lăm của Thủ tướng Chính phủ".
"""

from __future__ import annotations

import re

from . import numbers
from .context import Context, spaced
from .lexicon import is_syllable, spell

_KEYWORD = (
    r"(?:số\s+)?(?:điện thoại|Điện thoại|ĐIỆN THOẠI|ĐT|SĐT|ĐTDĐ|[Tt]el|[Hh]otline|HOTLINE"
    r"|đường dây nóng|[Tt]ổng đài|[Ff]ax|[Gg]ọi(?:\s+(?:số|ngay|đến))?|[Ll]iên hệ"
    r"|[Zz]alo)"
)
_DIGITS = r"\+?\d(?:[ .\-]?\d){1,13}"
_AFTER_KEYWORD = re.compile(
    rf"(?<!\w)(?P<kw>{_KEYWORD})(?P<gap>\s*:?\s*(?:\(\s*)?)(?P<num>{_DIGITS})(?![\w]|[.,]\d)"
)
# Vietnamese numbers without a keyword: mobiles (10 digits), landlines (11),
# +84, and 1800/1900 hotlines (8 or 10 digits).
_PHONE = re.compile(
    r"(?<![\w.,/])(?P<num>(?:\+84[ .\-]?|0)\d{2,3}(?:[ .\-]?\d){6,8}"
    r"|1[89]00[ .\-]?\d{2,4}(?:[ .\-]?\d{2,4})?)(?![\w]|[.,]\d)"
)
_URL = re.compile(
    r"(?i)(?<![\w@.])(?:https?://)?(?:www\.)?"
    r"(?P<host>[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*"
    r"\.(?:vn|com|net|org|gov|edu|info|int))(?P<path>/[\w\-./?=&%#]*)?(?![\w@])"
)
_EMAIL = re.compile(
    r"(?<![\w.])(?P<user>[A-Za-z0-9][\w.+\-]*)@(?P<host>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
)
_DOC_CODE = r"[A-ZĐ][A-Za-zĐđ&]*\d*"
_DOCUMENT = re.compile(
    rf"(?<![\w/])(?P<n>\d{{1,6}})(?:/(?P<y>(?:19|20)\d\d))?/"
    rf"(?P<codes>{_DOC_CODE}(?:-{_DOC_CODE})*)(?![\w])"
)
#: Kinds of document whose code comes first in a document number.
DOCUMENT_KINDS = frozenset("QĐ NQ NĐ TT TTLT KH CT CV TB BC HD TTr QC CĐ".split())
_SYMBOLS = {".": "chấm", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới"}


def read_phone(text: str) -> str:
    """Return a phone number as digits in the writer's groups: "0277 3851 234"."""
    plus = text.lstrip().startswith("+")
    groups = [g for g in re.split(r"[ .\-]+", text.lstrip("+ ")) if g]
    if len(groups) == 1:
        words = numbers.grouped_digits(groups[0])
    else:
        words = ", ".join(numbers.digits(g) for g in groups)
    return f"cộng {words}" if plus else words


def _keyword_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group("num"))
    if len(digits) < 3:
        return match.group(0)
    words = read_phone(match.group("num"))
    return f"{match.group('kw')}{match.group('gap')}{spaced(words, match)}"


def _say_label(label: str) -> str:
    """Return one part of an address: syllables as written, the rest spelled."""
    words: list[str] = []
    for piece in re.findall(r"[A-Za-z]+|\d+|[^A-Za-z\d]", label):
        if piece.isdigit():
            words.append(numbers.digits(piece))
        elif piece.isalpha():
            words.append(_syllables(piece))
        elif piece in _SYMBOLS:
            words.append(_SYMBOLS[piece])
    return " ".join(w for w in words if w)


def _syllables(word: str) -> str:
    """Split "dichvucong" into "dich vu cong"; spell what is no syllable ("gov").

    Of the ways to split, the fewest syllables wins, and among those the one
    whose syllables start with a consonant ("vu cong", not "vuc ong").
    """
    lower = word.lower()
    if len(lower) <= 3 and not is_syllable(lower):
        return spell(lower)
    inf = (len(lower) + 1, 0)
    best: list[tuple[tuple[int, int], list[str]]] = [((0, 0), [])]
    for end in range(1, len(lower) + 1):
        choice: tuple[tuple[int, int], list[str]] = (inf, [])
        for start in range(max(0, end - 7), end):
            (count, vowels), parts = best[start]
            piece = lower[start:end]
            if count > len(lower) or not is_syllable(piece):
                continue
            cost = (count + 1, vowels + (piece[0] in "aeiouy" and start > 0))
            if cost < choice[0]:
                choice = (cost, [*parts, piece])
        best.append(choice)
    cost, parts = best[-1]
    return " ".join(parts) if cost < inf else spell(lower)


def read_url(match: re.Match[str]) -> str:
    host = match.group("host")
    words = " chấm ".join(_say_label(label) for label in host.split("."))
    path = (match.group("path") or "").rstrip("/.")
    if path:
        words += " " + _say_label(path)
    return spaced(words, match)


def read_email(match: re.Match[str]) -> str:
    user = _say_label(match.group("user"))
    host = " chấm ".join(_say_label(p) for p in match.group("host").split("."))
    return spaced(f"{user} a còng {host}", match)


def read_document(match: re.Match[str], ctx: Context) -> str:
    d = ctx.dialect
    words = [numbers.cardinal(int(match.group("n")), d)]
    if match.group("y"):
        words.append(f"năm {numbers.cardinal(int(match.group('y')), d)}")
    codes = match.group("codes").split("-")
    if codes[0] in DOCUMENT_KINDS:
        kind = ctx.words.say(codes[0])
        before = match.string[max(0, match.start() - 40) : match.start()]
        if kind.lower() not in before.lower() and codes[0] not in before:
            words.append(kind)
        codes = codes[1:]
        if codes:
            words.append("của")
    words.extend(_say_code(code, ctx) for code in codes)
    return spaced(" ".join(words), match)


def _say_code(code: str, ctx: Context) -> str:
    """Return one code of a document number: "QH14" is "Quốc hội mười bốn"."""
    letters = code.rstrip("0123456789")
    number = code[len(letters) :]
    words = ctx.words.say(letters)
    return f"{words} {numbers.cardinal(int(number), ctx.dialect)}" if number else words


def apply(text: str, ctx: Context) -> str:
    """Return ``text`` with addresses, phone numbers and document numbers in words."""
    text = _EMAIL.sub(read_email, text)
    text = _URL.sub(read_url, text)
    text = _AFTER_KEYWORD.sub(_keyword_phone, text)
    text = _PHONE.sub(lambda m: spaced(read_phone(m.group("num")), m), text)
    return _DOCUMENT.sub(lambda m: read_document(m, ctx), text)
