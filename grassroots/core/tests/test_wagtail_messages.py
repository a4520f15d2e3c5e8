"""Wagtail's screens read as the rest of the console (docs/ui-words.md).

``grassroots/locale`` translates every Wagtail string an operator can meet; these
tests hold the choices made there: one verb for approving, Vietnamese quotation
marks, and sentences that start with a word rather than a lower-case model name.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

from grassroots.testing import login_verified, make_user

OURS = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES"


def _translations():
    entries = [
        e
        for name in ("django.po", "djangojs.po")
        for e in polib.pofile(str(OURS / name))
    ]
    for entry in entries:
        if entry.obsolete:
            continue
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            yield entry.msgid, text


def test_approving_is_duyet_and_names_are_quoted_the_vietnamese_way():
    found = [
        f"{msgid[:60]!r} -> {text[:80]!r}"
        for msgid, text in _translations()
        if "phê duyệt" in text.lower()
        or re.search(r"(?<![=\w])['\"]%\([a-z_]+\)s['\"]", text)
    ]
    assert not found, "\n".join(found)


def test_no_sentence_starts_with_a_lower_case_model_name():
    """ "bản tin “X” đã được duyệt" opened a message in lower case."""
    found = [
        f"{msgid[:60]!r} -> {text[:80]!r}"
        for msgid, text in _translations()
        if text.startswith("%(model_name)s") and msgid[:1] != "t"
    ]
    assert not found, "\n".join(found)


def test_a_wagtail_workflow_message_and_filter_read_in_plain_vietnamese(tree, client):
    with translation.override("vi"):
        message = translation.gettext(
            'The %(model_name)s "%(title)s" has been approved in "%(task)s".'
        ) % {"model_name": "bản tin", "title": "Lịch tiêm chủng", "task": "Duyệt"}
        login_verified(client, make_user("administrator", tree.province))
        page = client.get(
            "/console/feedback/?show=open", HTTP_ACCEPT_LANGUAGE="vi"
        ).content.decode()
    assert message == "Đã duyệt bản tin “Lịch tiêm chủng” ở bước “Duyệt”."
    assert 'aria-label="Bỏ lọc"' in page
