"""Every string has one meaning: our apps' catalogues agree, and none is left untranslated.

Django loads every app's catalogue into one table, so a msgid translated
differently by two apps shows one of the two everywhere (the bulletin form's
"Chuyên mục" read "Loại"). Strings that mean different things in different
apps get a ``pgettext`` context; strings that mean the same get one translation.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]

#: Clashes still to be split with a pgettext context (different meanings in
#: different apps). The list only shrinks: a new clash fails the test.
NOT_YET_SPLIT = {
    "Address",
    "address",
    "level",
    "What",
    "what",
    "From",
    "Category",
    "category",
    "By category",
    "Topic",
    "Received",
    "received",
    "issued",
    "issued by",
    "message",
    "finished",
    "Nothing was imported. Fix the rows below and upload the file again.",
}


def _catalogues() -> dict[str, polib.POFile]:
    return {
        path.parts[-5]: polib.pofile(str(path))
        for path in sorted(ROOT.glob("*/locale/vi/LC_MESSAGES/django.po"))
    }


def _text(entry: polib.POEntry) -> str:
    if "fuzzy" in entry.flags:
        return ""
    return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr


def test_every_string_of_our_apps_is_translated():
    missing = [
        f"{app}: {entry.msgid[:70]!r}"
        for app, po in _catalogues().items()
        for entry in po
        if entry.msgid and not entry.obsolete and not _text(entry).strip()
    ]
    assert not missing, "Untranslated:\n" + "\n".join(missing)


def test_two_apps_never_translate_the_same_string_differently():
    seen: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for app, po in _catalogues().items():
        for entry in po:
            if entry.msgid and not entry.obsolete and _text(entry):
                seen[(entry.msgctxt or "", entry.msgid)][app] = _text(entry)
    clashes = [
        f"{msgid!r} ({ctxt or 'no context'}): {translations}"
        for (ctxt, msgid), translations in seen.items()
        if len(set(translations.values())) > 1 and msgid not in NOT_YET_SPLIT
    ]
    assert not clashes, (
        "Translated differently by two apps (one translation if the meaning is "
        "the same, else a pgettext context):\n" + "\n".join(clashes)
    )
