"""``{% hamlet_word %}``: the installation's word for the level below the commune."""

from __future__ import annotations

from django import template

from grassroots.areas import words

register = template.Library()


@register.simple_tag
def hamlet_word(capital: bool = False, plural: bool = False) -> str:
    return words.hamlet_word(capital=capital, plural=plural)
