"""``{{ n|number }}``: 12.345 and 3,5 in Vietnamese (see core.numbers).

Anything else (a date, a text) is shown as ``|localize`` would.
"""

from __future__ import annotations

from django import template
from django.utils import formats

from grassroots.core import numbers

register = template.Library()


@register.filter(is_safe=True)
def number(value, decimals=None):
    if not numbers.is_number(value):
        return formats.localize(value)
    return numbers.text(value, None if decimals in (None, "") else int(decimals))
