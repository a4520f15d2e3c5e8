"""Django's own Vietnamese is stale in places ("Nhập một số tổng thể." for "Enter a
whole number."); ``grassroots/locale`` (first in LOCALE_PATHS) overrides it."""

from __future__ import annotations

from pathlib import Path

import django
import polib
from django import forms
from django.conf import settings
from django.utils import translation

OURS = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES" / "django.po"
DJANGO_VI = (
    Path(django.__file__).parent
    / "conf"
    / "locale"
    / "vi"
    / "LC_MESSAGES"
    / "django.po"
)


class _Form(forms.Form):
    count = forms.IntegerField(label="Số cụm loa")
    day = forms.DateField(label="Ngày")
    email = forms.EmailField(label="Email")
    rate = forms.DecimalField(label="Tỉ lệ", max_digits=4, decimal_places=1)
    kind = forms.ChoiceField(label="Loại", choices=[("a", "A")])


def test_a_form_error_reads_in_plain_current_vietnamese():
    with translation.override("vi"):
        form = _Form(
            {
                "count": "3,5",
                "day": "31/02/2026",
                "email": "x@",
                "rate": "12.34",
                "kind": "z",
            }
        )
        assert not form.is_valid()
        html = str(form.errors)
    assert "Hãy nhập một số nguyên." in html
    assert "tổng thể" not in html
    assert "Hãy nhập ngày hợp lệ, dạng ngày/tháng/năm (ví dụ 25/12/2026)." in html
    assert "Hãy nhập địa chỉ email hợp lệ" in html
    assert "Không quá 1 chữ số sau dấu phẩy." in html
    assert "z không phải lựa chọn hợp lệ. Hãy chọn một mục trong danh sách." in html


def test_every_override_replaces_a_translation_django_ships():
    """An override of a string Django no longer has (or now translates the same)
    is dead weight: the test names it."""
    django_vi = {
        e.msgid: (e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr)
        for e in polib.pofile(str(DJANGO_VI))
    }
    overrides = [
        e for e in polib.pofile(str(OURS)) if e.comment.startswith("django override")
    ]
    assert len(overrides) >= 30
    dead = [
        e.msgid
        for e in overrides
        if django_vi.get(e.msgid) in (None, "", e.msgstr or e.msgstr_plural.get(0))
    ]
    assert not dead, dead
