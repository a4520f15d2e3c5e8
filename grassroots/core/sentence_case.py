"""Labels in sentence case: "Ngày nhận", never "ngày nhận" (docs/ui-words.md).

Models keep lower-case ``verbose_name``s, as Django wants, and Django
capitalises them on model forms; but a label given by hand (``label=_("status")``
on a form field or a list column) was shown as written, and the console had
~90 of them in lower case. :func:`install` capitalises the first letter of
every form field's label as it is rendered (``BoundField.label``) and of every
Wagtail list column's header, once, at start-up, so a new one cannot forget.
"""

from __future__ import annotations

from django.utils.text import capfirst


def install() -> None:
    from django.forms.boundfield import BoundField
    from wagtail.admin.ui.tables import Column

    if getattr(BoundField.__init__, "sentence_case", False):
        return
    bound_init = BoundField.__init__
    column_init = Column.__init__

    def bound_field_init(self, form, field, name):
        bound_init(self, form, field, name)
        self.label = capfirst(self.label)  # lazy stays lazy: no query at import

    def column_init_capitalised(self, name, label=None, *args, **kwargs):
        column_init(self, name, label, *args, **kwargs)
        self.label = capfirst(self.label)  # lazy stays lazy: no query at import

    bound_field_init.sentence_case = True  # type: ignore[attr-defined]
    BoundField.__init__ = bound_field_init  # type: ignore[method-assign]
    Column.__init__ = column_init_capitalised


def mid_sentence(text: object) -> str:
    """Return ``text`` with a small first letter, for a choice said inside a sentence.

    Choice labels are written as they stand alone, in selects, filters and
    badges ("Đã trả lời"); a sentence that embeds one ("Phản ánh này đã ở
    trạng thái đã trả lời.") lowers only the first letter, so "CNTT" stays.
    """
    value = str(text)
    return value[:1].lower() + value[1:]
