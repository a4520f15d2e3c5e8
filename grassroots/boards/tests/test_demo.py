"""The demo boards of ``make run``: made through the actions, once, with their addresses."""

import pytest

from grassroots.boards import demo, playlist
from grassroots.boards.models import Board, BoardItem
from grassroots.testing import make_area

pytestmark = pytest.mark.django_db


def test_the_demo_makes_three_boards_once_and_prints_their_addresses(settings):
    province = make_area(code="82", name="Đồng Tháp")
    for code, name in (
        ("28261", "Phường Mỹ Tho"),
        ("30001", "Xã Tràm Chim"),
        ("29869", "Phường Cao Lãnh"),
    ):
        make_area(province, code=code, name=name)
    said = []
    demo.load(said.append)
    demo.load(said.append)
    assert Board.objects.count() == 3 and said[-1].startswith("Demo boards: 0 created")
    assert BoardItem.objects.count() == 5
    market = Board.objects.get(code="CL-CHO-01")
    assert market.viewport == (1080, 1920) and market.place == "public"
    settings.GRASSROOTS_HTTP_PORT = 8106
    lines = demo.banner()
    assert len(lines) == 4
    assert f"http://127.0.0.1:8106{market.player_path}" in "\n".join(lines)
    entries = playlist.build(Board.objects.get(code="MT-UBND-01"), base="/b/")[
        "entries"
    ]
    assert [e["kind"] for e in entries] == ["text", "image"]
