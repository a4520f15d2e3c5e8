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


class Phone:
    """A logged-in phone that counts the screens of a task and checks every page."""

    def __init__(self, browser, live_server, artifacts_dir, user, task: str):
        self.context = browser.new_context(**PHONE)
        self.page = self.context.new_page()
        self.base = live_server.url
        self.dir = artifacts_dir
        self.task = task
        self.screens: list[str] = []
        page = self.page
        page.goto(f"{self.base}/console/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/console/$"))
        self.check("home")
        page.on("load", lambda _page: self._loaded())

    def _loaded(self) -> None:
        self.screens.append(self.page.url)

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
        n = name or str(len(self.screens))
        page.screenshot(
            path=os.path.join(self.dir, f"phone-{self.task}-{n}.png"), full_page=True
        )

    def tap(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state()

    def done(self) -> None:
        self.check("done")
        assert len(self.screens) <= MAX_SCREENS, (
            f"{self.task}: {len(self.screens)} screens: {self.screens}"
        )
        self.context.close()


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
    page.fill("#id_title", "Thông báo tiêm chủng mở rộng tháng 12")
    page.fill("#id_summary", "Trạm y tế xã tiêm chủng cho trẻ em vào sáng thứ Bảy.")
    page.select_option("#id_category", index=1)
    # "Gửi duyệt" is the main button, not hidden under "save draft".
    send = page.locator("button[name=action-submit]")
    assert send.is_visible() and send.inner_text().strip() == "Gửi duyệt"
    send.click()
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
    page.locator("button[data-workflow-action-name=approve]").first.click()
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
    page.select_option("#id_item", label="Bản tin sáng của xã")
    page.locator("label:has-text('Ngày mai 06:00') input").check()
    # The commune is the operator's only area: chosen already, and aired there.
    assert page.input_value("#id_area") == str(tree.commune_a.pk)
    assert page.locator(
        f"input[name=target_areas][value='{tree.commune_a.pk}']"
    ).is_checked()
    page.wait_for_selector("#gr-clashes .gr-clashes")
    assert "Không trùng" in page.inner_text("#gr-clashes")
    page.click("form button[type=submit].action-save, form button.button-longrunning")
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
    page.select_option("#id_item", label="Bản tin sáng của xã")
    page.locator("label:has-text('Ngày mai 06:00') input").check()
    page.wait_for_selector("#gr-clashes .help-warning")
    assert "Tiếp sóng thời sự" in page.inner_text("#gr-clashes")
    page.check("#id_confirm_clashes")
    page.click("form button[type=submit].action-save, form button.button-longrunning")
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
    page.check(f"input[name=areas][value='{tree.commune_a.pk}']")
    page.click("main form button[type=submit]")
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
    page.fill("#id_code", tree.hamlet_a1.code)
    page.fill("#id_name", "Ấp Mười Hai")
    page.click("form button[type=submit].action-save, form button.button-longrunning")
    page.wait_for_load_state()
    assert "Một ấp khác của xã này đã dùng mã này." in page.inner_text("main")
    assert page.input_value("#id_name") == "Ấp Mười Hai"
    page.fill("#id_code", "H99")
    page.click("form button[type=submit].action-save, form button.button-longrunning")
    page.wait_for_selector(".messages")
    assert Area.objects.filter(code="H99", parent=tree.commune_a).exists()
    phone.done()


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("feedback_handler", ["/console/feedback/"]),
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


def test_a_citizens_feedback_is_answered_from_the_home_page(
    browser, live_server, tree, artifacts_dir, settings
):
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
    handler = make_user("feedback_handler", tree.commune_a)
    phone = Phone(browser, live_server, artifacts_dir, handler, "feedback")
    page = phone.page
    assert "đến hạn trong hai ngày tới" in page.inner_text(".gr-todos")
    phone.tap(".gr-todos a")
    phone.check()
    phone.tap(f"a:has-text('{item.display_code}')")
    phone.check()
    page.fill("#id_answer-text", "UBND xã đã cho vá ổ gà trước chợ. Cảm ơn bà con.")
    page.click("form:has(#id_answer-text) button[type=submit]")
    page.wait_for_selector(".messages")
    item.refresh_from_db()
    assert item.status == "answered"
    phone.done()
