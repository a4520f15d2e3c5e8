"""The registry and content actions: scope, validation, history, audit, pushes."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grassroots.accounts.models import AuditEntry
from grassroots.boards import actions
from grassroots.boards.models import (
    AllowedOrigin,
    Board,
    BoardChange,
    BoardItem,
    ItemKind,
    PushEvent,
)
from grassroots.bulletins.tests.builders import png_bytes
from grassroots.testing import make_user

from .builders import make_board, make_item

pytestmark = pytest.mark.django_db


def test_registering_a_board_gives_it_a_long_random_address_and_a_history(tree):
    admin = make_user("administrator", tree.commune_a)
    board = actions.register_board(
        admin,
        area=tree.commune_a,
        code="AB-UBND-01",
        name="Bảng tin UBND xã An Bình",
        state_since=datetime.date(2025, 3, 1),
    )
    assert len(board.player_token) >= 43
    assert board.player_path == f"/board/{board.player_token}/"
    change = BoardChange.objects.get(board=board)
    assert (change.state, change.place, change.commune, change.effective_on) == (
        "active",
        "office",
        tree.commune_a,
        datetime.date(2025, 3, 1),
    )
    entry = AuditEntry.objects.get(action="board.register")
    assert entry.actor == admin and entry.area_path == tree.commune_a.path


def test_only_device_managers_of_the_area_register_boards(tree):
    with pytest.raises(PermissionDenied):
        actions.register_board(
            make_user("administrator", tree.commune_b),
            area=tree.commune_a,
            code="X-1",
            name="Bảng",
        )
    with pytest.raises(PermissionDenied):
        actions.register_board(
            make_user("operator", tree.commune_a),
            area=tree.commune_a,
            code="X-2",
            name="B",
        )
    assert not Board.objects.exists()


def test_bad_registry_values_are_refused_with_reasons(tree):
    with pytest.raises(ValidationError) as caught:
        actions.register_board(
            None,
            area=tree.commune_a,
            code="<script>",
            name="Bảng",
            width_px=99999,
            state_since=timezone.localdate() + datetime.timedelta(days=3),
        )
    assert "state_since" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.register_board(
            None, area=tree.commune_a, code="<script>", name="B", width_px=99999
        )
    assert {"code", "width_px"} <= set(caught.value.message_dict)


def test_a_state_change_is_dated_and_kept_in_the_history(tree):
    board = make_board(tree.commune_a, state_since=datetime.date(2025, 1, 10))
    actions.change_board(
        None,
        board,
        area=tree.commune_a,
        state="maintenance",
        state_since=datetime.date(2025, 6, 1),
        name=board.name,
    )
    states = list(board.changes.values_list("effective_on", "state"))
    assert states == [
        (datetime.date(2025, 1, 10), "active"),
        (datetime.date(2025, 6, 1), "maintenance"),
    ]
    with pytest.raises(ValidationError):  # before the last change
        actions.change_board(
            None,
            board,
            area=tree.commune_a,
            state="active",
            state_since=datetime.date(2025, 5, 1),
        )


def test_changing_only_the_name_adds_no_history_but_pushes_to_the_board(tree):
    board = make_board(tree.commune_a)
    PushEvent.objects.all().delete()
    actions.change_board(
        None, board, area=tree.commune_a, state="active", name="Tên mới"
    )
    assert board.changes.count() == 1
    assert PushEvent.objects.get().board_id == board.pk


def test_retiring_a_board_closes_its_connection_and_its_address(tree):
    board = make_board(tree.commune_a)
    PushEvent.objects.all().delete()
    actions.change_board(None, board, area=tree.commune_a, state="retired")
    assert PushEvent.objects.get().kind == "revoked"


def test_rotating_the_address_replaces_it_and_closes_the_old_connection(tree):
    board = make_board(tree.commune_a)
    old = board.player_token
    admin = make_user("administrator", tree.province)
    board = actions.rotate_address(admin, board)
    assert board.player_token and board.player_token != old
    revoked = PushEvent.objects.get(kind="revoked")
    assert revoked.board_id == board.pk
    assert AuditEntry.objects.filter(action="board.rotate_address").exists()


def test_revoking_the_address_leaves_the_board_without_one(tree):
    board = make_board(tree.commune_a)
    actions.revoke_address(None, board)
    board.refresh_from_db()
    assert board.player_token is None and board.player_path is None
    actions.revoke_address(None, board)  # twice: nothing more happens
    assert PushEvent.objects.filter(kind="revoked").count() == 1
    with pytest.raises(PermissionDenied):
        actions.send_command(None, board, "screenshot")


def test_commands_need_the_command_capability_and_a_known_name(tree):
    board = make_board(tree.commune_a)
    with pytest.raises(PermissionDenied):
        actions.send_command(make_user("viewer", tree.commune_a), board, "reload")
    with pytest.raises(ValidationError):
        actions.send_command(
            make_user("operator", tree.commune_a), board, "format-disk"
        )
    actions.send_command(make_user("operator", tree.commune_a), board, "screenshot")
    assert PushEvent.objects.filter(kind="command").get().payload == {
        "command": "screenshot"
    }
    assert AuditEntry.objects.filter(action="board.command").count() == 1


# Items ----------------------------------------------------------------------------


def test_an_operator_adds_a_text_notice_and_the_area_is_told(tree):
    operator = make_user("operator", tree.commune_a)
    PushEvent.objects.all().delete()
    item = actions.save_item(
        operator,
        actions.ItemContent(
            area=tree.commune_a,
            kind=ItemKind.TEXT,
            title="Lịch tiêm chủng",
            text="Sáng thứ Năm.",
            weekdays="310",
        ),
    )
    assert item.weekdays == "013"
    assert item.created_by == operator
    push = PushEvent.objects.get()
    assert (push.kind, push.area_path) == ("refresh", tree.commune_a.path)


def test_item_text_with_markup_is_refused_not_stored(tree):
    with pytest.raises(ValidationError) as caught:
        make_item(tree.commune_a, text="<script>alert(1)</script>")
    assert "text" in caught.value.message_dict
    assert not BoardItem.objects.exists()


def test_each_kind_needs_what_it_shows(tree):
    for kind, field in (
        (ItemKind.TEXT, "text"),
        (ItemKind.IMAGE, "file"),
        (ItemKind.WEBPAGE, "url"),
    ):
        with pytest.raises(ValidationError) as caught:
            make_item(tree.commune_a, kind=kind, text="")
        assert field in caught.value.message_dict, kind
    with pytest.raises(ValidationError) as caught:
        make_item(
            tree.commune_a,
            weekdays="",
            end_date=datetime.date(2025, 1, 1),
            start_date=datetime.date(2025, 2, 1),
        )
    assert {"weekdays", "end_date"} <= set(caught.value.message_dict)


def test_an_image_is_checked_by_its_content(tree):
    item = make_item(
        tree.commune_a,
        kind=ItemKind.IMAGE,
        text="",
        upload=io.BytesIO(png_bytes((800, 600))),
        upload_name="poster.png",
    )
    assert item.file and item.sha256 and item.content_type == "image/jpeg"
    with pytest.raises(ValidationError):
        make_item(
            tree.commune_a,
            kind=ItemKind.IMAGE,
            text="",
            upload=io.BytesIO(b"<html><script>x</script></html>"),
            upload_name="poster.png",
        )
    with pytest.raises(ValidationError):  # an image offered as a video
        make_item(
            tree.commune_a,
            kind=ItemKind.VIDEO,
            text="",
            upload=io.BytesIO(png_bytes((80, 60))),
            upload_name="clip.mp4",
        )


def test_web_pages_must_come_from_a_site_the_province_allows(tree):
    with pytest.raises(ValidationError) as caught:
        make_item(tree.commune_a, kind=ItemKind.WEBPAGE, url="https://example.com/x")
    assert "example.com" in caught.value.message_dict["url"][0]
    actions.add_origin(None, tree.province, "https://Example.com/")
    item = make_item(tree.commune_a, kind=ItemKind.WEBPAGE, url="https://example.com/x")
    assert item.url == "https://example.com/x"
    with pytest.raises(ValidationError):
        actions.add_origin(None, tree.province, "javascript:alert(1)")
    with pytest.raises(ValidationError):
        actions.add_origin(None, tree.commune_a, "https://a.vn")  # a province keeps it


def test_items_are_limited_to_boards_of_their_area(tree):
    inside = make_board(tree.hamlet_a1)
    outside = make_board(tree.commune_b)
    with pytest.raises(ValidationError) as caught:
        make_item(tree.commune_a, boards=[inside, outside])
    assert outside.code in caught.value.message_dict["boards"][0]
    item = make_item(tree.commune_a, boards=[inside])
    assert list(item.boards.all()) == [inside]


def test_operators_of_another_commune_cannot_change_an_item(tree):
    item = make_item(tree.commune_a)
    other = make_user("operator", tree.commune_b)
    with pytest.raises(PermissionDenied):
        actions.save_item(
            other,
            actions.ItemContent(area=tree.commune_b, kind="text", title="x", text="y"),
            item,
        )
    with pytest.raises(PermissionDenied):
        actions.delete_item(other, item)
    actions.delete_item(make_user("operator", tree.commune_a), item)
    assert not BoardItem.objects.exists()
    assert AuditEntry.objects.filter(action="board_item.delete").exists()


def test_removing_an_allowed_site_is_audited_and_pushed(tree):
    entry = actions.add_origin(None, tree.province, "https://dongthap.gov.vn")
    assert actions.add_origin(None, tree.province, "https://dongthap.gov.vn") == entry
    PushEvent.objects.all().delete()
    with pytest.raises(PermissionDenied):
        actions.delete_origin(make_user("administrator", tree.commune_a), entry)
    actions.delete_origin(make_user("administrator", tree.province), entry)
    assert not AllowedOrigin.objects.exists()
    assert PushEvent.objects.get().area_path == tree.province.path
