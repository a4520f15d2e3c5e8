"""What comes before and after the rules: tidy the input, then the spoken form.

Before: text pasted from a word processor or a web page brings tags, entities,
non-breaking spaces, bullets and typographic dashes; "35oC" is how many people
type degrees. After: acronyms left over are spelled with Vietnamese letter
names, symbols become words, brackets and dashes become pauses, and every line
ends a sentence, so the engine pauses where a reader would.
"""

from __future__ import annotations

import html
import re
import unicodedata

from .context import Context
from .lexicon import is_syllable, spell

_TAG_BREAK = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h\d|/tr)\b[^>]*>")
_TAG = re.compile(r"<[^>]{0,2000}>")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u3000]+")
_DEGREES = re.compile(r"(?<=\d)\s*[°º˚o]\s*C(?![\w])")
_BULLET = re.compile(r"(?m)^\s*(?:[•●▪◦‣∙·*+]|[-–](?=\s))\s*")
_DASHES = str.maketrans({"—": "–", "‒": "–", "−": "-", "‐": "-", "‑": "-"})
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


def prepare(text: str) -> str:
    """Return ``text`` without markup and typographic noise, one line per paragraph."""
    text = _TAG_BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text).translate(_DASHES).translate(_QUOTES)
    text = text.replace("…", "...").replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = _DEGREES.sub("°C", text)
    return _BULLET.sub("", text)


# Capital letters that Vietnamese acronyms use, with digits: "UBND", "H5N1", "A1".
_ACRONYM = re.compile(r"(?<![\w])(?=\w*[A-ZĐ])[A-ZĐĂÂÊÔƠƯ0-9]{2,12}(?![\w])")
_SYMBOLS = [
    (re.compile(r"\s*&\s*"), " và "),
    (re.compile(r"(?<=\s)\+(?=\s)|(?<=\w)\+(?=\w)"), " cộng "),
    (re.compile(r"\s*=\s*"), " bằng "),
    (re.compile(r"\s*@\s*"), " a còng "),
    (re.compile(r"#\s*(?=\d|\w)"), "số "),
    (re.compile(r"\s*%"), " phần trăm"),
    (re.compile(r"°C|℃"), " độ xê"),
    (re.compile(r"°"), " độ"),
    (re.compile(r"\s*[()\[\]{}]\s*"), ", "),
    (re.compile(r"\s+[-–]+\s+|\s*–\s*|\s*--+\s*"), ", "),
    (re.compile(r"(?<=\w)[-/](?=\w)"), " "),
    (re.compile(r"[\"*_~|^<>`\\/]"), " "),
    (re.compile(r"(?<!\w)'|'(?!\w)"), " "),
]
_LINE_END = re.compile(r"[.!?…:;,]$")
_SPACE_BEFORE_MARK = re.compile(r"\s+([.,!?;:])")
_REPEATED_MARKS = re.compile(r"([,;:])(?:\s*[,;:])+|,\s*([.!?])")
_LEADING_MARKS = re.compile(r"^[\s,;:.]+")


def _spell_acronym(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.isdigit() or (word.isalpha() and is_syllable(word)):
        return word
    return spell(word)


def finish(text: str, ctx: Context) -> str:
    """Return the spoken form: acronyms spelled, symbols said, pauses marked."""
    text = _ACRONYM.sub(_spell_acronym, text)
    for pattern, words in _SYMBOLS:
        text = pattern.sub(words, text)
    sentences: list[str] = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        line = _LEADING_MARKS.sub("", line)
        if not line:
            continue
        if not _LINE_END.search(line):
            line += "."
        sentences.append(line)
    text = " ".join(sentences)
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    text = _REPEATED_MARKS.sub(lambda m: m.group(2) or m.group(1), text)
    return _SPACES.sub(" ", text).strip()
