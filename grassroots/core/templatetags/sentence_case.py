"""``{{ x.get_status_display|mid_sentence }}``: a choice label inside a sentence."""

from __future__ import annotations

from django import template

from grassroots.core import sentence_case

register = template.Library()


@register.filter
def mid_sentence(value: object) -> str:
    return sentence_case.mid_sentence(value)
