"""Diacritic-insensitive search, on whichever database the suite runs on."""

import pytest

from grassroots.bulletins import public, search
from grassroots.bulletins.models import Bulletin

from .builders import make_bulletin, make_published


@pytest.fixture
def library(tree, people):
    flood = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        title="Thông báo lũ trên sông Tiền",
        category="thien-tai",
        level="emergency",
        body="<p>Mực nước đang lên nhanh.</p>",
    )
    rice = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        title="Giá lúa tuần này",
        category="nong-nghiep-thi-truong",
        body="<p>Thông báo giá lúa tại ruộng; lũ về sớm.</p>",
    )
    road = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Đường đất đỏ được trải nhựa",
        category="chi-dao-dieu-hanh",
    )
    draft = make_bulletin(people.editor_a, tree.commune_a, title="Thông báo lũ nháp")
    return {"flood": flood, "rice": rice, "road": road, "draft": draft}


def found(query, queryset=None):
    return list(search.search(queryset or Bulletin.objects.all(), query))


def test_words_without_diacritics_find_words_with_them(library):
    assert library["flood"] in found("thong bao lu")
    assert library["flood"] in found("THÔNG BÁO LŨ")


def test_d_with_stroke_is_found_as_d(library):
    assert found("duong dat do") == [library["road"]]


def test_every_word_must_appear_and_syllables_are_not_prefixes(library):
    # "lua" (lúa, rice) must not match "lu" (lũ, flood) by prefix.
    assert library["flood"] not in found("lua")
    assert library["rice"] in found("lua")
    assert found("nuoc len nhanh") == [library["flood"]]


def test_the_whole_phrase_in_the_title_comes_first(library):
    results = found("thong bao lu", public.bulletins())
    assert results[0] == library["flood"]
    assert library["rice"] in results  # the words are in its body


def test_the_public_never_finds_a_draft(library):
    assert library["draft"] not in found("thong bao lu", public.bulletins())


def test_filters_combine_with_words(library, tree):
    by_level = public.filtered(public.bulletins(), level="emergency", query="lu")
    assert list(by_level) == [library["flood"]]
    in_commune = public.filtered(public.bulletins(), area=tree.commune_a)
    assert set(in_commune) == {library["flood"], library["rice"], library["road"]}
    in_b = public.filtered(public.bulletins(), area=tree.commune_b)
    assert library["road"] not in in_b


def test_punctuation_and_operators_in_a_query_are_harmless(library):
    for query in ['"', "lu*", "AND OR NOT", "lũ) OR (x", "'; DROP TABLE x; --", "-"]:
        search.search(Bulletin.objects.all(), query).count()


def test_an_edited_draft_is_found_by_its_new_words(tree, people):
    from grassroots.bulletins import actions

    from .builders import content

    bulletin = make_bulletin(people.editor_a, tree.commune_a, title="Cũ")
    actions.update_bulletin(
        people.editor_a, bulletin, content(tree.commune_a, title="Sạt lở bờ kênh")
    )
    assert found("sat lo") == [bulletin]
    assert found("cu") == []


def test_words_and_an_area_are_one_lookup_with_the_same_rule(library, tree):
    """A hamlet finds the province's bulletins; a sibling commune does not find A's."""
    in_hamlet = public.filtered(
        public.bulletins(), area=tree.hamlet_a1, query="thong bao"
    )
    assert library["flood"] in list(in_hamlet[0:20])
    in_b = public.filtered(
        public.bulletins(), area=tree.commune_b, query="duong dat do"
    )
    assert list(in_b[0:20]) == []
    in_a = public.filtered(
        public.bulletins(), area=tree.commune_a, query="duong dat do"
    )
    assert list(in_a[0:20]) == [library["road"]]


def test_the_search_fields_can_be_rebuilt(library):
    from django.core.management import call_command

    Bulletin.objects.update(search_document="", search_title="")
    assert found("thong bao lu") == []
    call_command("rebuild_bulletin_search", stdout=__import__("io").StringIO())
    assert library["flood"] in found("thong bao lu")
