"""The console's drill mode: one switch, start now or plan, cancel a plan."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.emergencies import actions
from grassroots.emergencies.models import DrillPlan, Emergency, PlanState
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user

from .test_actions import code_for
from .test_views import _hidden

pytestmark = pytest.mark.django_db

DRILL = "/console/emergencies/drills/new/"


def _form(area, **extra) -> dict:
    return {
        "step": "prepare",
        "areas": [area.pk],
        "title": "Diễn tập tháng 6",
        "text": "Kiểm tra loa.",
        "repeat": 1,
        "gap_s": 5,
        "duration_min": 15,
        "when": "now",
        "recurrence": "once",
        **extra,
    }


def test_the_switch_turns_the_console_into_drill_mode(client, tree, operator_a):
    client.force_login(operator_a)
    normal = client.get("/console/emergencies/").content.decode()
    assert 'role="switch" aria-checked="false"' in normal
    assert 'href="/console/emergencies/?drill=1"' in normal
    drill = client.get("/console/emergencies/?drill=1").content.decode()
    assert 'aria-checked="true"' in drill and "THỬ NGHIỆM" in drill
    assert DRILL in drill and "Chưa có lịch diễn tập nào." in drill
    # The real broadcast page has the switch too, leading to the drill page.
    start = client.get("/console/emergencies/new/").content.decode()
    assert f'href="{DRILL}"' in start
    page = client.get(DRILL).content.decode()
    assert 'aria-checked="true"' in page and "Chế độ diễn tập" in page


def test_start_a_drill_now_in_two_steps_and_see_it_marked_live(
    client, tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    make_cluster(tree.hamlet_a1)
    make_cluster(tree.hamlet_a2)
    client.force_login(operator_a)
    prepared = client.post(DRILL, _form(tree.hamlet_a1))
    html = prepared.content.decode()
    assert prepared.status_code == 200
    assert "Kiểm tra lần diễn tập" in html and "<audio" in html
    assert "1 cụm loa" in html and "Bắt đầu ngay." in html
    assert "Đây là bản tin thử nghiệm hệ thống cảnh báo." in html
    assert not Emergency.objects.exists(), "nothing airs before the confirmation"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            DRILL,
            {
                **_form(tree.hamlet_a1),
                "step": "confirm",
                "audio": _hidden(html, "audio"),
            },
        )
    drill = Emergency.objects.get()
    assert drill.drill and done.url == f"/console/emergencies/{drill.pk}/"
    live = client.get(done.url).content.decode()
    assert "THỬ NGHIỆM" in live and "Hủy diễn tập" in live
    assert f"/console/emergencies/{drill.pk}/report/" in live
    listing = client.get("/console/emergencies/").content.decode()
    assert "emg-drill-tag" in listing, "drills stand out in the whole history"


def test_several_areas_chosen_survive_the_confirmation(
    client, tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    client.force_login(operator_a)
    form = _form(tree.hamlet_a1, areas=[tree.hamlet_a1.pk, tree.hamlet_a2.pk])
    html = client.post(DRILL, form).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(DRILL, {**form, "step": "confirm", "audio": _hidden(html, "audio")})
    drill = Emergency.objects.get()
    assert set(drill.target_areas.all()) == {tree.hamlet_a1, tree.hamlet_a2}


def test_plan_a_monthly_drill_see_the_next_runs_and_cancel_it(
    client, tree, operator_a, outbox
):
    client.force_login(operator_a)
    day = timezone.localdate() + datetime.timedelta(days=3)
    form = _form(
        tree.commune_a,
        when="later",
        first_date=day.strftime("%d/%m/%Y"),
        first_time="09:00",
        recurrence="monthly",
    )
    html = client.post(DRILL, form).content.decode()
    assert 'data-testid="runs"' in html and "09:00" in html
    assert day.strftime("%d/%m/%Y") in html
    done = client.post(
        DRILL, {**form, "step": "confirm", "audio": _hidden(html, "audio")}
    )
    assert done.status_code == 302 and done.url == "/console/emergencies/?drill=1"
    plan = DrillPlan.objects.get()
    assert plan.recurrence == "monthly" and plan.rrule.startswith("FREQ=MONTHLY")
    assert not Emergency.objects.exists()
    listing = client.get(done.url).content.decode()
    assert "Diễn tập tháng 6" in listing and day.strftime("%d/%m/%Y 09:00") in listing
    cancel = f"/console/emergencies/drills/{plan.pk}/cancel/"
    assert cancel in listing
    assert client.get(cancel).status_code == 200
    assert client.post(cancel).status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.CANCELLED


def test_bad_input_gets_vietnamese_errors_and_stores_nothing(
    client, tree, operator_a, outbox
):
    client.force_login(operator_a)
    cases = [
        (_form(tree.hamlet_a1, when="later"), "Hãy chọn ngày diễn tập."),
        (
            _form(tree.hamlet_a1, areas=[]),
            "Hãy chọn ít nhất một địa bàn hoặc một cụm loa.",
        ),
        (_form(tree.commune_b), "lựa chọn hợp lệ"),  # another commune: not a choice
        (_form(tree.hamlet_a1, duration_min=9999), "240"),
        (_form(tree.hamlet_a1, repeat=50, duration_min=1), "phút"),
        (
            _form(
                tree.hamlet_a1,
                when="later",
                first_date="01/01/2001",
                first_time="09:00",
            ),
            "tương lai",
        ),
        (_form(tree.hamlet_a1, first_date="99999-01-01", when="later"), "ngày"),
    ]
    for data, words in cases:
        response = client.post(DRILL, data)
        html = response.content.decode()
        assert response.status_code == 200, data
        assert words in html, (words, data)
    assert not Emergency.objects.exists() and not DrillPlan.objects.exists()


def test_the_second_factor_is_asked_at_the_confirmation(
    client, tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    device = TOTPDevice.objects.create(user=operator_a, name="phone", confirmed=True)
    client.force_login(operator_a)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    html = client.post(DRILL, _form(tree.hamlet_a1)).content.decode()
    assert 'name="otp"' in html
    confirm = {
        **_form(tree.hamlet_a1),
        "step": "confirm",
        "audio": _hidden(html, "audio"),
    }
    refused = client.post(DRILL, {**confirm, "otp": "000000"})
    assert refused.status_code == 200 and not Emergency.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(DRILL, {**confirm, "otp": code_for(device)})
    assert Emergency.objects.get().drill


def test_who_may_start_and_see_drills(
    client, tree, people, operator_a, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        drill = actions.start_drill(operator_a, areas=[tree.hamlet_a1])
    plan = actions.plan_drill(
        operator_a,
        first_at=timezone.now() + datetime.timedelta(days=1),
        areas=[tree.hamlet_a1],
    )
    client.force_login(people.editor_a)
    # Refused (Wagtail sends a refused page back to the console's home).
    assert client.get(DRILL).status_code in (302, 403)
    refused = client.get(f"/console/emergencies/drills/{plan.pk}/cancel/")
    assert refused.status_code in (302, 403)
    assert not getattr(refused, "url", "").endswith("cancel/")
    assert client.get(f"/console/emergencies/{drill.pk}/").status_code == 200
    listing = client.get("/console/emergencies/?drill=1").content.decode()
    assert plan.title in listing and DRILL not in listing
    client.force_login(make_user("operator", tree.commune_b))
    assert (
        client.get(f"/console/emergencies/drills/{plan.pk}/cancel/").status_code == 404
    )
    assert (
        plan.title not in client.get("/console/emergencies/?drill=1").content.decode()
    )
