"""The demo CAP source of ``make run``: made once, with one warning waiting and its key."""

import pytest

from grassroots.cap import demo
from grassroots.cap.models import CapSource, Outcome, ReceivedAlert

pytestmark = pytest.mark.django_db


def test_the_demo_makes_a_source_and_a_waiting_warning_once(dong_thap, client):
    said = []
    demo.load(said.append)
    demo.load(said.append)
    assert CapSource.objects.count() == 1 and len(said) == 1
    alert = ReceivedAlert.objects.get()
    assert alert.outcome == Outcome.WAITING, alert.reason
    assert alert.areas.count() == 2
    assert demo.DEMO_CAP_KEY in "\n".join(demo.banner())
    response = client.post(
        "/api/v1/cap/alerts",
        data=b"<alert/>",
        content_type="application/cap+xml",
        HTTP_AUTHORIZATION=f"Bearer {demo.DEMO_CAP_KEY}",
    )
    assert response.status_code == 422
