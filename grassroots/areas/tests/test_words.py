"""The word for the level below the commune comes from the installation's areas."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from grassroots.areas.models import Kind
from grassroots.areas.words import hamlet_label, hamlet_word
from grassroots.testing import make_area


def _hamlets(commune, kind, count):
    for _ in range(count):
        make_area(commune, kind=kind)


def test_a_southern_province_says_ap_and_khom_never_thon(db):
    province = make_area()
    commune = make_area(province)
    _hamlets(commune, Kind.HAMLET, 12)
    _hamlets(commune, Kind.QUARTER, 3)
    _hamlets(commune, Kind.NEIGHBOURHOOD, 1)  # under a tenth: not named
    with translation.override("vi"):
        assert hamlet_word() == "ấp, khóm"
        assert hamlet_word(capital=True) == "Ấp, khóm"
        assert str(hamlet_label()) == "Ấp, khóm"
        html = Template("{% load area_words %}<th>{% hamlet_word capital=True %}</th>")
        assert html.render(Context()) == "<th>Ấp, khóm</th>"
    with translation.override("en"):
        assert hamlet_word(plural=True) == "hamlets"


def test_a_northern_province_says_thon_and_retired_units_do_not_count(db):
    commune = make_area(make_area())
    _hamlets(commune, Kind.VILLAGE, 5)
    _hamlets(commune, Kind.RESIDENTIAL_GROUP, 4)
    make_area(commune, kind=Kind.HAMLET, is_active=False)
    with translation.override("vi"):
        assert hamlet_word() == "thôn, tổ dân phố"


def test_with_no_hamlet_yet_the_word_is_ap(db):
    with translation.override("vi"):
        assert hamlet_word(capital=True) == "Ấp"
