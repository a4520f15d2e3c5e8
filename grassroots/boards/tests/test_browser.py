"""The board player in real headless Chromium, against the live server.

What a commune office relies on: the board shows its playlist; a bulletin
published in the console is on screen within two seconds; an emergency
takes the whole screen at once and a cancel gives the playlist back; the
board goes on through a network outage and a stopped server, and forgets
what was withdrawn once it is back; nothing in a bulletin runs as script.
Screenshots go to test-artifacts/.
"""

import io
import os
import time

import pytest
from django.utils import timezone

from grassroots.boards import actions
from grassroots.boards.models import BoardStatus, DisplayEvent
from grassroots.bulletins import actions as bulletin_actions
from grassroots.bulletins.models import Bulletin
from grassroots.bulletins.tests.builders import make_people, make_published
from grassroots.testing import make_tree

from .builders import make_board, make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1280, "height": 720}
SLIDE = "#stage .slide[data-key='{key}']"


# A change pushed to an open player arrives well before its fallback refresh
# (every 15 s): the bound tells push from polling even on a loaded machine.
# How fast a push arrives is measured by bench/boards.py, not here.
PUSHED_WITHIN_S = 8.0
PUSHED_WITHIN_MS = int(PUSHED_WITHIN_S * 1000)


def wait_js(page, expression, timeout=10.0):
    """Wait until ``expression`` is true in the page.

    Playwright's own ``wait_for_function`` evaluates strings with eval, which
    the player's Content-Security-Policy forbids (as it should); evaluate()
    goes through the debugging protocol instead.
    """
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(expression):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {expression}")
        time.sleep(0.05)


def shot(page, artifacts_dir, name):
    page.wait_for_timeout(700)  # past the slide's fade-in
    page.screenshot(path=os.path.join(artifacts_dir, f"boards-{name}.png"))


@pytest.fixture(autouse=True)
def quick_pings(monkeypatch):
    """Closed pages are noticed at the next ping: keep server threads short-lived.

    After the test, wait for the streams to notice and the hub to stop, so
    nothing reads the database while the next test (or the end) resets it.
    """
    from grassroots.boards.push import stream
    from grassroots.boards.push.hub import HUB

    monkeypatch.setattr(stream, "PING_INTERVAL_S", 1.0)
    yield
    deadline = time.monotonic() + 5
    while not HUB.idle() and time.monotonic() < deadline:
        time.sleep(0.1)


def open_player(browser, url, viewport=SCREEN):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    wait_js(
        page, "!!(window.GRBoard && GRBoard.player && GRBoard.player.state.version)"
    )
    return context, page, errors


def commune_with_board(**board):
    tree = make_tree()
    people = make_people(tree)
    return tree, people, make_board(tree.commune_a, page_seconds=5, **board)


def test_playlist_new_bulletin_emergency_and_proof(live_server, browser, artifacts_dir):
    tree, people, board = commune_with_board(name="Bảng tin UBND xã An Bình")
    first = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Lịch tiêm chủng mở rộng tháng này tại Trạm Y tế xã",
        body="<p>Tiêm vắc-xin sởi, bạch hầu cho trẻ dưới 5 tuổi vào sáng thứ Năm.</p>",
    )
    make_item(tree.province, kind="ticker", title="Đường dây nóng: 0277.3851.234")
    context, page, errors = open_player(browser, live_server.url + board.player_path)
    page.wait_for_selector(SLIDE.format(key=f"bulletin:{first.pk}"))
    assert "Lịch tiêm chủng" in page.inner_text("#stage")
    assert "Đường dây nóng" in page.inner_text("#ticker")
    shot(page, artifacts_dir, "player-playlist")
    page.wait_for_timeout(
        1000
    )  # shown long enough to count (flashes under 0.5 s do not)

    # A bulletin approved in the console is on the screen within two seconds.
    started = time.monotonic()
    second = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Thông báo cắt điện ngày mai từ 7 giờ đến 11 giờ",
        level="priority",
    )
    page.wait_for_selector(
        SLIDE.format(key=f"bulletin:{second.pk}"), timeout=PUSHED_WITHIN_MS
    )
    assert time.monotonic() - started < PUSHED_WITHIN_S, time.monotonic() - started
    shot(page, artifacts_dir, "player-new-bulletin")

    # An emergency takes the whole screen at once; the cancel gives it back.
    started = time.monotonic()
    actions.take_over(
        emergency_id="chay-cho-1",
        area_paths=[tree.commune_a.path],
        title="Cháy lớn tại chợ xã An Bình",
        text="Người dân tránh xa khu vực chợ, nhường đường cho xe chữa cháy.",
        level="emergency",
        actor=None,
    )
    page.wait_for_selector(
        "#emergency:not([hidden]) >> text=Cháy lớn", timeout=PUSHED_WITHIN_MS
    )
    assert time.monotonic() - started < PUSHED_WITHIN_S
    assert page.evaluate("document.querySelector('#stage').children.length") == 0
    box = page.evaluate(
        "(() => { const r = document.querySelector('#emergency').getBoundingClientRect(); return [r.width, r.height]; })()"
    )
    assert box == [SCREEN["width"], SCREEN["height"]]
    shot(page, artifacts_dir, "player-emergency")
    page.wait_for_timeout(1000)
    started = time.monotonic()
    actions.release(emergency_id="chay-cho-1", actor=None)
    page.wait_for_selector("#emergency", state="hidden", timeout=PUSHED_WITHIN_MS)
    page.wait_for_selector("#stage .slide")
    assert time.monotonic() - started < PUSHED_WITHIN_S
    shot(page, artifacts_dir, "player-restored")

    # Proof of display: what was shown is reported, once.
    page.evaluate("GRBoard.player.report()")
    deadline = time.monotonic() + 5
    while (
        time.monotonic() < deadline
        and not DisplayEvent.objects.filter(board=board).exists()
    ):
        time.sleep(0.2)
    keys = set(DisplayEvent.objects.filter(board=board).values_list("key", flat=True))
    assert {f"bulletin:{first.pk}", "emergency:chay-cho-1"} <= keys
    assert BoardStatus.objects.get(board=board).is_online()

    # A screenshot on request: drawn by the board itself.
    actions.send_command(None, board, "screenshot")
    deadline = time.monotonic() + 8
    while (
        time.monotonic() < deadline
        and BoardStatus.objects.get(board=board).screenshot_at is None
    ):
        time.sleep(0.2)
    status = BoardStatus.objects.get(board=board)
    assert status.screenshot_at is not None
    from PIL import Image

    Image.open(io.BytesIO(bytes(status.screenshot))).save(
        os.path.join(artifacts_dir, "boards-player-own-screenshot.png")
    )
    assert errors == []
    context.close()


def test_offline_outage_and_a_stopped_server(live_server, browser, artifacts_dir):
    tree, people, board = commune_with_board()
    keep = make_published(
        people.editor_a, people.approver_a, tree.commune_a, title="Lịch tiếp công dân"
    )
    doomed = make_published(
        people.editor_a, people.approver_a, tree.commune_a, title="Thông báo sẽ rút lại"
    )
    make_item(
        tree.commune_a, title="Giờ làm việc", text="Từ 7 giờ đến 17 giờ.", duration_s=3
    )
    context, page, errors = open_player(browser, live_server.url + board.player_path)
    # The service worker takes the page over and keeps the shell and playlist.
    wait_js(page, "navigator.serviceWorker.controller !== null")

    # The network goes: the board keeps cycling its playlist.
    context.set_offline(True)
    seen = set()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(seen) < 3:
        seen.add(page.evaluate("document.querySelector('#stage .slide')?.dataset.key"))
        time.sleep(0.3)
    assert {f"bulletin:{keep.pk}", f"bulletin:{doomed.pk}"} <= seen
    assert page.evaluate("document.documentElement.dataset.online") == "no"
    # Even a reload comes up, from what the service worker kept.
    page.reload()
    page.wait_for_selector("#stage .slide")
    shot(page, artifacts_dir, "player-offline")

    # Meanwhile a bulletin is withdrawn and another published.
    bulletin_actions.withdraw(
        people.approver_a, doomed, reason="Thông tin chưa chính xác"
    )
    fresh = make_published(
        people.editor_a, people.approver_a, tree.commune_a, title="Lịch thu gom rác mới"
    )
    context.set_offline(False)
    wait_js(
        page,
        f"GRBoard.player.state.playlist.entries.some(e => e.key === 'bulletin:{fresh.pk}')",
    )
    assert not page.evaluate(
        f"GRBoard.player.state.playlist.entries.some(e => e.key === 'bulletin:{doomed.pk}')"
    )
    assert page.locator(SLIDE.format(key=f"bulletin:{doomed.pk}")).count() == 0

    # The server stops answering altogether (the live server is shared by the
    # whole session, so every request is refused instead, the service
    # worker's included): the board goes on, and comes back after a reload.
    context.route("**/*", lambda route: route.abort("connectionrefused"))
    before = page.evaluate("document.querySelector('#stage .slide')?.dataset.key")
    wait_js(
        page, f"document.querySelector('#stage .slide')?.dataset.key !== {before!r}", 12
    )
    page.reload()
    page.wait_for_selector("#stage .slide")
    assert page.locator("#stage .slide").count() == 1
    shot(page, artifacts_dir, "player-server-stopped")
    assert errors == []
    context.close()


def test_script_in_a_bulletin_never_runs_and_a_revoked_board_goes_dark(
    live_server, browser, artifacts_dir
):
    tree, people, board = commune_with_board()
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    # Written straight to the database, past every check, as an attacker would.
    Bulletin.objects.filter(pk=bulletin.pk).update(
        title='<img src=x onerror="window.pwned=1">Tiêu đề',
        summary="<script>window.pwned=2</script>",
        body='<p onclick="window.pwned=3">Nội dung</p><script>window.pwned=4</script>'
        '<img src=x onerror="window.pwned=5"><svg onload="window.pwned=6"></svg>',
        updated_at=timezone.now(),
    )
    context, page, errors = open_player(browser, live_server.url + board.player_path)
    page.wait_for_selector(SLIDE.format(key=f"bulletin:{bulletin.pk}"))
    page.wait_for_timeout(500)
    assert page.evaluate("window.pwned") is None
    title = page.inner_text(".slide-title")
    assert title.startswith("<img src=x onerror=")  # shown as text, harmless
    assert (
        page.locator("#stage img, #stage script, #stage svg, #stage [onclick]").count()
        == 0
    )
    shot(page, artifacts_dir, "player-script-as-text")

    started = time.monotonic()
    actions.revoke_address(None, board)
    wait_js(page, "GRBoard.player.state.revoked === true", PUSHED_WITHIN_S)
    assert time.monotonic() - started < PUSHED_WITHIN_S
    assert "ngừng hiển thị" in page.inner_text(
        "#stage"
    ) or "switched off" in page.inner_text("#stage")
    assert page.evaluate("window.pwned") is None
    context.close()


def test_a_portrait_board_lays_out_long_bulletins_in_pages(
    live_server, browser, artifacts_dir
):
    tree, people, board = commune_with_board(
        orientation="portrait", width_px=1080, height_px=1920
    )
    paragraphs = "".join(
        f"<p>Đoạn {i}: người dân các ấp ven sông chủ động gia cố bờ bao, kê cao tài sản, "
        "theo dõi thông tin trên loa truyền thanh và bảng tin của xã.</p>"
        for i in range(1, 25)
    )
    long = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Hướng dẫn phòng chống lũ cho các hộ dân ven sông",
        body=paragraphs,
    )
    context, page, errors = open_player(
        browser,
        live_server.url + board.player_path,
        viewport={"width": 540, "height": 960},
    )
    page.wait_for_selector(SLIDE.format(key=f"bulletin:{long.pk}"))
    pager = page.inner_text(".pager")
    assert pager.endswith(("3", "4", "5", "6", "7", "8")), pager  # "Trang 1/N"
    overflow = page.evaluate(
        "(() => { const w = document.querySelector('.pages-window'); return w.scrollHeight - w.clientHeight; })()"
    )
    assert overflow <= 1  # nothing cut off: the rest is on the next pages
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.pages')).fontSize)"
    )
    unit = min(960, 540 * 1.25) / 100  # fit.js: 1% of the screen, portrait scaled
    assert size >= 3.6 * unit  # 4% of the width: readable from several metres
    shot(page, artifacts_dir, "player-portrait-paged")
    assert errors == []
    context.close()


def test_a_drill_takes_over_marked_as_a_test_not_an_alarm(
    live_server, browser, artifacts_dir
):
    """The emergencies app's drills take over at the ``drill`` level: THỬ NGHIỆM."""
    tree, people, board = commune_with_board(name="Bảng tin UBND xã An Bình")
    notice = make_published(
        people.editor_a, people.approver_a, tree.commune_a, title="Lịch họp ấp"
    )
    context, page, errors = open_player(browser, live_server.url + board.player_path)
    # The player has loaded (SQLite in tests: no write while it reads).
    page.wait_for_selector(SLIDE.format(key=f"bulletin:{notice.pk}"))
    actions.take_over(
        emergency_id="drill-1",
        area_paths=[tree.commune_a.path],
        title="THỬ NGHIỆM: Diễn tập hệ thống cảnh báo",
        text="Đây là bản tin thử nghiệm hệ thống cảnh báo. Không phải tình huống "
        "khẩn cấp thật.",
        level="drill",
        actor=None,
    )
    page.wait_for_selector(
        "#emergency:not([hidden]).lvl-drill", timeout=PUSHED_WITHIN_MS
    )
    assert page.inner_text("#emergency .em-badge") == "THỬ NGHIỆM"
    assert "không phải tình huống khẩn cấp thật" in page.inner_text(
        "#emergency .em-foot"
    )
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('#emergency')).animationName"
        )
        == "none"
    ), "a drill does not blink like an alarm"
    shot(page, artifacts_dir, "player-drill")
    assert errors == []
    context.close()


def test_the_board_and_its_emergency_screen_pass_axe(
    live_server, browser, artifacts_dir
):
    """WCAG 2.1 AA on a public board: its playlist and its emergency screen."""
    from axe_playwright_python.sync_playwright import Axe

    wcag_aa = {
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
        }
    }
    tree, people, board = commune_with_board(name="Bảng tin UBND xã An Bình")
    first = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Lịch tiêm chủng mở rộng tháng này tại Trạm Y tế xã",
        body="<p>Tiêm vắc-xin sởi, bạch hầu cho trẻ dưới 5 tuổi vào sáng thứ Năm.</p>",
    )
    context, page, errors = open_player(browser, live_server.url + board.player_path)
    page.wait_for_selector(SLIDE.format(key=f"bulletin:{first.pk}"))
    page.wait_for_timeout(700)  # past the slide's fade-in
    results = Axe().run(page, options=wcag_aa)
    assert results.violations_count == 0, results.generate_report()

    actions.take_over(
        emergency_id="lu-1",
        area_paths=[tree.commune_a.path],
        title="Nước lũ dâng nhanh",
        text="Người dân vùng trũng di chuyển đến nơi cao ngay.",
        level="emergency",
        actor=None,
    )
    page.wait_for_selector(
        "#emergency:not([hidden]) >> text=Nước lũ", timeout=PUSHED_WITHIN_MS
    )
    page.wait_for_timeout(700)
    shot(page, artifacts_dir, "player-emergency-axe")
    results = Axe().run(page, options=wcag_aa)
    assert results.violations_count == 0, results.generate_report()
    assert errors == []
    context.close()
