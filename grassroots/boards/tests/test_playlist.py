"""What a board shows: bulletins of its area on the board channel, its items, emergencies."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.boards import actions, playlist
from grassroots.boards.models import ItemKind
from grassroots.bulletins import actions as bulletin_actions
from grassroots.bulletins.tests.builders import make_bulletin, make_published

from .builders import make_board, make_item

pytestmark = pytest.mark.django_db


def keys(board):
    return [e["key"] for e in playlist.build(board, base="/b/")["entries"]]


def test_a_board_shows_bulletins_aimed_at_its_area_above_or_inside_it(tree, people):
    board = make_board(tree.commune_a)
    province = make_published(
        people.province_editor, people.province_approver, tree.province, title="Tỉnh"
    )
    commune = make_published(people.editor_a, people.approver_a, tree.commune_a)
    hamlet = make_published(
        people.editor_a, people.approver_a, tree.commune_a, targets=[tree.hamlet_a1]
    )
    other = make_published(people.editor_b, people.approver_b, tree.commune_b)
    shown = keys(board)
    for bulletin in (province, commune, hamlet):
        assert f"bulletin:{bulletin.pk}" in shown
    assert f"bulletin:{other.pk}" not in shown
    # A board in the other hamlet sees the commune's and province's, not hamlet 1's.
    in_hamlet = keys(make_board(tree.hamlet_a2))
    assert f"bulletin:{hamlet.pk}" not in in_hamlet
    assert f"bulletin:{commune.pk}" in in_hamlet


def test_only_published_valid_bulletins_for_the_board_channel(tree, people):
    board = make_board(tree.commune_a)
    not_on_boards = make_published(
        people.editor_a, people.approver_a, tree.commune_a, channels=("portal",)
    )
    draft = make_bulletin(people.editor_a, tree.commune_a)
    withdrawn = make_published(people.editor_a, people.approver_a, tree.commune_a)
    bulletin_actions.withdraw(people.approver_a, withdrawn, reason="Sai thông tin")
    ending = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        valid_until=timezone.now() + timedelta(hours=1),
    )
    shown = keys(board)
    assert f"bulletin:{ending.pk}" in shown
    for gone in (not_on_boards, draft, withdrawn):
        assert f"bulletin:{gone.pk}" not in shown
    entry = next(
        e for e in playlist.build(board, base="/b/")["entries"] if e["id"] == ending.pk
    )
    assert entry["valid_until"]  # the player drops it on time, even offline


def test_emergency_then_priority_then_newest_first(tree, people):
    board = make_board(tree.commune_a)
    normal = make_published(people.editor_a, people.approver_a, tree.commune_a)
    priority = make_published(
        people.editor_a, people.approver_a, tree.commune_a, level="priority"
    )
    newer = make_published(people.editor_a, people.approver_a, tree.commune_a)
    assert keys(board) == [f"bulletin:{b.pk}" for b in (priority, newer, normal)]


def test_bulletin_bodies_keep_structure_only(tree, people):
    board = make_board(tree.commune_a)
    make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        body='<h2>Lịch</h2><p>Sáng <b>thứ Năm</b> <a href="https://x.vn">xem</a></p>'
        "<ul><li>Một</li></ul>",
    )
    body = playlist.build(board, base="/b/")["entries"][0]["body"]
    assert body == "<h2>Lịch</h2><p>Sáng <b>thứ Năm</b> xem</p><ul><li>Một</li></ul>"


def test_items_come_first_in_order_with_their_rules_for_the_player(tree, people):
    board = make_board(tree.hamlet_a1)
    make_published(people.editor_a, people.approver_a, tree.commune_a)
    late = make_item(tree.province, title="Sau", position=5)
    early = make_item(
        tree.commune_a,
        title="Trước",
        position=1,
        weekdays="0246",
        start_time=datetime.time(7, 0),
        end_time=datetime.time(11, 30),
    )
    make_item(tree.commune_b, title="Xã khác")
    other_board = make_board(tree.hamlet_a2)
    make_item(tree.commune_a, title="Chỉ bảng kia", boards=[other_board])
    make_item(tree.commune_a, kind=ItemKind.TICKER, title="Dòng chữ chạy")
    data = playlist.build(board, base="/b/")
    assert [e["title"] for e in data["entries"]][:2] == ["Trước", "Sau"]
    assert data["entries"][2]["kind"] == "bulletin"
    assert len(data["entries"]) == 3
    assert data["entries"][0]["schedule"] == {
        "weekdays": "0246",
        "start_time": "07:00",
        "end_time": "11:30",
        "start_date": None,
        "end_date": None,
    }
    assert [t["text"] for t in data["ticker"]] == ["Dòng chữ chạy"]
    assert early.pk != late.pk


def test_items_past_their_last_day_or_far_ahead_are_not_sent(tree):
    board = make_board(tree.commune_a)
    today = timezone.localdate()
    make_item(tree.commune_a, title="Hết hạn", end_date=today - timedelta(days=1))
    make_item(tree.commune_a, title="Tuần sau", start_date=today + timedelta(days=5))
    make_item(tree.commune_a, title="Tháng sau", start_date=today + timedelta(days=30))
    assert [e["title"] for e in playlist.build(board, base="/b/")["entries"]] == [
        "Tuần sau"
    ]


def test_web_pages_of_sites_no_longer_allowed_drop_out(tree):
    board = make_board(tree.commune_a)
    site = actions.add_origin(None, tree.province, "https://dongthap.gov.vn")
    make_item(tree.commune_a, kind=ItemKind.WEBPAGE, url="https://dongthap.gov.vn/tin")
    data = playlist.build(board, base="/b/")
    assert data["frame_origins"] == ["https://dongthap.gov.vn"]
    actions.delete_origin(None, site)
    assert playlist.build(board, base="/b/")["entries"] == []


def test_the_version_changes_with_the_content_and_only_with_it(tree, people):
    board = make_board(tree.commune_a)
    first = playlist.version(board)
    assert playlist.version(board) == first
    make_published(people.editor_a, people.approver_a, tree.commune_a)
    second = playlist.version(board)
    assert second != first
    actions.take_over(
        emergency_id="e1",
        area_paths=[tree.province.path],
        title="Bão",
        text="",
        level="emergency",
        actor=None,
    )
    assert playlist.version(board) != second


def test_a_board_that_shows_no_bulletins_keeps_its_own_items(tree, people):
    board = make_board(tree.commune_a, show_bulletins=False)
    make_published(people.editor_a, people.approver_a, tree.commune_a)
    make_item(tree.commune_a)
    assert [e["kind"] for e in playlist.build(board, base="/b/")["entries"]] == ["text"]
