"""The pronunciation dictionary: abbreviations of Vietnamese administration.

Officials write "UBND", "HĐND", "TP.HCM"; a speech engine would spell them
letter by letter or, worse, read them as English. The shipped dictionary
(``data/abbreviations.tsv``) covers the common ones; each province adds,
changes or switches off entries in the console, and :meth:`Lexicon.merged`
lays those over the shipped ones. Acronyms found in neither are spelled with
Vietnamese letter names ("VTV" → "vê tê vê"), never left to the engine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from grassroots.core.text import fold

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "data" / "abbreviations.tsv"

#: Vietnamese names of letters, as said when spelling an acronym.
LETTER_NAMES = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "gờ",
    "H": "hát",
    "I": "i",
    "J": "giây",
    "K": "ca",
    "L": "lờ",
    "M": "mờ",
    "N": "nờ",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i",
    "Z": "dét",
}

# A Vietnamese syllable, written without diacritics: onset, one to three
# vowels, and a final consonant or glide. Capitalised words that fit ("THÔNG
# BÁO") are words; those that do not ("UBND", "HCM") are acronyms to spell.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?"
)


def is_syllable(word: str) -> bool:
    """Return True if ``word`` can be one Vietnamese syllable."""
    return bool(_SYLLABLE.fullmatch(fold(word)))


def spell(word: str) -> str:
    """Return ``word`` spelled with Vietnamese letter names, digits as words."""
    from .numbers import DIGITS

    names = []
    for char in unicodedata.normalize("NFC", word.upper()):
        if char.isdigit():
            names.append(DIGITS[int(char)])
        elif char in LETTER_NAMES:
            names.append(LETTER_NAMES[char])
        else:
            base = unicodedata.normalize("NFD", char)[0]
            if base in LETTER_NAMES:
                names.append(LETTER_NAMES[base])
    return " ".join(names)


def read_defaults(path: Path = DEFAULTS_FILE) -> dict[str, str]:
    """Return the shipped dictionary: abbreviation → what to say."""
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, spoken = line.partition("\t")
        if key.strip() and spoken.strip():
            entries[key.strip()] = spoken.strip()
    return entries


def _pattern(key: str) -> str:
    body = re.escape(key)
    if key.islower():
        body = f"(?i:{body})"
    # "TP." may run straight into a name ("TP.Cao Lãnh") and "QL" into a
    # number ("QL30"); otherwise entries end at a word boundary, so that "TT"
    # never matches inside "TTATGT".
    if not key[-1].isalnum():
        tail = ""
    elif key[-1].isdigit():
        tail = r"(?!\w)"
    else:
        tail = r"(?![^\W\d_])"
    head = r"(?<![\w])" if key[0].isalnum() else ""
    return f"{head}{body}{tail}"


class Lexicon:
    """A compiled dictionary of abbreviations and how to say them.

    Keys with a capital letter match exactly ("TT" but not "tt"); all-lowercase
    keys match in any case ("vaccine", "Vaccine"). Longer keys win ("TP.HCM"
    before "TP").
    """

    def __init__(self, entries: Mapping[str, str]):
        self.entries = {
            unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v)
            for k, v in entries.items()
            if k and v
        }
        self._lower = {k.lower(): v for k, v in self.entries.items() if k.islower()}
        keys = sorted(self.entries, key=lambda k: (-len(k), k))
        self._regex = re.compile("|".join(_pattern(k) for k in keys)) if keys else None

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str) -> str | None:
        """Return what to say for ``key``, or None if the dictionary lacks it."""
        return self.entries.get(key) or self._lower.get(key.lower())

    def expand(self, text: str) -> str:
        """Return ``text`` with every known abbreviation replaced by its words."""
        if self._regex is None:
            return text
        return self._regex.sub(self._replacement, text)

    def _replacement(self, match: re.Match[str]) -> str:
        spoken = self.get(match.group(0)) or match.group(0)
        after = match.string[match.end() : match.end() + 1]
        return f"{spoken} " if after.isalnum() else spoken

    def say(self, code: str) -> str:
        """Return what to say for one code, spelling it if the dictionary lacks it."""
        return self.get(code) or (code if is_syllable(code) else spell(code))

    def merged(self, overrides: Iterable[tuple[str, str | None]]) -> Lexicon:
        """Return a new lexicon with ``overrides`` laid over this one.

        Each override is ``(abbreviation, spoken)``; ``spoken`` None switches
        the entry off, so the abbreviation is spelled out instead.
        """
        entries = dict(self.entries)
        for key, spoken in overrides:
            key = unicodedata.normalize("NFC", key.strip())
            if spoken:
                entries[key] = spoken.strip()
            else:
                entries.pop(key, None)
        return Lexicon(entries)

    @classmethod
    def default(cls) -> Lexicon:
        """Return the shipped dictionary (read once per process)."""
        return _default_lexicon()


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    return Lexicon(read_defaults())
