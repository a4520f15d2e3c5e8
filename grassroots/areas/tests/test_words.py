"""The word for the level below the commune comes from the installation's areas."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from grassroots.areas import actions
from grassroots.areas.models import HAMLET_KINDS, Kind
from grassroots.areas.words import VIETNAMESE, hamlet_label, hamlet_word
from grassroots.testing import login_verified, make_area, make_user


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


def test_the_keys_name_every_hamlet_kind():
    assert set(VIETNAMESE) == set(HAMLET_KINDS)


def test_a_northern_installation_reads_thon_on_its_screens(db, client):
    """Buttons, titles, messages and the citizen app say the province's word."""
    province = make_area()
    commune = make_area(province)
    _hamlets(commune, Kind.VILLAGE, 3)
    other = make_area(province)
    admin = make_user("administrator", commune)
    login_verified(client, admin)
    with translation.override("vi"):
        areas = client.get(reverse("areas:index"), HTTP_ACCEPT_LANGUAGE="vi")
        imports = client.get(reverse("areas_import"), HTTP_ACCEPT_LANGUAGE="vi")
        app = client.get(reverse("citizen:app"), HTTP_ACCEPT_LANGUAGE="vi")
        with pytest.raises(PermissionDenied) as refused:
            actions.save_hamlet(admin, commune=other, code="T01", name="Thôn 1")
        assert str(refused.value) == (
            f"Bạn không có quyền thay đổi danh sách thôn của {other}."
        )
    page = areas.content.decode()
    assert "Thêm thôn" in page
    assert "Nhập danh sách thôn" in page
    assert "<h1" in imports.content.decode()
    assert "Nhập danh sách thôn" in imports.content.decode()
    assert "Tin thôn của tôi" in app.content.decode()
    assert "Thêm ấp" not in page
