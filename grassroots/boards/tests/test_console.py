"""The boards in the console and the API, through the real HTTP stack."""

import io

import pytest

from grassroots.accounts.models import AuditEntry
from grassroots.boards import actions
from grassroots.boards.models import Board, BoardItem, BoardStatus, Takeover
from grassroots.bulletins.tests.builders import make_published, png_bytes
from grassroots.testing import make_user

from .builders import event, make_board, make_item

pytestmark = pytest.mark.django_db


def test_an_administrator_registers_a_board_from_the_console(client, tree):
    admin = make_user("administrator", tree.commune_a)
    client.force_login(admin)
    page = client.get("/console/boards/new/")
    assert page.status_code == 200
    assert tree.commune_b.name not in page.content.decode()  # outside their area
    response = client.post(
        "/console/boards/new/",
        {
            "code": "AB-UBND-01",
            "name": "Bảng tin UBND xã An Bình",
            "area": tree.commune_a.pk,
            "place": "office",
            "location": "Sảnh UBND",
            "width_px": 1920,
            "height_px": 1080,
            "orientation": "landscape",
            "state": "active",
            "state_since": "01/03/2025",
            "page_seconds": 20,
            "show_bulletins": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    board = Board.objects.get(code="AB-UBND-01")
    assert board.state_since.isoformat() == "2025-03-01"
    assert AuditEntry.objects.filter(action="board.register", actor=admin).exists()


def test_a_refused_change_comes_back_on_the_form(client, tree):
    board = make_board(tree.commune_a)
    actions.change_board(
        None, board, area=tree.commune_a, state="maintenance", state_since=None
    )
    client.force_login(make_user("administrator", tree.commune_a))
    response = client.post(
        f"/console/boards/edit/{board.pk}/",
        {
            "code": board.code,
            "name": board.name,
            "area": tree.commune_a.pk,
            "place": "office",
            "width_px": 1920,
            "height_px": 1080,
            "orientation": "landscape",
            "state": "active",
            "state_since": "01/01/2020",
            "page_seconds": 20,
        },
    )
    assert response.status_code == 200
    assert (
        "không thể" in response.content.decode()
        or "cannot" in response.content.decode()
    )


def test_the_board_page_shows_its_address_only_to_those_who_manage_it(client, tree):
    board = make_board(tree.commune_a)
    client.force_login(make_user("viewer", tree.commune_a))
    page = client.get(f"/console/boards/inspect/{board.pk}/").content.decode()
    assert board.player_token not in page
    assert f"/console/boards/{board.pk}/player/" in page  # the preview is for everyone
    client.force_login(make_user("administrator", tree.commune_a))
    page = client.get(f"/console/boards/inspect/{board.pk}/").content.decode()
    assert board.player_token in page
    client.force_login(make_user("administrator", tree.commune_b))
    assert client.get(f"/console/boards/inspect/{board.pk}/").status_code == 404


def test_rotating_from_the_console_asks_first_then_replaces_the_address(client, tree):
    board = make_board(tree.commune_a)
    old = board.player_token
    client.force_login(make_user("operator", tree.commune_a))
    client.post(f"/console/boards/{board.pk}/address/rotate/")  # refused
    board.refresh_from_db()
    assert board.player_token == old
    client.force_login(make_user("administrator", tree.commune_a))
    confirm = client.get(f"/console/boards/{board.pk}/address/rotate/")
    assert confirm.status_code == 200 and old not in confirm.content.decode()
    client.post(f"/console/boards/{board.pk}/address/rotate/")
    board.refresh_from_db()
    assert board.player_token != old
    client.post(f"/console/boards/{board.pk}/address/revoke/")
    board.refresh_from_db()
    assert board.player_token is None


def test_an_operator_asks_for_a_screenshot(client, tree):
    board = make_board(tree.commune_a)
    client.force_login(make_user("operator", tree.commune_a))
    response = client.post(
        f"/console/boards/{board.pk}/command/", {"command": "screenshot"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="board.command").exists()
    client.force_login(make_user("viewer", tree.commune_a))
    client.post(f"/console/boards/{board.pk}/command/", {"command": "reload"})
    assert AuditEntry.objects.filter(action="board.command").count() == 1  # refused


def test_the_screenshot_is_for_staff_of_the_area_only(client, tree):
    board = make_board(tree.commune_a)
    actions.save_screenshot(board, png_bytes((960, 540)))
    client.force_login(make_user("viewer", tree.commune_a))
    image = client.get(f"/console/boards/{board.pk}/screenshot/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    client.force_login(make_user("viewer", tree.commune_b))
    assert client.get(f"/console/boards/{board.pk}/screenshot/").status_code == 404
    client.logout()
    assert client.get(f"/console/boards/{board.pk}/screenshot/").status_code == 302


def test_the_preview_is_the_player_itself_framed_by_the_console(client, tree):
    board = make_board(tree.commune_a)
    client.force_login(make_user("viewer", tree.commune_a))
    page = client.get(f"/console/boards/{board.pk}/player/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in page["Content-Security-Policy"]
    assert '"preview": true' in page.content.decode()
    data = client.get(f"/console/boards/{board.pk}/player/playlist.json").json()
    assert data["board"]["code"] == board.code


def test_an_operator_puts_an_image_on_the_boards_of_the_commune(client, tree):
    board = make_board(tree.commune_a)
    client.force_login(make_user("operator", tree.commune_a))
    response = client.post(
        "/console/boards/items/new/",
        {
            "area": tree.commune_a.pk,
            "boards": [board.pk],
            "kind": "image",
            "title": "Ngày hội hiến máu",
            "duration_s": 12,
            "position": 0,
            "enabled": "on",
            "weekdays": ["0", "1", "2", "3", "4"],
            "upload": io.BytesIO(png_bytes((1200, 800))),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item = BoardItem.objects.get()
    assert item.weekdays == "01234" and item.file


def test_a_bad_upload_is_refused_on_the_form(client, tree):
    client.force_login(make_user("operator", tree.commune_a))
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "virus.png"
    response = client.post(
        "/console/boards/items/new/",
        {
            "area": tree.commune_a.pk,
            "kind": "image",
            "title": "Ảnh",
            "duration_s": 12,
            "position": 0,
            "enabled": "on",
            "weekdays": ["0"],
            "upload": fake,
        },
    )
    assert response.status_code == 200
    assert not BoardItem.objects.exists()


def test_an_operator_ends_an_emergency_on_the_boards(client, tree):
    actions.take_over(
        emergency_id="e1",
        area_paths=[tree.commune_a.path],
        title="Cháy chợ",
        text="",
        level="emergency",
        actor=None,
    )
    takeover = Takeover.objects.get()
    client.force_login(make_user("operator", tree.commune_b))
    assert (
        client.get(f"/console/boards/emergencies/{takeover.pk}/end/").status_code == 404
    )
    client.force_login(make_user("operator", tree.commune_a))
    listing = client.get("/console/boards/emergencies/").content.decode()
    assert "Cháy chợ" in listing
    client.post(f"/console/boards/emergencies/{takeover.pk}/end/")
    takeover.refresh_from_db()
    assert takeover.released_at is not None


def test_the_bulletin_page_lists_the_boards_that_showed_it(client, tree, people):
    board = make_board(tree.commune_a, code="AB-01")
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    actions.record_report(board, events=[event(f"bulletin:{bulletin.pk}", seconds=90)])
    client.force_login(people.viewer_a)
    page = client.get(f"/console/bulletins/inspect/{bulletin.pk}/").content.decode()
    assert "AB-01" in page
    assert BoardStatus.objects.get(board=board).events_received == 1


def test_the_api_lists_boards_and_their_proof_of_display(client, tree, people):
    board = make_board(tree.commune_a, code="AB-01")
    make_board(tree.commune_b, code="TM-01")
    bulletin = make_published(
        people.province_editor, people.province_approver, tree.province
    )
    actions.record_report(board, events=[event(f"bulletin:{bulletin.pk}", seconds=40)])
    client.force_login(people.viewer_a)
    listing = client.get("/api/v1/boards/").json()
    assert [b["code"] for b in listing["results"]] == ["AB-01"]
    assert listing["results"][0]["online"] is True
    displays = client.get(f"/api/v1/boards/displays/{bulletin.pk}").json()
    assert [b["code"] for b in displays["boards"]] == ["AB-01"]
    assert displays["total_seconds"] == 40.0
    assert client.get(f"/api/v1/boards/{board.pk + 1}").status_code == 404
    assert client.get("/api/v1/boards/displays/999999").json()["code"] == "not_found"
    client.logout()
    assert client.get("/api/v1/boards/").status_code == 401


def test_items_listing_says_when_they_play(client, tree):
    import datetime

    make_item(
        tree.commune_a,
        title="Giờ làm việc",
        weekdays="01234",
        start_time=datetime.time(7, 0),
        end_time=datetime.time(17, 0),
    )
    client.force_login(make_user("viewer", tree.commune_a))
    page = client.get("/console/boards/items/").content.decode()
    assert "07:00–17:00" in page


def test_the_home_page_lists_boards_that_stopped_reporting(client, tree):
    quiet = make_board(tree.commune_a, code="AB-QUIET")
    alive = make_board(tree.commune_a, code="AB-ALIVE")
    make_board(tree.commune_b, code="TM-QUIET")
    actions.record_report(alive, events=[])
    client.force_login(make_user("operator", tree.commune_a))
    page = client.get("/console/").content.decode()
    assert quiet.code in page and alive.code not in page and "TM-QUIET" not in page


def test_old_journal_rows_and_raw_events_are_pruned(tree):
    from datetime import timedelta

    from django.utils import timezone

    from grassroots.boards import tasks
    from grassroots.boards.models import DisplayEvent, PushEvent

    board = make_board(tree.commune_a)
    item = make_item(tree.commune_a)
    actions.record_report(board, events=[event(item.key)])
    PushEvent.objects.update(created_at=timezone.now() - timedelta(hours=2))
    DisplayEvent.objects.update(started_at=timezone.now() - timedelta(days=401))
    assert tasks.prune_journal.call_local() >= 1
    assert tasks.prune_display_events.call_local() == 1
    assert not PushEvent.objects.exists() and not DisplayEvent.objects.exists()


@pytest.mark.parametrize("role_area", ["commune_a", "province"])
def test_emergencies_on_the_boards_are_never_edited_from_the_console(
    role_area, client, tree
):
    """Their words and areas come from the emergency (scoped, audited actions)."""
    actions.take_over(
        emergency_id="lu-tinh",
        area_paths=[tree.commune_a.path, tree.commune_b.path],
        title="Lũ toàn tỉnh",
        text="",
        level="emergency",
        actor=None,
    )
    takeover = Takeover.objects.get()
    client.force_login(make_user("operator", getattr(tree, role_area)))
    for path in ("edit", "delete", "history", "usage"):
        url = f"/console/boards/emergencies/{path}/{takeover.pk}/"
        assert client.get(url).status_code in (302, 403, 404), url
        client.post(url, {"title": "Tin giả trên bốn xã"})
    assert client.get("/console/boards/emergencies/new/").status_code in (
        302,
        403,
        404,
    )
    client.post("/console/boards/emergencies/new/", {"title": "Tin giả"})
    takeover.refresh_from_db()
    assert takeover.title == "Lũ toàn tỉnh" and takeover.released_at is None
    assert Takeover.objects.count() == 1
    listing = client.get("/console/boards/emergencies/")
    assert listing.status_code == 200
    assert "/console/boards/emergencies/edit/" not in listing.content.decode()
