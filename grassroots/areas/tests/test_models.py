from grassroots.areas.fields import upper_bound
from grassroots.areas.models import Area
from grassroots.testing import make_area


def test_under_returns_the_area_and_everything_below_it(tree):
    """A prefix query on the path finds the subtree, and nothing beside it."""
    below_a = set(Area.objects.under(tree.commune_a).values_list("pk", flat=True))
    assert below_a == {tree.commune_a.pk, tree.hamlet_a1.pk, tree.hamlet_a2.pk}


def test_under_does_not_match_a_sibling_whose_code_starts_the_same(db):
    """Commune "12" must not include commune "123" of the same province."""
    province = make_area(code="99")
    short = make_area(province, code="12")
    longer = make_area(province, code="123")
    assert list(Area.objects.under(short)) == [short]
    assert longer not in Area.objects.under(short)


def test_under_works_through_a_foreign_key(tree):
    """Other models filter by their area's path the same way."""
    from grassroots.accounts.models import RoleAssignment
    from grassroots.testing import make_user

    make_user("viewer", tree.hamlet_a1)
    make_user("viewer", tree.hamlet_b1)
    assigned = RoleAssignment.objects.filter(area__path__under=tree.commune_a.path)
    assert [r.area for r in assigned] == [tree.hamlet_a1]


def test_ancestors_and_full_name(tree):
    assert list(tree.hamlet_a1.ancestors()) == [tree.province, tree.commune_a]
    assert tree.hamlet_a1.full_name == "Ấp Một, Xã An Bình, Tỉnh Thử Nghiệm"
    assert tree.province.contains(tree.hamlet_b2)
    assert not tree.commune_a.contains(tree.hamlet_b2)


def test_upper_bound_orders_after_every_extension():
    assert upper_bound("82/") == "820"
    assert "82/28261/H01/" < upper_bound("82/") and "82/" < "82/28261/"
