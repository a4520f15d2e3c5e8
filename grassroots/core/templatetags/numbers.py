"""``{{ n|number }}``: 12.345 and 3,5 in Vietnamese (see core.numbers)."""

from __future__ import annotations

from django import template

from grassroots.core import numbers

register = template.Library()


@register.filter
def number(value, decimals=None) -> str:
    return numbers.text(value, None if decimals in (None, "") else int(decimals))
