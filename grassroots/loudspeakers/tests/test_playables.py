import pytest

from grassroots.loudspeakers import playables


def test_a_bulletin_item_id_round_trips():
    item = playables.bulletin_item_id(4711, playables.PROGRAMME, "812-2")
    assert item == "bul:4711:prog:812-2"
    assert playables.bulletin_of(item) == 4711
    assert playables.origin_of(item) == "prog"


@pytest.mark.parametrize(
    "item",
    ["rec-12", "relay:vov1", "bul:x:prog:1", "bul:12:play:1", "", "bul:12:prog:"],
)
def test_items_that_are_not_a_bulletin_have_none(item):
    assert playables.bulletin_of(item) is None


def test_a_bad_origin_or_reference_is_refused():
    with pytest.raises(ValueError):
        playables.bulletin_item_id(1, "upload", 1)
    with pytest.raises(ValueError):
        playables.bulletin_item_id(1, playables.EMERGENCY, "a b")
