"""Every string has one meaning: our apps' catalogues agree, and none is left untranslated.

Django loads every app's catalogue into one table, so a msgid translated
differently by two apps shows one of the two everywhere (the bulletin form's
"Chuyên mục" read "Loại"). Strings that mean different things in different
apps get a ``pgettext`` context; strings that mean the same get one translation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]


def _catalogues() -> dict[str, polib.POFile]:
    return {
        path.parts[-5]: polib.pofile(str(path))
        for path in sorted(ROOT.glob("*/locale/vi/LC_MESSAGES/django.po"))
    }


def _text(entry: polib.POEntry) -> str:
    if "fuzzy" in entry.flags:
        return ""
    return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr


def _untranslated(entry: polib.POEntry) -> bool:
    """Fuzzy, or an empty msgstr (any plural form)."""
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        forms = entry.msgstr_plural or {0: ""}
        return any(not text.strip() for text in forms.values())
    return not entry.msgstr.strip()


def test_every_string_of_our_apps_is_translated():
    missing = [
        f"{app}: {entry.msgid[:70]!r}"
        for app, po in _catalogues().items()
        for entry in po
        if entry.msgid and not entry.obsolete and _untranslated(entry)
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
        if len(set(translations.values())) > 1
    ]
    assert not clashes, (
        "Translated differently by two apps (one translation if the meaning is "
        "the same, else a pgettext context):\n" + "\n".join(clashes)
    )


def test_each_app_shows_its_own_meaning_of_a_shared_word():
    """The compiled catalogues give each context its own word, side by side."""
    from django.utils import translation

    from grassroots.areas.models import Area
    from grassroots.bulletins.models import Bulletin
    from grassroots.feedback.models import Feedback
    from grassroots.live.models import LiveSession

    def label(model, field):
        return str(model._meta.get_field(field).verbose_name)

    with translation.override("vi"):
        assert label(Bulletin, "category") == "chuyên mục"
        assert label(Feedback, "category") == "lĩnh vực"
        assert label(Area, "level") == "cấp"
        assert label(LiveSession, "level") == "mức độ"
        assert translation.pgettext("sender", "From") == "Nơi gửi"
        assert translation.gettext("From") == "Từ ngày"
        assert translation.pgettext("network", "Address") == "Địa chỉ IP"
        assert translation.gettext("Address") == "Địa chỉ"


def _every_translation():
    """(catalogue, msgid, text) for our apps and the console's own catalogue."""
    paths = sorted(ROOT.glob("*/locale/vi/LC_MESSAGES/django.po")) + sorted(
        (ROOT / "locale" / "vi" / "LC_MESSAGES").glob("*.po")
    )
    for path in paths:
        for entry in polib.pofile(str(path)):
            if entry.msgid and not entry.obsolete:
                texts = (
                    entry.msgstr_plural.values()
                    if entry.msgid_plural
                    else [entry.msgstr]
                )
                for text in texts:
                    yield path.parts[-4], entry.msgid, " ".join(text.split())


#: docs/ui-words.md: a bulletin (or page) going public is "phát hành", on the
#: portal too; "đăng" stays only in đăng nhập / đăng xuất / đăng ký.
OTHER_PUBLISHING_VERBS = re.compile(
    r"xuất bản|\bđăng\b(?! nhập| xuất| ký| kí)", re.IGNORECASE
)


def test_one_verb_for_publishing():
    found = [
        f"{where}: {msgid[:60]!r} -> {text[:80]!r}"
        for where, msgid, text in _every_translation()
        if OTHER_PUBLISHING_VERBS.search(text)
    ]
    assert not found, "Publishing is 'phát hành' (docs/ui-words.md):\n" + "\n".join(
        found
    )


#: The level below the commune is named from the installation's areas
#: (``areas.words``, docs/ui-words.md): a fixed "ấp" is wrong in the north, a
#: fixed "thôn" in the south. These msgids keep a fixed word, and why.
FIXED_LEVEL_WORD_ALLOWED = {
    # A kind's own name: here the word is the kind, not the level.
    "hamlet (ấp)",
    "village (thôn)",
    "residential group (tổ dân phố)",
    "quarter (khóm)",
    "neighbourhood (khu phố)",
    # Model labels (Level.HAMLET, Cluster.area, a roster category) are read at
    # import time and written into migrations, so they cannot ask the
    # database; every screen that shows them asks ``areas.words`` instead
    # (the areas list's level filter, the cluster form and list, the roster).
    "hamlet",
    "hamlet collaborator",
}
LEVEL_WORD = re.compile(
    r"(?<!\w)(ấp|khóm|khu phố|thôn|tổ dân phố)(?!\w)", re.IGNORECASE
)


def _lists_every_kind(text: str) -> bool:
    """ "ấp, thôn, tổ dân phố, khóm…": a list of the kinds, not one fixed word."""
    return all(word in text.lower() for word in ("ấp", "thôn", "tổ dân phố"))


def test_no_translation_fixes_the_word_for_the_level_below_the_commune():
    found = [
        f"{where}: {msgid[:60]!r} -> {text[:80]!r}"
        for where, msgid, text in _every_translation()
        if LEVEL_WORD.search(text)
        and msgid not in FIXED_LEVEL_WORD_ALLOWED
        and not _lists_every_kind(text)
    ]
    assert not found, (
        "Use the installation's word (areas.words.hamlet_word, "
        "{% hamlet_word %}) as a placeholder:\n" + "\n".join(found)
    )
