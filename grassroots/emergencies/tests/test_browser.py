"""An operator on a phone: broadcast in two steps, watch the acks arrive, cancel; drills."""

from __future__ import annotations

import datetime
import os
import re
import time

import pytest
from django.utils import timezone

from grassroots.bulletins.tests.builders import make_published
from grassroots.emergencies.models import Emergency, State
from grassroots.loudspeakers.models import Ack, ClusterStatus
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_an_operator_broadcasts_watches_acks_live_and_cancels_on_a_phone(
    browser, live_server, tree, people, operator_a, artifacts_dir, settings
):
    settings.GRASSROOTS_DEVICE_PLANE = "memory"
    bulletin = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        level="emergency",
        title="Lũ quét",
        channels=("portal",),
    )
    clusters = [make_cluster(tree.hamlet_a1) for _ in range(3)]
    for cluster in clusters[:2]:
        ClusterStatus.objects.create(cluster=cluster, online=True)
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", operator_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/console/emergencies/")
    page.click("text=Phát khẩn cấp >> nth=-1")
    form = page.locator("[data-testid=emergency-form]")
    form.locator(f"input[name=bulletin][value='{bulletin.pk}']").check()
    # The operator's commune comes ticked; narrowed here to one hamlet.
    form.locator(f"input[name=areas][value='{tree.commune_a.pk}']").uncheck()
    form.locator(f"input[name=areas][value='{tree.hamlet_a1.pk}']").check()
    form.locator(".emg-more summary").click()
    page.fill("input[name=repeat]", "2")
    page.click("button:has-text('Chuẩn bị phát')")
    page.wait_for_selector("text=Kiểm tra trước khi phát")
    assert page.locator("text=3 cụm loa").count()
    page.screenshot(
        path=os.path.join(artifacts_dir, "emergencies-confirm-phone.png"),
        full_page=True,
    )
    assert not Emergency.objects.exists()
    page.click("button:has-text('Phát ngay')")
    page.wait_for_url(re.compile(r".*/console/emergencies/\d+/$"))
    emergency = Emergency.objects.get()
    assert emergency.repeat == 2 and emergency.started_by == operator_a
    acked = page.locator("[data-testid=acked] .emg-number")
    assert acked.inner_text() == "0"

    # Two devices acknowledge: the page shows it without a reload.
    for cluster in clusters[:2]:
        Ack.objects.create(
            cluster=cluster,
            ref_type="emergency",
            ref=emergency.item_id,
            version=emergency.rev,
            status="ok",
            at=timezone.now(),
        )
    page.wait_for_function(
        "document.querySelector('[data-testid=acked] .emg-number').textContent === '2'",
        timeout=5000,
    )
    assert "Mất kết nối: 1" in page.inner_text("[data-testid=waiting-offline]")
    assert clusters[2].code in page.inner_text(".emg-missing")
    page.screenshot(
        path=os.path.join(artifacts_dir, "emergencies-live-phone.png"), full_page=True
    )

    page.click("summary.emg-cancel")
    page.click("button.emg-cancel")
    page.wait_for_selector("#emg-actions [role=status]")
    assert Emergency.objects.get().state == State.CANCELLED
    assert "Đã hủy" in page.inner_text(".emg-state-line")
    # Stop the polling before the database goes (PostgreSQL refuses to drop
    # a test database a server thread still reads).
    page.goto("about:blank")
    page.close()
    time.sleep(1.5)


SMALL_PHONE = {"width": 360, "height": 740}


def _fits(page) -> bool:
    """Return True if nothing is wider than the screen (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_drill_mode_is_one_switch_and_works_on_a_360_px_phone(
    browser, live_server, tree, operator_a, artifacts_dir, settings
):
    settings.GRASSROOTS_DEVICE_PLANE = "memory"
    for _ in range(2):
        make_cluster(tree.hamlet_a1)
    page = browser.new_page(viewport=SMALL_PHONE, locale="vi-VN")
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", operator_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/console/emergencies/")
    switch = page.locator("[data-testid=drill-switch]")
    assert switch.get_attribute("aria-checked") == "false"
    switch.click()
    page.wait_for_url(re.compile(r".*\?drill=1$"))
    switch = page.locator("[data-testid=drill-switch]")
    assert switch.get_attribute("aria-checked") == "true"
    assert "THỬ NGHIỆM" in page.inner_text(".emg-drill-banner")
    assert _fits(page)
    page.screenshot(
        path=os.path.join(artifacts_dir, "drills-switch-360.png"), full_page=True
    )

    # Now: two steps, then the live page, marked as a test.
    page.click("text=Diễn tập ngay hoặc lên lịch")
    drill_form = page.locator("[data-testid=drill-form]")
    drill_form.locator(f"input[name=areas][value='{tree.commune_a.pk}']").uncheck()
    drill_form.locator(f"input[name=areas][value='{tree.hamlet_a1.pk}']").check()
    assert not page.locator("input[name=first_date]").is_visible()
    page.click("button:has-text('Chuẩn bị diễn tập')")
    page.wait_for_selector("text=Kiểm tra lần diễn tập")
    assert page.locator("text=2 cụm loa").count()
    assert _fits(page)
    page.screenshot(
        path=os.path.join(artifacts_dir, "drills-confirm-360.png"), full_page=True
    )
    page.click("button:has-text('Diễn tập ngay')")
    page.wait_for_url(re.compile(r".*/console/emergencies/\d+/$"))
    drill = Emergency.objects.get()
    assert drill.drill and drill.title.startswith("THỬ NGHIỆM")
    assert "THỬ NGHIỆM" in page.inner_text(".emg-drill-banner")
    assert _fits(page)
    page.screenshot(
        path=os.path.join(artifacts_dir, "drills-live-360.png"), full_page=True
    )
    page.click("summary.emg-cancel")
    page.click("button.emg-cancel")
    page.wait_for_selector("#emg-actions [role=status]")
    assert Emergency.objects.get().state == State.CANCELLED

    # Planned: the date and time appear once "later" is chosen.
    page.goto(f"{live_server.url}/console/emergencies/drills/new/")
    assert page.locator(
        f"[data-testid=drill-form] input[name=areas][value='{tree.commune_a.pk}']"
    ).is_checked()
    page.check("input[name=when][value=later]")
    assert page.locator("input[name=first_date]").is_visible()
    day = timezone.localdate() + datetime.timedelta(days=2)
    page.fill("input[name=first_date]", day.strftime("%d/%m/%Y"))
    page.fill("input[name=first_time]", "09:00")
    page.check("input[name=recurrence][value=monthly]")
    assert _fits(page)
    page.screenshot(
        path=os.path.join(artifacts_dir, "drills-plan-360.png"), full_page=True
    )
    page.click("button:has-text('Chuẩn bị diễn tập')")
    page.wait_for_selector("[data-testid=runs]")
    page.click("button:has-text('Lên lịch diễn tập')")
    page.wait_for_url(re.compile(r".*\?drill=1$"))
    assert day.strftime("%d/%m/%Y 09:00") in page.inner_text("[data-testid=plans]")
    assert _fits(page)
    page.screenshot(
        path=os.path.join(artifacts_dir, "drills-planned-360.png"), full_page=True
    )
    page.goto("about:blank")
    page.close()
    time.sleep(1.5)
