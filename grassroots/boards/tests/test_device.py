"""What a player calls: its address is its key; what it says is checked before it counts."""

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from grassroots.boards import actions
from grassroots.boards.models import BoardStatus, BulletinDisplay, DisplayEvent
from grassroots.bulletins import actions as bulletin_actions
from grassroots.bulletins import files
from grassroots.bulletins.tests.builders import make_published, png_bytes

from .builders import make_board, make_item, shown

pytestmark = pytest.mark.django_db


def post(client, board, body, path="report", **extra):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        f"{board.player_path}{path}",
        data=data,
        content_type="application/json",
        **extra,
    )


def test_the_page_has_a_strict_security_policy(client, tree):
    board = make_board(tree.commune_a)
    response = client.get(board.player_path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert 'lang="vi"' in response.content.decode()


@pytest.mark.parametrize(
    "suffix", ["", "playlist.json", "sw.js", "events", "report", "screenshot"]
)
def test_a_wrong_or_revoked_address_gets_nothing(client, tree, suffix):
    board = make_board(tree.commune_a)
    old = board.player_path
    actions.rotate_address(None, board)
    method = client.post if suffix in ("report", "screenshot") else client.get
    for path in (old, "/board/short/", "/board/" + "x" * 43 + "/"):
        response = method(path + suffix)
        assert response.status_code == 404, (path, suffix)
        if suffix:
            assert response.json()["code"] == "unknown_board"


def test_a_retired_board_is_told_so(client, tree):
    board = make_board(tree.commune_a)
    actions.change_board(None, board, area=tree.commune_a, state="retired")
    assert client.get(board.player_path + "playlist.json").status_code == 410
    assert client.get(board.player_path).status_code == 410


def test_the_playlist_answers_304_when_the_player_is_up_to_date(client, tree):
    board = make_board(tree.commune_a)
    first = client.get(board.player_path + "playlist.json")
    assert first.status_code == 200
    version = first.json()["version"]
    assert first["ETag"] == f'"{version}"'
    again = client.get(
        board.player_path + "playlist.json", HTTP_IF_NONE_MATCH=f'"{version}"'
    )
    assert again.status_code == 304


def test_a_report_records_the_heartbeat_and_counts_each_event_once(
    client, tree, people
):
    board = make_board(tree.commune_a)
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    event = shown(f"bulletin:{bulletin.pk}", seconds=30)
    body = {
        "version": "abc",
        "viewport": "1920x1080",
        "showing": {"key": f"bulletin:{bulletin.pk}", "title": bulletin.title},
        "events": [event],
    }
    response = post(client, board, body, HTTP_USER_AGENT="Chromium kiosk")
    assert response.status_code == 200
    assert response.json()["accepted"] == [event["id"]]
    # The answer was lost; the player sends the same event again.
    again = post(client, board, body, HTTP_USER_AGENT="Chromium kiosk")
    assert again.json()["duplicates"] == [event["id"]]
    assert DisplayEvent.objects.count() == 1
    row = BulletinDisplay.objects.get()
    assert (row.times, row.total_ms) == (1, 30000)
    status = BoardStatus.objects.get(board=board)
    assert status.is_online() and status.showing_title == bulletin.title
    assert status.user_agent == "Chromium kiosk" and status.viewport == "1920x1080"


def test_forged_events_are_refused_one_by_one_with_a_reason(client, tree, people):
    board = make_board(tree.commune_a)
    elsewhere = make_published(people.editor_b, people.approver_b, tree.commune_b)
    mine = make_published(people.editor_a, people.approver_a, tree.commune_a)
    other_item = make_item(tree.commune_b)
    before = shown(f"bulletin:{mine.pk}", ago_s=3600 * 24)  # before it was published
    events = [
        shown(f"bulletin:{elsewhere.pk}"),
        shown(f"item:{other_item.pk}"),
        shown("emergency:never-was"),
        shown(f"bulletin:{mine.pk}", ago_s=-3600),  # in the future
        shown(f"bulletin:{mine.pk}", ago_s=3600 * 24 * 40),  # too old
        shown(f"bulletin:{mine.pk}", seconds=3 * 3600),  # too long
        shown("something:else"),
        before,
        {"id": "not-a-uuid", "key": "x", "started_at": "yesterday", "duration_ms": "5"},
        "not even an object",
        shown(f"bulletin:{mine.pk}"),
    ]
    answer = post(client, board, {"events": events}).json()
    codes = [r["code"] for r in answer["rejected"]]
    assert codes == [
        "not_for_this_board",
        "not_for_this_board",
        "not_for_this_board",
        "in_the_future",
        "too_old",
        "bad_duration",
        "unknown_key",
        "not_shown_then",
        "malformed",
        "malformed",
    ]
    assert answer["accepted"] == [events[-1]["id"]]
    assert DisplayEvent.objects.count() == 1


def test_an_event_of_a_withdrawn_bulletin_counts_only_before_the_withdrawal(
    client, tree, people
):
    board = make_board(tree.commune_a)
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    bulletin_actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    from grassroots.bulletins.models import Bulletin

    Bulletin.objects.filter(pk=bulletin.pk).update(
        withdrawn_at=timezone.now() - timedelta(minutes=30)
    )
    early = shown(f"bulletin:{bulletin.pk}", ago_s=60 * 40, seconds=10)
    late = shown(f"bulletin:{bulletin.pk}", ago_s=60 * 10, seconds=10)
    bulletin.first_published_at = timezone.now() - timedelta(hours=1)
    Bulletin.objects.filter(pk=bulletin.pk).update(
        first_published_at=timezone.now() - timedelta(hours=1)
    )
    answer = post(client, board, {"events": [early, late]}).json()
    assert answer["accepted"] == [early["id"]]
    assert answer["rejected"] == [{"id": late["id"], "code": "not_shown_then"}]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b"[1, 2]", 400, "invalid"),
        ({"events": "all of them"}, 422, "invalid"),
        ({"showing": "x"}, 422, "invalid"),
        ({"version": 7}, 422, "invalid"),
        ({"events": [shown("item:1")] * 501}, 413, "too_many_events"),
    ],
)
def test_bad_reports_get_a_clear_error_and_change_nothing(
    client, tree, body, status, code
):
    board = make_board(tree.commune_a)
    response = post(client, board, body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert BoardStatus.objects.get(board=board).last_seen_at is None


def test_an_oversized_report_is_refused_before_it_is_read(client, tree):
    board = make_board(tree.commune_a)
    response = post(client, board, {"padding": "x" * 300_000})
    assert (response.status_code, response.json()["code"]) == (413, "too_large")


def test_reports_are_rate_limited(client, tree):
    board = make_board(tree.commune_a)
    codes = [post(client, board, {}).status_code for _ in range(22)]
    assert codes[:20] == [200] * 20 and codes[-1] == 429


def test_a_screenshot_is_kept_re_encoded_and_junk_is_refused(client, tree):
    board = make_board(tree.commune_a)
    good = client.post(
        board.player_path + "screenshot",
        data=png_bytes((1920, 1080)),
        content_type="image/png",
    )
    assert good.status_code == 201
    status = BoardStatus.objects.get(board=board)
    assert bytes(status.screenshot)[:3] == b"\xff\xd8\xff"  # our own JPEG
    for junk in (b"<svg onload=alert(1)></svg>", b"GIF89a" + b"\0" * 100, b""):
        response = client.post(
            board.player_path + "screenshot", data=junk, content_type="image/png"
        )
        assert (response.status_code, response.json()["code"]) == (415, "not_an_image")
    huge = client.post(
        board.player_path + "screenshot",
        data=b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 1),
        content_type="image/jpeg",
    )
    assert huge.status_code == 413


def test_media_is_served_only_while_the_board_shows_it(client, tree, people):
    board = make_board(tree.commune_a)
    image = make_item(
        tree.commune_a,
        kind="image",
        text="",
        upload=io.BytesIO(png_bytes((400, 300))),
        upload_name="a.png",
    )
    other = make_item(
        tree.commune_b,
        kind="image",
        text="",
        upload=io.BytesIO(png_bytes((400, 300))),
        upload_name="b.png",
    )
    data = png_bytes((640, 480))
    bulletin = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        attachments=[(files.prepare(io.BytesIO(data), "anh.png", len(data)), "Ảnh")],
    )
    entries = client.get(board.player_path + "playlist.json").json()["entries"]
    sources = [e["src"] for e in entries if e.get("src")]
    sources += [i["src"] for e in entries for i in e.get("images", [])]
    assert len(sources) == 2
    for src in sources:
        response = client.get(src)
        assert response.status_code == 200
        assert "immutable" in response["Cache-Control"]
    assert client.get(f"{board.player_path}media/item/{other.pk}/x").status_code == 404
    bulletin_actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    attachment = [s for s in sources if "attachment" in s][0]
    assert client.get(attachment).status_code == 404
    assert image.pk


def test_the_service_worker_is_scoped_to_the_board(client, tree):
    board = make_board(tree.commune_a)
    response = client.get(board.player_path + "sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert f'const BASE = "{board.player_path}";' in response.content.decode()


def test_a_takeover_event_counts_while_it_was_on(client, tree):
    board = make_board(tree.commune_a)
    actions.take_over(
        emergency_id="cap-1",
        area_paths=[tree.province.path],
        title="Bão số 5",
        text="",
        level="emergency",
        actor=None,
    )
    answer = post(
        client, board, {"events": [shown("emergency:cap-1", ago_s=10, seconds=5)]}
    ).json()
    assert len(answer["accepted"]) == 1
    event = DisplayEvent.objects.get()
    assert event.takeover.emergency_id == "cap-1" and event.kind == "emergency"
    assert uuid.UUID(answer["accepted"][0])
