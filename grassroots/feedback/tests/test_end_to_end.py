"""The issue's "done when", end to end over real HTTP with an Open311 client.

A citizen sends feedback on the form and through an Open311 client (the
``georeport`` package, unchanged), follows it by code; the right commune's
handler answers before the deadline and it counts as handled on time; a
late one escalates.
"""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from georeport import GeoReport

from .. import actions, stats, tasks
from ..models import Feedback, Notification
from .builders import DESCRIPTION, category

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizens_follow_and_handlers_answer_on_time(
    live_server, place, handler_a, province_handler, client
):
    _app, key = actions.create_api_client(province_handler, name="Ứng dụng tỉnh")
    root = f"{live_server.url}/open311/v2"
    jurisdiction = place.province.code

    # 1. On the public form.
    response = client.post(
        "/phan-anh/",
        {
            "category": category().pk,
            "description": DESCRIPTION,
            "commune": place.commune_a.pk,
            "hamlet": place.hamlet_a2.pk,
            "email": "dan@example.org",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    web_code = response["Location"].split("/")[2]

    # 2. Through an Open311 client: georeport reads, a plain POST creates (as the spec says).
    for fmt in ("json", "xml"):
        geo = GeoReport(root, jurisdiction=jurisdiction, output_format=fmt)
        services = geo.get_service_list()
        assert "duong-sa" in {s["service_code"] for s in services}
        assert geo.get_service_definition("duong-sa")["service_code"] == "duong-sa"
    created = requests.post(
        f"{root}/requests.json",
        data={
            "jurisdiction_id": jurisdiction,
            "api_key": key,
            "service_code": "moi-truong",
            "description": "Rác tập kết đầu hẻm ba ngày chưa thu gom, bốc mùi hôi thối.",
            "lat": "10.392",
            "long": "105.591",
            "phone": "0912345678",
        },
        timeout=10,
    )
    assert created.status_code == 201
    app_code = created.json()[0]["service_request_id"]

    # 3. Both follow by code; both went to commune A.
    geo = GeoReport(root, jurisdiction=jurisdiction)
    for code in (web_code, app_code):
        assert geo.get_service_request(code)["status"] == "open"
        assert Feedback.objects.get(code=code).area == place.commune_a
    page = requests.get(f"{live_server.url}/phan-anh/{web_code}/", timeout=10)
    assert page.status_code == 200 and "Xã An Bình" in page.text

    # 4. Commune A's handler answers both before the deadline.
    for code in (web_code, app_code):
        item = Feedback.objects.get(code=code)
        actions.start(handler_a, item)
        actions.answer(handler_a, item, "Đã xử lý xong, cảm ơn bà con.")
    answered = geo.get_service_request(app_code)
    assert answered["status"] == "closed"
    assert answered["status_notes"] == "Đã xử lý xong, cảm ơn bà con."
    xml = GeoReport(root, jurisdiction=jurisdiction, output_format="xml")
    assert xml.get_service_request(web_code)["status"] == "closed"
    # received, in progress, answered
    assert Notification.objects.filter(recipient="dan@example.org").count() == 3

    # 5. They count as handled on time.
    today = timezone.localdate()
    figures = stats.summary(place.province, today - timedelta(days=1), today)
    assert (figures.received, figures.handled_on_time, figures.handled_late) == (
        2,
        2,
        0,
    )
    assert figures.handled_rate == 1.0
    assert figures.by_channel["web"].handled_on_time == 1
    assert figures.by_channel["open311"].handled_on_time == 1


def test_a_late_one_escalates(place, handler_a, province_handler):
    from .builders import submit

    item = submit(place)
    Feedback.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    tasks.check_deadlines.call_local()
    item.refresh_from_db()
    assert item.escalated_to == place.province
    assert Notification.objects.filter(recipient="tinh@example.org").exists()
    today = timezone.localdate()
    figures = stats.summary(place.province, today - timedelta(days=1), today)
    assert figures.overdue_open == 1 and figures.handled == 0
