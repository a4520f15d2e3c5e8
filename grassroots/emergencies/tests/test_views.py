"""The console: broadcast in two steps, the live page from the devices' acks, cancel, update."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.emergencies import actions
from grassroots.emergencies.models import Emergency, State
from grassroots.loudspeakers.models import Ack, ClusterStatus
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user

from .test_actions import code_for

pytestmark = pytest.mark.django_db


def _ack(cluster, emergency, status="ok", version=None):
    Ack.objects.create(
        cluster=cluster,
        ref_type="emergency",
        ref=emergency.item_id,
        version=emergency.rev if version is None else version,
        status=status,
        at=timezone.now(),
    )


def _online(cluster, online=True):
    ClusterStatus.objects.update_or_create(cluster=cluster, defaults={"online": online})


def _prepare(client, flood, area, **extra):
    return client.post(
        "/console/emergencies/new/",
        {
            "step": "prepare",
            "bulletin": flood.pk,
            "areas": [area.pk],
            "repeat": 3,
            "gap_s": 5,
            "text": "",
            **extra,
        },
    )


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_broadcast_in_two_steps_hearing_the_audio_first(
    client, tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    make_cluster(tree.hamlet_a1)
    make_cluster(tree.hamlet_a1)
    client.force_login(operator_a)
    page = client.get("/console/emergencies/")
    assert "Phát khẩn cấp" in page.content.decode()
    prepared = _prepare(client, flood, tree.hamlet_a1)
    html = prepared.content.decode()
    assert prepared.status_code == 200
    assert "<audio" in html and "2 cụm loa" in html
    assert not Emergency.objects.exists(), "nothing airs before the confirmation"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/console/emergencies/new/",
            {
                "step": "confirm",
                "bulletin": flood.pk,
                "areas": [tree.hamlet_a1.pk],
                "repeat": 3,
                "gap_s": 5,
                "text": "",
                "audio": _hidden(html, "audio"),
            },
        )
    emergency = Emergency.objects.get()
    assert done.status_code == 302 and done.url.endswith(f"/{emergency.pk}/")
    assert emergency.audio_id == int(_hidden(html, "audio"))
    assert any(m.topic.endswith("/emergency") for m in outbox.messages)


def test_the_confirmation_asks_for_the_code_of_a_user_with_a_device(
    client, tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    device = TOTPDevice.objects.create(user=operator_a, name="phone", confirmed=True)
    client.force_login(operator_a)
    session = client.session  # signed in with the code already
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    html = _prepare(client, flood, tree.hamlet_a1).content.decode()
    assert 'name="otp"' in html
    data = {
        "step": "confirm",
        "bulletin": flood.pk,
        "areas": [tree.hamlet_a1.pk],
        "repeat": 3,
        "gap_s": 5,
        "audio": _hidden(html, "audio"),
    }
    wrong = client.post("/console/emergencies/new/", {**data, "otp": "123"})
    assert wrong.status_code == 200 and not Emergency.objects.exists()
    assert "error-message" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/console/emergencies/new/", {**data, "otp": code_for(device)})
    assert Emergency.objects.filter(state=State.ACTIVE).count() == 1


def test_out_of_area_choices_are_refused_not_a_500(client, tree, flood, operator_a):
    client.force_login(operator_a)
    page = _prepare(client, flood, tree.hamlet_b1)
    assert page.status_code == 200
    assert "error-message" in page.content.decode()
    assert not Emergency.objects.exists()
    bad = client.post("/console/emergencies/new/", {"step": "prepare", "repeat": "x"})
    assert bad.status_code == 200


def test_the_live_page_counts_acks_and_names_who_is_missing(
    client, tree, flood, operator_a, outbox
):
    a, b, c, d = (make_cluster(tree.hamlet_a1) for _ in range(4))
    emergency = actions.start(None, flood, areas=[tree.hamlet_a1])
    _ack(a, emergency)
    _ack(b, emergency, version=0)  # an older rev does not count
    _online(b)
    _online(c)
    _online(d, online=False)
    client.force_login(operator_a)
    status = client.get(f"/console/emergencies/{emergency.pk}/status/")
    html = status.content.decode()
    assert re.search(r'data-testid="acked"><span class="emg-number">1</span> / 4', html)
    assert "chưa xác nhận: 2" in html  # b and c are online
    assert "Mất kết nối: 1" in html
    assert c.code in html and d.code in html and a.code not in html
    page = client.get(f"/console/emergencies/{emergency.pk}/")
    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert "core/vendor/htmx.min.js" in page.content.decode()


def test_cancel_and_update_from_the_console(
    client, tree, flood, operator_a, outbox, django_capture_on_commit_callbacks
):
    emergency = actions.start(None, flood, areas=[tree.hamlet_a1])
    client.force_login(operator_a)
    form = client.get(f"/console/emergencies/{emergency.pk}/update/")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/console/emergencies/{emergency.pk}/update/",
            {"text": "Nước lên nhanh, di dời ngay.", "repeat": 5, "gap_s": 2},
        )
    emergency.refresh_from_db()
    assert emergency.rev == 2 and emergency.repeat == 5
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/console/emergencies/{emergency.pk}/cancel/")
    assert done.status_code == 302
    emergency.refresh_from_db()
    assert emergency.state == State.CANCELLED


def test_other_areas_see_nothing(client, tree, flood, outbox):
    emergency = actions.start(None, flood, areas=[tree.hamlet_a1])
    client.force_login(make_user("operator", tree.commune_b))
    assert client.get(f"/console/emergencies/{emergency.pk}/").status_code == 404
    assert (
        client.post(f"/console/emergencies/{emergency.pk}/cancel/").status_code == 404
    )
    viewer = make_user("viewer", tree.commune_a)
    client.force_login(viewer)
    assert client.get(f"/console/emergencies/{emergency.pk}/").status_code == 200
    # Refused: the console sends a viewer back to its home page.
    refused = client.post(f"/console/emergencies/{emergency.pk}/cancel/")
    assert (
        refused.status_code in (302, 403)
        and refused.get("Location") != "/console/emergencies/1/"
    )
    assert client.get("/console/emergencies/new/").status_code in (302, 403)
    assert Emergency.objects.get().state == State.ACTIVE
