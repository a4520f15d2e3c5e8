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
