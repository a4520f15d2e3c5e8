"""The broadcast console in a real browser, on a phone: schedule, see the clash, decide, see the calendar."""

import datetime
import os

import pytest
from django.utils import timezone

from grassroots.broadcasts.models import ProgrammeSchedule
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import PASSWORD, make_user

from .builders import make_item, make_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_an_operator_schedules_on_a_phone_and_finds_it_in_the_calendar(
    browser, live_server, tree, artifacts_dir
):
    make_user("operator", tree.commune_a, username="phatthanh_a")
    make_cluster(tree.hamlet_a1)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    morning = make_item(tree.commune_a, title="Bản tin sáng")
    make_schedule(morning, [tree.commune_a], starts_on=tomorrow)
    item = make_item(tree.commune_a, title="Thông báo họp dân")

    page = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/console/login/")
    page.fill("#id_username", "phatthanh_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")

    page.goto(f"{live_server.url}/console/broadcasts/schedules/new/")
    page.select_option("#id_item", str(item.pk))
    page.select_option("#id_area", str(tree.commune_a.pk))
    # A date of one's own: "Tùy chỉnh" unfolds the date, time and repetition.
    page.check("input[name=when][value=custom]")
    page.select_option("#id_rule", "once")
    page.fill("#id_starts_on", tomorrow.strftime("%d/%m/%Y"))
    page.fill("#id_at", "06:00")
    page.keyboard.press("Escape")
    # Each change asks for the clashes, whose answer moves what lies below it:
    # wait for it as a person waits for the page to settle before the next tap.
    page.wait_for_load_state("networkidle")
    # The whole commune comes preselected; this airing is for one hamlet.
    page.uncheck(f"input[name=target_areas][value='{tree.commune_a.pk}']")
    page.wait_for_load_state("networkidle")
    page.check(f"input[name=target_areas][value='{tree.hamlet_a1.pk}']")
    page.wait_for_load_state("networkidle")
    page.click("form button[type=submit] >> nth=-1")
    # The clash is shown before anything is saved; the operator decides.
    page.wait_for_selector("text=trùng giờ")
    assert "Bản tin sáng" in page.content()
    assert not ProgrammeSchedule.objects.filter(item=item).exists()
    # Every field fits the phone's width, the choices of "repeat" included.
    assert page.evaluate(
        "() => [...document.querySelectorAll('form select, form input')]"
        ".every(e => e.getBoundingClientRect().right <= window.innerWidth + 1)"
    )
    page.screenshot(path=os.path.join(artifacts_dir, "broadcasts-clash-phone.png"))
    page.check("input[name=confirm_clashes]")
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url(f"{live_server.url}/console/broadcasts/schedules/")
    saved = ProgrammeSchedule.objects.get(item=item)
    assert list(saved.target_areas.all()) == [tree.hamlet_a1]

    page.goto(
        f"{live_server.url}/console/broadcasts/calendar/"
        f"?commune={tree.commune_a.pk}&date={tomorrow:%d/%m/%Y}"
    )
    calendar = page.locator("main").inner_text()
    assert "Thông báo họp dân" in calendar and "06:00" in calendar
    assert fits_the_screen(page)
    page.screenshot(path=os.path.join(artifacts_dir, "broadcasts-calendar-phone.png"))
    assert errors == []
