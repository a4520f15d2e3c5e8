"""CAP alerts in: checked, mapped to our areas, and turned into what the policy says."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.bulletins.models import Bulletin, Level, Status
from grassroots.cap import actions
from grassroots.cap.models import Outcome, Policy, ReceivedAlert
from grassroots.emergencies.models import Emergency, State
from grassroots.testing import make_user

from . import samples
from .conftest import make_signer, make_source

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def operator(dong_thap):
    user = make_user("operator", dong_thap.province, username="op_dt")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    user.device = device
    return user


def receive(source, raw):
    return actions.receive(source, raw)


# Where ---------------------------------------------------------------------------


def test_a_storm_warning_naming_communes_by_code_waits_for_one_confirmation(
    source, dong_thap, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alert = receive(source, samples.storm())
    assert alert.outcome == Outcome.WAITING, alert.reason
    assert set(alert.areas.all()) == {dong_thap.cao_lanh, dong_thap.my_tho}
    assert alert.area == dong_thap.province
    bulletin = alert.bulletin
    assert bulletin.level == Level.EMERGENCY and bulletin.status == Status.DRAFT
    assert bulletin.title == "Cảnh báo bão số 5"
    assert "neo đậu tàu thuyền" in bulletin.body
    assert not Emergency.objects.exists()  # nothing airs before a person decides


def test_a_flood_polygon_on_song_tien_maps_to_the_hamlets_inside_it(source, dong_thap):
    alert = receive(source, samples.flood())
    assert alert.outcome == Outcome.WAITING, alert.reason
    # Both khóm of Cao Lãnh lie inside: the commune whole; of Thường Phước
    # only Ấp 1 (Ấp 2 is north of the river); Tràm Chim is inland.
    assert set(alert.areas.all()) == {dong_thap.cao_lanh, dong_thap.ap_1}
    alert.refresh_from_db()
    assert alert.shapes["polygons"][0][0] == [10.87, 105.20]


def test_an_unknown_geocode_alone_is_refused_with_the_code_named(source):
    raw = samples.alert("KTTV-DT-X1", areas=samples.area("?", geocodes=("99999",)))
    alert = receive(source, raw)
    assert alert.outcome == Outcome.REFUSED and alert.code == "no_area"
    assert "99999" in alert.reason
    assert alert.bulletin is None


def test_an_unknown_geocode_beside_known_ones_is_noted_not_fatal(source, dong_thap):
    raw = samples.alert(
        "KTTV-DT-X2", areas=samples.area("?", geocodes=("99999", "29869"))
    )
    alert = receive(source, raw)
    assert alert.outcome == Outcome.WAITING
    assert list(alert.areas.all()) == [dong_thap.cao_lanh]
    assert "99999" in alert.reason


def test_areas_of_another_province_are_left_out(source, dong_thap):
    raw = samples.alert("KTTV-DT-X3", areas=samples.area("?", geocodes=("27500",)))
    alert = receive(source, raw)
    assert alert.outcome == Outcome.REFUSED and "27500" in alert.reason


# Refusals --------------------------------------------------------------------------


def test_an_expired_alert_is_refused(source):
    alert = receive(source, samples.storm(expires_in=-5, sent_delta=-120))
    assert alert.outcome == Outcome.REFUSED and alert.code == "expired"
    assert not Bulletin.objects.exists()


def test_the_same_alert_twice_is_refused_as_a_duplicate(source):
    first = receive(source, samples.storm())
    second = receive(source, samples.storm())
    assert first.outcome == Outcome.WAITING
    assert second.outcome == Outcome.REFUSED and second.code == "duplicate"
    assert Bulletin.objects.count() == 1


def test_an_alert_that_breaks_the_schema_is_refused(source):
    raw = samples.storm().replace(b"<status>Actual</status>", b"<status>Real</status>")
    alert = receive(source, raw)
    assert alert.outcome == Outcome.REFUSED and alert.code == "invalid"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (samples.BILLION_LAUGHS, "forbidden_xml"),
        (samples.XXE, "forbidden_xml"),
        (b"<alert", "not_xml"),
        (b"", "not_xml"),
        (b"<a>" * 300 + b"</a>" * 300, "not_xml"),  # deeper than lxml allows
        (b"<a>" * 100 + b"</a>" * 100, "not_cap"),
        (b"<x>" + b"A" * (600 * 1024) + b"</x>", "too_large"),
        ("<rss/>".encode("utf-16"), "not_cap"),
    ],
)
def test_hostile_or_broken_xml_is_refused_with_its_reason(source, raw, code):
    alert = receive(source, raw)
    assert alert.outcome == Outcome.REFUSED
    assert alert.code == code, alert.reason
    assert "root:" not in alert.xml  # no file was read into the record


# Signatures --------------------------------------------------------------------------


@pytest.fixture
def signed_source(dong_thap, signer):
    return make_source(
        dong_thap.province,
        name="Ban chỉ huy PCTT",
        require_signature=True,
        certificate=signer.cert_pem,
    )


def test_a_source_that_must_sign_has_its_signed_alerts_accepted(signed_source, signer):
    alert = receive(signed_source, signer.sign(samples.storm()))
    assert alert.outcome == Outcome.WAITING, alert.reason
    assert alert.signed


def test_an_unsigned_alert_is_refused_where_signatures_are_required(signed_source):
    alert = receive(signed_source, samples.storm())
    assert alert.outcome == Outcome.REFUSED and alert.code == "unsigned"


def test_a_bad_signature_is_refused(signed_source, signer):
    forged = make_signer("Kẻ giả mạo").sign(samples.storm("F1"))
    assert receive(signed_source, forged).code == "bad_signature"
    tampered = signer.sign(samples.storm("F2")).replace(b"Immediate", b"Expected")
    assert receive(signed_source, tampered).code == "bad_signature"
    assert not Bulletin.objects.exists()


def test_a_bad_signature_is_refused_even_where_none_is_required(dong_thap, signer):
    source = make_source(dong_thap.province, certificate=signer.cert_pem)
    tampered = signer.sign(samples.storm()).replace(b"Observed", b"Likely")
    assert receive(source, tampered).code == "bad_signature"


def test_a_source_cannot_require_signatures_without_a_certificate(dong_thap):
    with pytest.raises(ValidationError):
        make_source(dong_thap.province, require_signature=True)


# Policies ----------------------------------------------------------------------------


def test_confirming_with_the_second_factor_puts_the_warning_on_the_air(
    source, dong_thap, operator, outbox, django_capture_on_commit_callbacks
):
    alert = receive(source, samples.storm())
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm(operator, alert, otp=code_for(operator.device))
    alert.refresh_from_db()
    assert alert.outcome == Outcome.AIRED and alert.decided_by == operator
    emergency = Emergency.objects.get(bulletin=alert.bulletin)
    assert emergency.state == State.ACTIVE
    assert set(emergency.target_areas.all()) == {dong_thap.cao_lanh, dong_thap.my_tho}
    assert "Bão số 5 đổ bộ" in emergency.text
    assert emergency.audio.text  # the Vietnamese text was spoken


def test_confirming_needs_a_fresh_code_and_the_area(source, dong_thap, operator):
    alert = receive(source, samples.storm())
    with pytest.raises(ValidationError):
        actions.confirm(operator, alert, otp="000000")
    no_device = make_user("operator", dong_thap.province, username="op_nodev")
    with pytest.raises(PermissionDenied):
        actions.confirm(no_device, alert, otp="123456")
    outsider = make_user("operator", dong_thap.tay_ninh, username="op_tn")
    TOTPDevice.objects.create(user=outsider, name="p", confirmed=True)
    with pytest.raises(PermissionDenied):
        actions.confirm(outsider, alert, otp="123456")
    viewer = make_user("viewer", dong_thap.province, username="viewer_dt")
    with pytest.raises(PermissionDenied):
        actions.confirm(viewer, alert, otp="123456")
    alert.refresh_from_db()
    assert alert.outcome == Outcome.WAITING
    assert not Emergency.objects.exists()


def test_setting_a_warning_aside_needs_a_reason_and_airs_nothing(source, operator):
    alert = receive(source, samples.storm())
    with pytest.raises(ValidationError):
        actions.dismiss(operator, alert, reason=" ")
    actions.dismiss(operator, alert, reason="Đã có bản tin của tỉnh")
    alert.refresh_from_db()
    assert alert.outcome == Outcome.DISMISSED and "Đã có bản tin" in alert.reason
    with pytest.raises(ValidationError):
        actions.confirm(operator, alert, otp=code_for(operator.device))


def test_airing_without_a_person_only_for_the_event_set_so(
    dong_thap, outbox, django_capture_on_commit_callbacks
):
    source = make_source(dong_thap.province, policies={"Lũ": Policy.EMERGENCY_AUTO})
    with django_capture_on_commit_callbacks(execute=True):
        storm = receive(source, samples.storm())
        flood = receive(source, samples.flood())
    assert storm.outcome == Outcome.WAITING
    assert flood.outcome == Outcome.AIRED
    emergency = Emergency.objects.get()
    assert emergency.bulletin == flood.bulletin and emergency.started_by is None
    assert set(emergency.target_areas.all()) == {dong_thap.cao_lanh, dong_thap.ap_1}


def test_no_source_airs_without_a_person_by_default(dong_thap):
    with pytest.raises(ValidationError):
        make_source(dong_thap.province, default_policy=Policy.EMERGENCY_AUTO)


def test_a_priority_policy_sends_a_bulletin_for_approval(dong_thap):
    source = make_source(dong_thap.province, policies={"bão": Policy.PRIORITY})
    alert = receive(source, samples.storm())
    assert alert.outcome == Outcome.FOR_APPROVAL
    bulletin = Bulletin.objects.get(pk=alert.bulletin_id)
    assert bulletin.level == Level.PRIORITY and bulletin.status == Status.SUBMITTED


def test_information_only_makes_no_bulletin(dong_thap):
    source = make_source(dong_thap.province, default_policy=Policy.INFORMATION)
    alert = receive(source, samples.storm())
    assert alert.outcome == Outcome.INFORMATION and alert.bulletin is None


def test_a_test_message_is_information_only(source):
    alert = receive(source, samples.storm(status="Test"))
    assert alert.outcome == Outcome.INFORMATION and "Test" in alert.reason
    assert not Bulletin.objects.exists()


def test_another_language_stays_a_draft_for_translation(
    dong_thap, django_capture_on_commit_callbacks
):
    source = make_source(dong_thap.province, policies={"Storm": Policy.EMERGENCY_AUTO})
    with django_capture_on_commit_callbacks(execute=True):
        alert = receive(
            source,
            samples.storm(language="en-US", event="Storm", headline="Storm No. 5"),
        )
    assert alert.outcome == Outcome.TRANSLATION
    assert alert.bulletin.status == Status.DRAFT
    assert not Emergency.objects.exists()


def test_the_vietnamese_info_is_chosen_among_several(source):
    raw = samples.storm()
    english = (
        b"<info><language>en-US</language><category>Met</category>"
        b"<event>Storm</event><urgency>Immediate</urgency><severity>Severe</severity>"
        b"<certainty>Observed</certainty><headline>Storm No. 5</headline></info>"
    )
    raw = raw.replace(b"<info>", english + b"<info>", 1)
    alert = receive(source, raw)
    assert alert.language == "vi-VN" and alert.headline == "Cảnh báo bão số 5"


# Update and Cancel ----------------------------------------------------------------------


def test_an_update_replaces_the_words_of_a_waiting_warning(source, dong_thap):
    first = receive(source, samples.storm("S1"))
    update = receive(
        source,
        samples.storm(
            "S2",
            msg_type="Update",
            references=samples.reference("S1", first.sent.isoformat()),
            headline="Bão số 5 đổi hướng về Mỹ Tho",
        ),
    )
    first.refresh_from_db()
    assert first.outcome == Outcome.SUPERSEDED
    assert update.outcome == Outcome.WAITING and update.replaces == first
    assert update.bulletin_id == first.bulletin_id
    latest = Bulletin.objects.get(pk=first.bulletin_id).get_latest_revision_as_object()
    assert latest.title == "Bão số 5 đổi hướng về Mỹ Tho"


def test_an_update_of_an_automatic_warning_changes_what_airs(
    dong_thap, outbox, django_capture_on_commit_callbacks
):
    source = make_source(dong_thap.province, policies={"Lũ": Policy.EMERGENCY_AUTO})
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(source, samples.flood("L1"))
    emergency = Emergency.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        update = receive(
            source,
            samples.flood(
                "L2",
                msg_type="Update",
                references=samples.reference("L1", first.sent.isoformat()),
                description="Mực nước sông Tiền tại Tân Châu 4,60 m, trên báo động III.",
            ),
        )
    assert update.outcome == Outcome.UPDATED
    emergency.refresh_from_db()
    assert emergency.state == State.ACTIVE and "4,60 m" in emergency.text
    assert emergency.rev == 2


def test_a_cancel_stops_the_emergency_and_withdraws_the_bulletin(
    source, operator, outbox, django_capture_on_commit_callbacks
):
    first = receive(source, samples.storm("S1"))
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm(operator, first, otp=code_for(operator.device))
    with django_capture_on_commit_callbacks(execute=True):
        cancel = receive(
            source,
            samples.storm(
                "S3",
                msg_type="Cancel",
                references=samples.reference("S1", first.sent.isoformat()),
            ),
        )
    assert cancel.outcome == Outcome.CANCELLED
    first.refresh_from_db()
    assert first.outcome == Outcome.CANCELLED
    assert Bulletin.objects.get(pk=first.bulletin_id).status == Status.WITHDRAWN
    assert Emergency.objects.get().state == State.CANCELLED


def test_a_cancel_of_a_waiting_warning_closes_it(source):
    first = receive(source, samples.storm("S1"))
    receive(
        source,
        samples.storm(
            "S4",
            msg_type="Cancel",
            references=samples.reference("S1", first.sent.isoformat()),
        ),
    )
    first.refresh_from_db()
    assert first.outcome == Outcome.CANCELLED


def test_a_cancel_of_nothing_received_is_only_information(source):
    alert = receive(
        source,
        samples.storm(
            "S5", msg_type="Cancel", references=samples.reference("NOPE", samples.t())
        ),
    )
    assert alert.outcome == Outcome.INFORMATION and alert.reason


def test_every_message_is_kept_with_its_outcome(source):
    receive(source, samples.storm("A"))
    receive(source, samples.BILLION_LAUGHS)
    assert ReceivedAlert.objects.count() == 2


def test_an_alert_the_bulletin_rules_refuse_is_kept_refused_not_an_error(source):
    alert = receive(
        source, samples.storm(headline="<script>alert(1)</script> Bão số 5")
    )
    assert alert.outcome == Outcome.REFUSED and alert.code == "unusable"
    assert alert.reason and alert.bulletin is None
    assert not Bulletin.objects.exists()


def test_too_many_geocodes_are_refused(source):
    many = samples.area("x", geocodes=[f"{n:05d}" for n in range(600)])
    alert = receive(source, samples.alert("MANY", areas=many))
    assert alert.outcome == Outcome.REFUSED and alert.code == "bad_area"
