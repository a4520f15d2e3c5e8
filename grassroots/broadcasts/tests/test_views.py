"""The broadcast console through the real views: schedule with clash check,
play now, pause, calendar; every page in Vietnamese, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grassroots.accounts.models import AuditEntry
from grassroots.broadcasts.models import ProgrammeSchedule
from grassroots.loudspeakers.models import Command
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user

from .builders import make_item, make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(tree, client):
    user = make_user("operator", tree.commune_a, username="phatthanh_a")
    client.force_login(user)
    return user


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def schedule_form(item, area, targets, **extra):
    data = {
        "item": item.pk,
        "area": area.pk,
        "rule": "once",
        "starts_on": tomorrow().strftime("%d/%m/%Y"),
        "at": "06:00",
        "window_minutes": 10,
        "repeat": 1,
        "gap_s": 0,
        "priority": "normal",
        "order": 0,
        "target_areas": [t.pk for t in targets],
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_scheduling_through_the_console_checks_clashes_first(
    client, tree, operator, outbox
):
    make_cluster(tree.hamlet_a1)
    existing = make_item(tree.commune_a, title="Bản tin sáng")
    make_schedule(existing, [tree.commune_a], starts_on=tomorrow())
    item = make_item(tree.commune_a, title="Thông báo họp dân")
    url = "/console/broadcasts/schedules/new/"
    response = client.post(url, schedule_form(item, tree.commune_a, [tree.hamlet_a1]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bản tin sáng" in page and "trùng giờ" in page
    assert ProgrammeSchedule.objects.count() == 1
    response = client.post(
        url,
        schedule_form(
            item, tree.commune_a, [tree.hamlet_a1], confirm_clashes="on", order="-1"
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = ProgrammeSchedule.objects.get(item=item)
    assert saved.order == -1 and list(saved.target_areas.all()) == [tree.hamlet_a1]
    assert AuditEntry.objects.filter(action="broadcasts.schedule_create").exists()
    page = client.get(
        f"/console/broadcasts/schedules/inspect/{saved.pk}/"
    ).content.decode()
    assert "06:00" in page and tomorrow().strftime("%d/%m/%Y") in page


def test_a_target_outside_the_area_cannot_be_chosen(client, tree, operator):
    item = make_item(tree.commune_a)
    response = client.post(
        "/console/broadcasts/schedules/new/",
        schedule_form(item, tree.commune_a, [tree.hamlet_b1]),
    )
    assert response.status_code == 200
    assert not ProgrammeSchedule.objects.exists()


def test_bad_input_is_refused_in_vietnamese_never_a_500(client, tree, operator):
    item = make_item(tree.commune_a)
    response = client.post(
        "/console/broadcasts/schedules/new/",
        schedule_form(
            item,
            tree.commune_a,
            [],
            rule="rrule",
            rrule="FREQ=BAO_GIO",
            starts_on="31/02/2025",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nhập một ngày hợp lệ" in page or "ngày" in page
    response = client.post(
        "/console/broadcasts/schedules/new/",
        schedule_form(item, tree.commune_a, [], rule="rrule", rrule="FREQ=BAO_GIO"),
    )
    page = response.content.decode()
    assert "Quy tắc lặp không hợp lệ" in page
    assert "Chọn nơi phát" in page


def test_play_now_from_the_console(client, tree, operator, outbox):
    make_cluster(tree.hamlet_a1)
    item = make_item(tree.commune_a, title="Tiếp sóng Đài tỉnh")
    url = f"/console/broadcasts/items/{item.pk}/play-now/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"areas": [tree.hamlet_a1.pk], "priority": "normal"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Command.objects.get().action == "play_now"
    response = client.post(url, {"areas": [tree.hamlet_b1.pk], "priority": "normal"})
    assert response.status_code == 200 and Command.objects.count() == 1


def test_pausing_from_the_console(client, tree, operator, outbox):
    schedule = make_schedule(make_item(tree.commune_a), [tree.commune_a])
    response = client.post(f"/console/broadcasts/schedules/{schedule.pk}/toggle/")
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert not schedule.is_active


def test_the_calendar_shows_a_day_or_a_week_of_one_commune(client, tree, operator):
    daily = make_item(tree.commune_a, title="Chương trình thời sự")
    make_schedule(daily, [tree.province], area=tree.province, at=datetime.time(17, 0))
    make_schedule(
        make_item(tree.commune_b, title="Chỉ ở phường Tân Mỹ"), [tree.commune_b]
    )
    url = f"/console/broadcasts/calendar/?commune={tree.commune_a.pk}&date=01/07/2025"
    page = client.get(url).content.decode()
    assert "Chương trình thời sự" in page and "17:00" in page
    assert "Tân Mỹ" not in page.split("<h2", 1)[1]
    assert "01/07/2025" in page
    week = client.get(url + "&days=7").content.decode()
    assert week.count("Chương trình thời sự") == 7
    assert "07/07/2025" in week
    bad = client.get("/console/broadcasts/calendar/?date=32/13/2025")
    assert bad.status_code == 200 and "dd/mm/yyyy" in bad.content.decode()
    other = client.get(f"/console/broadcasts/calendar/?commune={tree.other_commune.pk}")
    assert other.status_code == 404


def test_console_lists_and_forms_render(client, tree, operator):
    item = make_item(tree.commune_a)
    make_schedule(item, [tree.commune_a])
    for url in (
        "/console/broadcasts/items/",
        "/console/broadcasts/items/new/",
        f"/console/broadcasts/items/inspect/{item.pk}/",
        f"/console/broadcasts/items/edit/{item.pk}/",
        "/console/broadcasts/schedules/",
        "/console/broadcasts/schedules/new/",
        "/console/broadcasts/groups/",
        "/console/broadcasts/groups/new/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def item_form(area, **extra):
    data = {
        "title": "Nhạc hiệu buổi sáng",
        "area": area.pk,
        "source": "recording",
        "chime_before": "on",
        "chime_after": "on",
    }
    data.update(extra)
    return data


def test_a_recording_is_checked_by_its_content_and_its_duration_measured(
    client, tree, operator
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.broadcasts.models import ProgrammeItem
    from grassroots.bulletins.tests.builders import wav_bytes

    fake = SimpleUploadedFile("nhac-hieu.mp3", b"ID3\x03\x00" + b"junk" * 200)
    response = client.post(
        "/console/broadcasts/items/new/", item_form(tree.commune_a, recording=fake)
    )
    assert response.status_code == 200
    assert "nhac-hieu.mp3" in response.content.decode()
    assert not ProgrammeItem.objects.exists()

    real = SimpleUploadedFile("nhac-hieu.wav", wav_bytes(1.5))
    # A typed duration is replaced by the measured one.
    response = client.post(
        "/console/broadcasts/items/new/",
        item_form(tree.commune_a, recording=real, duration_s="999"),
    )
    assert response.status_code == 302
    item = ProgrammeItem.objects.get()
    assert item.duration_s == pytest.approx(1.5, abs=0.05)
    assert len(item.recording_sha256) == 64
    assert item.recording_bytes == item.recording.size
    stored = item.recording.name
    # Saving again without a new file keeps the stored one as it is.
    response = client.post(
        f"/console/broadcasts/items/edit/{item.pk}/",
        item_form(tree.commune_a, title="Nhạc hiệu", duration_s="1.5"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.recording.name) == ("Nhạc hiệu", stored)
