"""CAP out: what airs is published as signed CAP 1.2, and comes back in as the same alert."""

from __future__ import annotations

import pytest
from lxml import etree

from grassroots.bulletins import actions as bulletins
from grassroots.bulletins.tests.builders import make_people, make_published
from grassroots.cap import actions, outbound, xmlcap
from grassroots.cap.models import Kind, OutboundAlert, Outcome, Policy
from grassroots.emergencies import actions as emergencies
from grassroots.emergencies.models import Emergency
from grassroots.testing import make_user

from . import samples
from .conftest import make_source

pytestmark = pytest.mark.django_db

CAP = {"cap": xmlcap.CAP_NS}


@pytest.fixture
def aired(dong_thap, outbox, django_capture_on_commit_callbacks):
    """A flood warning aired automatically from a CAP source, then its emergency."""
    source = make_source(dong_thap.province, policies={"Lũ": Policy.EMERGENCY_AUTO})
    with django_capture_on_commit_callbacks(execute=True):
        alert = actions.receive(source, samples.flood())
    return Emergency.objects.get(bulletin=alert.bulletin)


def _messages(kind=Kind.EMERGENCY):
    return list(OutboundAlert.objects.filter(kind=kind).order_by("sent", "pk"))


def test_an_emergency_is_published_valid_and_signed(aired, client, dong_thap):
    assert outbound.sync() == 1
    [message] = _messages()
    assert message.msg_type == "Alert"
    root = xmlcap.parse(message.xml.encode())
    xmlcap.validate(root)  # the vendored OASIS schema
    signed = xmlcap.verify(root, outbound.certificate())
    assert signed.findtext("cap:info/cap:language", namespaces=CAP) == "vi-VN"
    assert signed.findtext("cap:info/cap:headline", namespaces=CAP) == (
        "Báo động lũ cấp III trên sông Tiền"
    )
    values = signed.xpath("//cap:geocode/cap:value/text()", namespaces=CAP)
    assert set(values) == {"29869", "30001/A1"}
    # Ấp 1 has a point: a circle around it for systems without our codes.
    assert signed.xpath("//cap:circle/text()", namespaces=CAP)
    response = client.get(f"/cap/alerts/{message.pk}.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml"
    assert response.content == message.xml.encode()


def test_polygons_come_from_area_boundaries(aired, dong_thap):
    dong_thap.cao_lanh.boundary = {
        "type": "Polygon",
        "coordinates": [
            [[105.6, 10.44], [105.66, 10.44], [105.66, 10.48], [105.6, 10.44]]
        ],
    }
    dong_thap.cao_lanh.save()
    outbound.sync()
    root = xmlcap.parse(_messages()[0].xml.encode())
    xmlcap.validate(root)
    assert root.xpath("//cap:polygon/text()", namespaces=CAP) == [
        "10.440000,105.600000 10.440000,105.660000 10.480000,105.660000 "
        "10.440000,105.600000"
    ]


def test_a_change_is_an_update_and_a_cancellation_a_cancel(
    aired, dong_thap, django_capture_on_commit_callbacks
):
    outbound.sync()
    with django_capture_on_commit_callbacks(execute=True):
        emergencies.update(None, aired, text="Nước đã lên 4,70 m.")
    assert outbound.sync() == 1
    assert outbound.sync() == 0  # a version is published once
    with django_capture_on_commit_callbacks(execute=True):
        emergencies.cancel(None, Emergency.objects.get(pk=aired.pk))
    outbound.sync()
    first, update, cancel = _messages()
    assert [m.msg_type for m in (first, update, cancel)] == [
        "Alert",
        "Update",
        "Cancel",
    ]
    for message in (update, cancel):
        root = xmlcap.parse(message.xml.encode())
        xmlcap.validate(root)
        references = root.findtext("cap:references", namespaces=CAP)
        assert first.identifier in references
    assert update.identifier in etree.fromstring(cancel.xml.encode()).findtext(
        "cap:references", namespaces=CAP
    )


def test_drills_are_never_published(dong_thap, outbox):
    operator = make_user("operator", dong_thap.province, username="op_drill")
    emergencies.start_drill(operator, areas=[dong_thap.cao_lanh], title="Diễn tập")
    assert outbound.sync() == 0


def test_a_priority_bulletin_is_published_and_withdrawn(dong_thap, client):
    from grassroots.testing import Tree

    tree = Tree(
        province=dong_thap.province,
        commune_a=dong_thap.cao_lanh,
        commune_b=dong_thap.my_tho,
        hamlet_a1=dong_thap.khom_1,
        hamlet_a2=dong_thap.khom_2,
        hamlet_b1=dong_thap.kp_1,
        hamlet_b2=dong_thap.kp_1,
        other_province=dong_thap.tay_ninh,
        other_commune=dong_thap.tay_ninh_commune,
    )
    people = make_people(tree)
    bulletin = make_published(
        people.editor_a,
        people.approver_a,
        dong_thap.cao_lanh,
        level="priority",
        title="Lịch xả lũ hồ Dầu Tiếng",
    )
    assert outbound.sync() == 1
    bulletins.withdraw(people.approver_a, bulletin, reason="Nhầm lịch")
    assert outbound.sync() == 1
    alert, cancel = _messages(Kind.BULLETIN)
    assert (alert.msg_type, cancel.msg_type) == ("Alert", "Cancel")
    feed = client.get("/cap/alerts.atom")
    assert feed.status_code == 200
    assert feed["Content-Type"] == "application/atom+xml"
    root = etree.fromstring(feed.content)
    links = root.xpath(
        "//a:entry/a:link/@href", namespaces={"a": "http://www.w3.org/2005/Atom"}
    )
    assert f"https://canhbao.dongthap.test/cap/alerts/{cancel.pk}.xml" in links


def test_what_goes_out_comes_back_in_as_the_same_alert(aired, dong_thap):
    """Round trip: our signed message, received by a source trusting our certificate."""
    outbound.sync()
    [message] = _messages()
    mirror = make_source(
        dong_thap.province,
        name="Hệ thống tỉnh (phản chiếu)",
        require_signature=True,
        certificate=outbound.certificate(),
        policies={"Thiên tai": Policy.EMERGENCY_DRAFT},
    )
    back = actions.receive(mirror, message.xml.encode())
    assert back.outcome == Outcome.WAITING, back.reason
    assert back.signed and back.msg_type == "Alert"
    assert back.headline == aired.title
    assert back.text.startswith(aired.title)
    assert aired.text.split("\n\n")[1] in back.text
    assert set(back.areas.all()) == set(aired.target_areas.all())
    assert back.expires == aired.expires_at
    assert back.bulletin.level == aired.bulletin.level
    assert back.event == aired.bulletin.category.name
