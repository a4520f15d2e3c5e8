"""A commune's staff do their daily tasks on a 360×740 phone, in plain Vietnamese.

Each test walks one task as an official would, from the console's home page,
and checks on every page it visits: nothing wider than the screen, and no
technical word (``None``, ``True``, ``RRULE``, setting names…). The number of
screens is the number of pages loaded after the home page, the last one (the
confirmation) included; it must be at most three. Screenshots are kept in
``test-artifacts/`` (``phone-<task>-<n>.png``).
"""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.utils import timezone

from grassroots.testing import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
MAX_SCREENS = 3
MAX_TAPS = 10
#: The same tasks on a desktop must be no harder.
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "vi-VN"}
#: Words that must never reach staff pages (whole words, case-sensitive).
DENY = (
    "None",
    "True",
    "False",
    "RRULE",
    "FREQ=",
    "SHA-256",
    "GRASSROOTS_",
    "Open311",
    "ok (on)",
    # The console is the system's own, not a product officials must know.
    "Wagtail",
)
#: Elements wider than the screen, outside a container that scrolls on purpose
#: (a map's tiles are clipped by the map).
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth, out = [];
  if (document.scrollingElement.scrollWidth > W) out.push('document ' + document.scrollingElement.scrollWidth);
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.leaflet-container, .w-breadcrumbs, [data-w-breadcrumbs-target], nav[aria-label], details:not([open]), .w-minimap')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= W + 1) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.position === 'fixed') continue;
    let p = el.parentElement, scrolls = false;
    while (p) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p.getBoundingClientRect().right <= W + 1) { scrolls = true; break; }
      p = p.parentElement;
    }
    if (!scrolls) out.push(el.tagName + '.' + String(el.className).slice(0, 40) + ' → ' + Math.round(r.right));
  }
  return out.slice(0, 5);
}"""


#: How many screens tall the page is: the document, or the admin's own
#: scrolling pane when the document itself does not scroll.
TALL_JS = """() => {
  let h = document.scrollingElement.scrollHeight;
  for (const el of document.querySelectorAll('body *')) {
    const o = getComputedStyle(el).overflowY;
    if ((o === 'auto' || o === 'scroll') && el.clientHeight > innerHeight / 2) h = Math.max(h, el.scrollHeight);
  }
  return h / innerHeight;
}"""


#: Is the element covered by something else (the ☰ button) at its left edge,
#: middle or right edge? Returns what covers it, or "".
COVERED_JS = """(el) => {
  const r = el.getBoundingClientRect(), y = r.top + r.height / 2;
  for (const x of [r.left + 4, r.left + r.width / 2, r.right - 4]) {
    const top = document.elementFromPoint(x, y);
    if (top && (el.contains(top) || top.contains(el))) continue;
    return (top ? top.tagName + "." + top.className : "nothing") + " at " + Math.round(x) + "," + Math.round(y);
  }
  return "";
}"""


class Phone:
    """A logged-in phone that counts the screens of a task and checks every page."""

    def __init__(
        self,
        browser,
        live_server,
        artifacts_dir,
        user,
        task: str,
        *,
        otp=None,
        screen: dict | None = None,
    ):
        self.context = browser.new_context(**(screen or PHONE))
        self.page = self.context.new_page()
        self.base = live_server.url
        self.dir = artifacts_dir
        self.task = task
        self.screens: list[str] = []
        self.taps = 0
        page = self.page
        page.goto(f"{self.base}/console/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        if otp is not None:
            # A second factor: the code is asked once at sign-in.
            page.wait_for_selector("#id_token")
            page.fill("#id_token", otp())
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{self.base}/console/")
        page.wait_for_url(re.compile(r".*/console/$"))
        self.check("home")
        page.on("load", lambda _page: self._loaded())

    def _loaded(self) -> None:
        self.screens.append(self.page.url)

    # Taps: a tap, a tick or a field focused is one; a drop-down list two
    # (open it, choose). Typing is not counted.
    def fill(self, selector: str, text: str) -> None:
        self.taps += 1
        self.page.fill(selector, text)

    def choose(self, selector: str, **option) -> None:
        self.taps += 2
        self.page.select_option(selector, **option)

    def tick(self, selector: str) -> None:
        self.taps += 1
        self.page.locator(selector).first.check()

    def check(self, name: str | None = None) -> None:
        """Assert the page fits the screen and says nothing technical; keep a picture."""
        page = self.page
        page.wait_for_load_state()
        wide = page.evaluate(OVERFLOW_JS)
        assert not wide, f"{page.url} is wider than the phone: {wide}"
        text = page.inner_text("main") if page.locator("main").count() else ""
        text += page.inner_text("body")
        found = [w for w in DENY if re.search(rf"(?<![\w-]){re.escape(w)}", text)]
        assert not found, f"{page.url} shows {found}"
        tall = page.evaluate(TALL_JS)
        self.tallest = max(getattr(self, "tallest", 0.0), tall)
        n = name or str(len(self.screens))
        page.screenshot(
            path=os.path.join(self.dir, f"phone-{self.task}-{n}.png"), full_page=True
        )

    def tap(self, selector: str) -> None:
        self.taps += 1
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state()

    def done(self, *, close: bool = True) -> None:
        self.message_is_on_screen()
        self.check("done")
        self.record()
        assert len(self.screens) <= MAX_SCREENS, (
            f"{self.task}: {len(self.screens)} screens: {self.screens}"
        )
        assert self.taps <= MAX_TAPS, f"{self.task}: {self.taps} taps"
        if close:
            self.context.close()

    def message_is_on_screen(self) -> None:
        """A confirmation slides in from the top; then it sits uncovered (the ☰ button)."""
        message = self.page.locator(".messages li").first
        if not message.count():
            return
        self.page.wait_for_function(
            "(el) => el.getBoundingClientRect().top >= 0",
            arg=message.element_handle(),
        )
        covered = message.evaluate(COVERED_JS)
        assert not covered, f"{self.task}: the message is under {covered}"

    def record(self) -> None:
        """Append the task's figures to test-artifacts/phone-tasks.jsonl (docs/phone-tasks.md)."""
        import json

        with open(os.path.join(self.dir, "phone-tasks.jsonl"), "a") as out:
            out.write(
                json.dumps(
                    {
                        "task": self.task,
                        "screens": len(self.screens),
                        "taps": self.taps,
                        "tallest_page_in_screens": round(self.tallest, 1),
                    }
                )
                + "\n"
            )


@pytest.fixture
def staff(tree):
    from grassroots.bulletins.tests.builders import make_people

    return make_people(tree)


def test_a_bulletin_is_written_and_sent_for_approval_in_two_screens(
    browser, live_server, tree, staff, artifacts_dir
):
    from grassroots.bulletins.models import Bulletin, Status

    phone = Phone(browser, live_server, artifacts_dir, staff.editor_a, "write")
    page = phone.page
    # The editor is not offered what the role may not do.
    assert "Phát khẩn cấp" not in page.inner_text("body")
    phone.tap(".gr-actions >> text=Viết bản tin")
    phone.check()
    phone.fill("#id_title", "Thông báo tiêm chủng mở rộng tháng 12")
    phone.fill("#id_summary", "Trạm y tế xã tiêm chủng cho trẻ em vào sáng thứ Bảy.")
    phone.choose("#id_category", index=1)
    # "Gửi duyệt" is the main button, not hidden under "save draft".
    send = page.locator("button[name=action-submit]")
    assert send.is_visible() and send.inner_text().strip() == "Gửi duyệt"
    phone.tap("button[name=action-submit]")
    page.wait_for_selector(".messages")
    assert "Đã gửi duyệt bản tin “Thông báo tiêm chủng" in page.inner_text(".messages")
    bulletin = Bulletin.objects.get(title__startswith="Thông báo tiêm chủng")
    assert bulletin.status == Status.SUBMITTED
    phone.done()


def test_an_approver_approves_from_the_home_page_in_two_screens(
    browser, live_server, tree, staff, artifacts_dir
):
    from grassroots.bulletins import actions
    from grassroots.bulletins.models import Status
    from grassroots.bulletins.tests.builders import make_bulletin

    bulletin = make_bulletin(staff.editor_a, tree.commune_a, title="Lịch cắt điện")
    actions.submit(staff.editor_a, bulletin)
    phone = Phone(browser, live_server, artifacts_dir, staff.approver_a, "approve")
    page = phone.page
    todo = page.locator(".gr-todos")
    assert "1 bản tin chờ anh/chị duyệt" in todo.inner_text()
    phone.tap(".gr-todos a")
    phone.check()
    phone.tap("button[data-workflow-action-name=approve]")
    page.wait_for_selector(".messages")
    assert "Đã duyệt bản tin “Lịch cắt điện”" in page.inner_text(".messages")
    bulletin.refresh_from_db()
    assert bulletin.status in (Status.PUBLISHED, Status.APPROVED)
    phone.done()


def test_an_operator_schedules_tomorrow_morning_with_one_tap_on_a_preset(
    browser, live_server, tree, artifacts_dir
):
    from grassroots.broadcasts.models import ProgrammeSchedule
    from grassroots.broadcasts.tests.builders import make_item

    make_item(tree.commune_a, title="Bản tin sáng của xã")
    operator = make_user("operator", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, operator, "schedule")
    page = phone.page
    phone.tap(".gr-actions >> text=Đặt lịch phát")
    phone.check()
    phone.choose("#id_item", label="Bản tin sáng của xã")
    phone.tick("label:has-text('Ngày mai 06:00') input")
    # The commune is the operator's only area: chosen already, and aired there.
    assert page.input_value("#id_area") == str(tree.commune_a.pk)
    assert page.locator(
        f"input[name=target_areas][value='{tree.commune_a.pk}']"
    ).is_checked()
    page.wait_for_selector("#gr-clashes .gr-clashes")
    assert "Không trùng" in page.inner_text("#gr-clashes")
    phone.tap("form button[type=submit].action-save, form button.button-longrunning")
    page.wait_for_selector(".messages")
    schedule = ProgrammeSchedule.objects.get()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert (schedule.starts_on, schedule.at) == (tomorrow, datetime.time(6, 0))
    assert schedule.rule == "once"
    phone.done()


def test_a_clash_is_shown_while_choosing_and_saved_in_one_submission(
    browser, live_server, tree, artifacts_dir
):
    from grassroots.broadcasts.models import ProgrammeSchedule
    from grassroots.broadcasts.tests.builders import make_item, make_schedule

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    other = make_item(tree.commune_a, title="Tiếp sóng thời sự")
    make_schedule(
        other,
        [tree.commune_a],
        rule="once",
        starts_on=tomorrow,
        at=datetime.time(6, 0),
    )
    from grassroots.loudspeakers.tests.factories import make_cluster

    make_cluster(tree.hamlet_a1)
    make_item(tree.commune_a, title="Bản tin sáng của xã")
    operator = make_user("operator", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, operator, "clash")
    page = phone.page
    phone.tap(".gr-actions >> text=Đặt lịch phát")
    phone.choose("#id_item", label="Bản tin sáng của xã")
    phone.tick("label:has-text('Ngày mai 06:00') input")
    page.wait_for_selector("#gr-clashes .help-warning")
    assert "Tiếp sóng thời sự" in page.inner_text("#gr-clashes")
    phone.tick("#id_confirm_clashes")
    phone.tap("form button[type=submit].action-save, form button.button-longrunning")
    page.wait_for_selector(".messages")
    assert ProgrammeSchedule.objects.count() == 2
    phone.done()


def test_an_item_is_played_now_from_the_list(
    browser, live_server, tree, artifacts_dir, settings
):
    from grassroots.broadcasts.tests.builders import make_item
    from grassroots.loudspeakers.tests.factories import make_cluster

    settings.GRASSROOTS_DEVICE_PLANE = "memory"
    make_cluster(tree.hamlet_a1)
    make_item(tree.commune_a, title="Thông báo họp dân")
    operator = make_user("operator", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, operator, "play")
    page = phone.page
    phone.tap(".gr-actions >> text=Phát ngay")
    phone.check()
    phone.tap("a.gr-play-now")
    phone.check()
    phone.tick(f"input[name=areas][value='{tree.commune_a.pk}']")
    phone.tap("main form button[type=submit]")
    page.wait_for_selector(".messages")
    phone.done()


def test_offline_clusters_are_on_the_home_page_with_their_reason(
    browser, live_server, tree, artifacts_dir
):
    from grassroots.loudspeakers.models import ClusterStatus
    from grassroots.loudspeakers.tests.factories import make_cluster

    cluster = make_cluster(tree.hamlet_a1)
    ClusterStatus.objects.create(
        cluster=cluster,
        online=False,
        since=timezone.now() - datetime.timedelta(minutes=3),
        offline_reason="will",
    )
    operator = make_user("operator", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, operator, "offline")
    home = phone.page.inner_text("main")
    # Offline for three minutes is not yet an alert, but it is not "all well".
    assert "1 cụm loa mất kết nối" in home
    assert "mất kết nối đột ngột (mất điện hoặc mất mạng)" in home
    assert "đều đang kết nối" not in home
    phone.done()


def test_a_hamlet_with_a_code_in_use_keeps_the_form_and_says_why(
    browser, live_server, tree, artifacts_dir
):
    from grassroots.areas.models import Area

    admin = make_user("administrator", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, admin, "hamlet")
    page = phone.page
    phone.tap(".gr-actions >> text=Thêm ấp")
    phone.check()
    phone.fill("#id_code", tree.hamlet_a1.code)
    phone.fill("#id_name", "Ấp Mười Hai")
    phone.tap("form button[type=submit].action-save, form button.button-longrunning")
    page.wait_for_load_state()
    assert f"{tree.hamlet_a1.name} đã dùng mã này." in page.inner_text("main")
    assert page.input_value("#id_name") == "Ấp Mười Hai"
    phone.fill("#id_code", "H99")
    phone.tap("form button[type=submit].action-save, form button.button-longrunning")
    page.wait_for_selector(".messages")
    assert Area.objects.filter(code="H99", parent=tree.commune_a).exists()
    phone.done()


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("feedback_handler", ["/console/feedback/", "/console/account/"]),
        ("administrator", ["/console/areas/", "/console/working-calendar/"]),
        ("administrator", ["/console/feedback-categories/"]),
        ("operator", ["/console/loudspeakers/clusters/", "/console/emergencies/new/"]),
    ],
)
def test_staff_lists_and_forms_fit_the_phone_in_plain_words(
    browser, live_server, tree, artifacts_dir, role, pages
):
    user = make_user(role, tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, user, f"pages-{role}")
    for url in pages:
        phone.page.goto(live_server.url + url)
        phone.check(url.strip("/").replace("/", "-"))
    phone.context.close()


def _feedback_due_tomorrow(tree, settings):
    """A citizen's feedback in commune A, due tomorrow: on the handler's to-do."""
    from grassroots.feedback.models import CalendarDay, Category, Feedback
    from grassroots.feedback.seed import seed_calendar, seed_categories
    from grassroots.feedback.tests.builders import submit

    if not Category.objects.exists():
        seed_categories(Category)
        seed_calendar(CalendarDay)
    settings.GRASSROOTS_FEEDBACK_JURISDICTION = tree.province.code
    item = submit(tree, citizen_name="Nguyễn Văn Tư", phone="0912345678", consent=True)
    Feedback.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    return item


def test_a_citizens_feedback_is_answered_from_the_home_page(
    browser, live_server, tree, artifacts_dir, settings
):
    item = _feedback_due_tomorrow(tree, settings)
    handler = make_user("feedback_handler", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, handler, "feedback")
    page = phone.page
    assert "đến hạn trong hai ngày tới" in page.inner_text(".gr-todos")
    phone.tap(".gr-todos a")
    phone.check()
    phone.tap(f"a:has-text('{item.display_code}')")
    phone.check()
    phone.fill("#id_answer-text", "UBND xã đã cho vá ổ gà trước chợ. Cảm ơn bà con.")
    phone.tap("form:has(#id_answer-text) button[type=submit]")
    page.wait_for_selector(".messages")
    item.refresh_from_db()
    assert item.status == "answered"
    phone.done()


def _shoot_at(phone: Phone, selector: str, name: str) -> None:
    """Keep a picture of the screen showing ``selector`` (the admin scrolls inside)."""
    phone.page.locator(selector).first.scroll_into_view_if_needed()
    phone.page.screenshot(
        path=os.path.join(phone.dir, f"phone-{phone.task}-{name}.png")
    )


@pytest.mark.parametrize("way", ["answered", "without-answer"])
def test_a_citizens_feedback_is_closed_from_the_home_page_in_three_screens(
    browser, live_server, tree, artifacts_dir, settings, way
):
    """Close: with the answer in one submission, or without one, giving a reason."""
    item = _feedback_due_tomorrow(tree, settings)
    handler = make_user("feedback_handler", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, handler, f"close-{way}")
    page = phone.page
    phone.tap(".gr-todos a")
    phone.check()
    phone.tap(f"a:has-text('{item.display_code}')")
    phone.check()
    if way == "answered":
        phone.fill("#id_answer-text", "Đã vá ổ gà trước chợ ngày 06/12. Cảm ơn bà con.")
        _shoot_at(phone, "button[name=close]", "form")
        phone.tap("button[name=close]")
        said = f"Đã gửi trả lời và đóng phản ánh {item.display_code}."
    else:
        phone.tap("summary:has-text('Đóng')")
        phone.fill("#close-reason", "Trùng với phản ánh đã xử lý tuần trước.")
        _shoot_at(phone, "form:has(#close-reason) button[type=submit]", "form")
        phone.tap("form:has(#close-reason) button[type=submit]")
        said = f"Đã đóng phản ánh {item.display_code}."
    message = page.locator(".messages li").first
    message.wait_for()
    assert said in message.inner_text()
    assert "Đã đóng" in page.inner_text("table.listing")
    item.refresh_from_db()
    assert item.status == "closed"
    assert (item.public_answer != "") is (way == "answered")
    phone.done()


class Codes:
    """Fresh codes of one authenticator, each later than the last (none reused)."""

    def __init__(self, user):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        self.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        self.last: int | None = None

    def __call__(self) -> str:
        import time

        from django_otp.oath import totp

        d = self.device
        now = (int(time.time()) - d.t0) // d.step
        t = now - 1 if self.last is None else max(self.last + 1, now - 1)
        assert t <= now + d.tolerance, "too many codes in one step"
        self.last = t
        code = totp(d.bin_key, step=d.step, t0=d.t0, digits=d.digits, drift=t - now)
        return f"{code:0{d.digits}d}"


@pytest.fixture
def on_air(settings, tmp_path):
    """Instant speech and a device plane in memory: an emergency airs in the test."""
    from grassroots.tts.engines import _engines

    fake = "grassroots.tts.engines.memory.MemoryEngine"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.GRASSROOTS_TTS_ENGINE = fake
    settings.GRASSROOTS_DEVICE_PLANE = "memory"
    yield
    _engines.pop(fake, None)


def _ack_all(emergency, clusters) -> None:
    from grassroots.loudspeakers.models import Ack

    for cluster in clusters:
        Ack.objects.create(
            cluster=cluster,
            ref_type="emergency",
            ref=emergency.item_id,
            version=emergency.rev,
            status="ok",
            at=timezone.now(),
        )


def _stop_polling(phone: Phone) -> None:
    """Leave the live page before the database goes (it polls every second)."""
    import time

    phone.page.goto("about:blank")
    phone.context.close()
    time.sleep(1.5)


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_an_emergency_is_aired_watched_and_cancelled_in_three_screens(
    browser, live_server, tree, staff, artifacts_dir, on_air, screen
):
    """Pick the bulletin and the area; hear it and give the code; watch, cancel."""
    from grassroots.bulletins.tests.builders import make_published
    from grassroots.emergencies.models import Emergency, State
    from grassroots.loudspeakers.models import ClusterStatus
    from grassroots.loudspeakers.tests.factories import make_cluster

    make_published(
        staff.editor_a,
        staff.approver_a,
        tree.commune_a,
        level="emergency",
        title="Lũ quét trên sông Tiền",
        channels=("portal",),
    )
    clusters = [make_cluster(tree.hamlet_a1) for _ in range(3)]
    for cluster in clusters:
        ClusterStatus.objects.create(cluster=cluster, online=True)
    operator = make_user("operator", tree.commune_a)
    codes = Codes(operator)
    phone = Phone(
        browser,
        live_server,
        artifacts_dir,
        operator,
        f"emergency-{screen}",
        otp=codes,
        screen=None if screen == "phone" else DESKTOP,
    )
    page = phone.page
    # Screen 1: the only emergency bulletin and the operator's commune are chosen.
    phone.tap(".gr-actions >> text=Phát khẩn cấp")
    phone.check()
    form = page.locator("[data-testid=emergency-form]")
    assert form.locator("input[name=bulletin]:checked").count() == 1
    assert form.locator(f"input[name=areas][value='{tree.commune_a.pk}']").is_checked()
    phone.tap("button:has-text('Chuẩn bị phát')")
    # Screen 2: hear it, and the code on the same screen.
    phone.check()
    assert page.locator(".emg-summary audio").count() == 1
    assert "3 cụm loa" in page.inner_text(".emg-summary")
    assert not Emergency.objects.exists(), "nothing airs before the confirmation"
    phone.fill("input[name=otp]", codes())
    phone.tap("button:has-text('Phát ngay')")
    # Screen 3: the acknowledgements arrive without a reload.
    page.wait_for_url(re.compile(r".*/console/emergencies/\d+/$"))
    emergency = Emergency.objects.get()
    _ack_all(emergency, clusters[:2])
    page.wait_for_function(
        "document.querySelector('[data-testid=acked] .emg-number').textContent === '2'",
        timeout=5000,
    )
    phone.check()
    # Cancel: one tap, the code, one tap to confirm; still the same screen.
    phone.tap("[data-testid=cancel]")
    phone.fill("#emg-actions input[name=otp]", codes())
    phone.tap("button:has-text('Xác nhận: dừng phát ở mọi nơi')")
    page.wait_for_selector("#emg-actions [role=status]")
    assert "Đã hủy phát khẩn cấp ở mọi nơi." in page.inner_text("#emg-actions")
    # The status is swapped in with the answer, not a second later.
    assert "Đã hủy" in page.inner_text(".emg-state-line")
    assert Emergency.objects.get().state == State.CANCELLED
    phone.done(close=False)
    _stop_polling(phone)


def test_a_drill_is_one_switch_away_and_takes_three_screens_too(
    browser, live_server, tree, artifacts_dir, on_air
):
    """A test of the warning system for one hamlet, found by searching its name."""
    from grassroots.areas.models import Area
    from grassroots.emergencies.models import Emergency, State
    from grassroots.loudspeakers.tests.factories import make_cluster
    from grassroots.testing import make_area

    # A commune with many hamlets: the list gets a search box.
    for n in range(14):
        make_area(tree.commune_a, name=f"Ấp Kênh {n + 3}")
    target = Area.objects.get(name="Ấp Kênh 9")
    clusters = [make_cluster(target) for _ in range(2)]
    operator = make_user("operator", tree.commune_a)
    codes = Codes(operator)
    phone = Phone(browser, live_server, artifacts_dir, operator, "drill", otp=codes)
    page = phone.page
    phone.tap(".gr-actions >> text=Phát khẩn cấp")
    phone.check("1-emergency")
    # The switch turns the page into the drill's form in place.
    phone.tap("[data-testid=drill-switch]")
    assert len(phone.screens) == 1
    drill = page.locator("[data-testid=drill-form]")
    assert drill.is_visible()
    assert not page.locator("[data-testid=emergency-form]").is_visible()
    assert "THỬ NGHIỆM" in page.inner_text(".emg-drill-banner")
    phone.check("1-drill")
    # The commune is chosen already; the operator narrows it to one hamlet,
    # found by typing part of its name: ticking it unticks the commune.
    commune = drill.locator(f"input[name=areas][value='{tree.commune_a.pk}']")
    assert commune.is_checked()
    phone.fill("[data-testid=drill-form] .gr-choice-search", "kenh 9")
    phone.tap(f"[data-testid=drill-form] input[name=areas][value='{target.pk}']")
    assert not commune.is_checked()
    phone.tap("button:has-text('Chuẩn bị diễn tập')")
    phone.check()
    assert "2 cụm loa" in page.inner_text(".emg-summary")
    phone.fill("input[name=otp]", codes())
    phone.tap("button:has-text('Diễn tập ngay')")
    page.wait_for_url(re.compile(r".*/console/emergencies/\d+/$"))
    held = Emergency.objects.get()
    assert held.drill and list(held.target_areas.all()) == [target]
    _ack_all(held, clusters)
    page.wait_for_function(
        "document.querySelector('[data-testid=acked] .emg-number').textContent === '2'",
        timeout=5000,
    )
    phone.check()
    phone.tap("[data-testid=cancel]")
    phone.fill("#emg-actions input[name=otp]", codes())
    phone.tap("button:has-text('Xác nhận: dừng phát ở mọi nơi')")
    page.wait_for_selector("#emg-actions [role=status]")
    assert "Đã hủy" in page.inner_text(".emg-state-line")
    assert not page.locator("[data-testid=cancel]").is_visible()
    assert Emergency.objects.get().state == State.CANCELLED
    phone.done(close=False)
    _stop_polling(phone)


@pytest.fixture
def trained(tree):
    """A roster of officials trained in 2025, so the cards have values."""
    from grassroots.indicators.tests.conftest import roster

    return roster.__wrapped__(tree)


def test_the_indicators_read_as_a_summary_and_export_is_at_the_top(
    browser, live_server, tree, trained, artifacts_dir
):
    """A summary that fits a few screens, details one tap away; export first."""
    viewer = make_user("viewer", tree.province)
    phone = Phone(browser, live_server, artifacts_dir, viewer, "indicators")
    page = phone.page
    phone.tap(".gr-actions >> text=Chỉ tiêu và báo cáo")
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('details.gr-fold')].every(d => !d.open)"
    )
    phone.check()
    card = page.locator("[id^=card-]").first
    assert card.locator(".gr-number").is_visible()
    assert not card.locator(".gr-target").is_visible(), "details are folded"
    assert phone.tallest <= 4, f"the summary is {phone.tallest:.1f} screens"
    # One tap opens a card's details.
    phone.tap("[id^=card-] .gr-card-more > summary")
    assert card.locator(".gr-target").is_visible()
    # Export is on the first screen, above the cards.
    export = page.locator("[data-testid=export] button[name=format]").first
    assert export.bounding_box()["y"] < PHONE["viewport"]["height"]
    phone.done()


def test_a_report_is_exported_in_two_screens(
    browser, live_server, tree, trained, artifacts_dir
):
    viewer = make_user("viewer", tree.province)
    phone = Phone(browser, live_server, artifacts_dir, viewer, "export")
    page = phone.page
    phone.tap(".gr-actions >> text=Chỉ tiêu và báo cáo")
    phone.check()
    phone.tap("[data-testid=export] button[name=format][value=xlsx]")
    page.wait_for_selector("text=Tệp đã sẵn sàng.", timeout=30_000)
    assert page.locator("#export-progress a[download]").is_visible()
    phone.done()
