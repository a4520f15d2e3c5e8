"""Trusting a peer to publish without local approval is the province's decision."""

import json

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.accounts.models import AuditEntry
from grassroots.bulletins import actions
from grassroots.bulletins.models import Bulletin, PeerSystem
from grassroots.testing import make_user


@pytest.fixture
def commune_admin(tree):
    return make_user("administrator", tree.commune_a)


@pytest.fixture
def province_admin(tree):
    return make_user("administrator", tree.province)


def test_a_commune_administrator_cannot_create_a_peer_that_skips_approval(
    tree, commune_admin, client
):
    with pytest.raises(PermissionDenied):
        actions.save_peer(
            commune_admin, name="Cổng xã", area=tree.commune_a, publishes_directly=True
        )
    client.force_login(commune_admin)
    client.post(
        "/console/peers/new/",
        {
            "name": "Cổng xã",
            "area": tree.commune_a.pk,
            "can_push": "on",
            "can_pull": "on",
            "publishes_directly": "on",
            "is_active": "on",
        },
    )
    assert not PeerSystem.objects.filter(publishes_directly=True).exists()
    # The box is not theirs to tick: the peer exists, its bulletins wait for
    # a local approver.
    assert PeerSystem.objects.get(name="Cổng xã").publishes_directly is False


def test_a_commune_administrator_cannot_trust_change_or_arm_a_trusted_peer(
    tree, commune_admin, province_admin
):
    plain = actions.save_peer(commune_admin, name="Cổng xã", area=tree.commune_a)
    with pytest.raises(PermissionDenied):
        actions.save_peer(
            commune_admin,
            name=plain.name,
            area=plain.area,
            publishes_directly=True,
            peer=plain,
        )
    trusted = actions.save_peer(
        province_admin,
        name="Hệ thống huyện cũ",
        area=tree.commune_a,
        publishes_directly=True,
    )
    with pytest.raises(PermissionDenied):
        actions.save_peer(
            commune_admin,
            name="Đổi tên",
            area=tree.hamlet_a1,
            publishes_directly=True,
            peer=trusted,
        )
    with pytest.raises(PermissionDenied):
        actions.issue_key(commune_admin, trusted)
    # Switching it off is always allowed: the safe direction.
    actions.save_peer(
        commune_admin,
        name=trusted.name,
        area=trusted.area,
        publishes_directly=True,
        is_active=False,
        peer=trusted,
    )
    trusted.refresh_from_db()
    assert not trusted.is_active and trusted.name == "Hệ thống huyện cũ"


def test_the_province_decides_and_the_decision_is_audited(
    tree, province_admin, commune_admin
):
    peer = actions.save_peer(province_admin, name="Trung ương", area=tree.province)
    actions.save_peer(
        province_admin,
        name=peer.name,
        area=peer.area,
        publishes_directly=True,
        peer=peer,
    )
    trust = AuditEntry.objects.get(action="peer.trust")
    assert trust.actor == province_admin and trust.object_id == str(peer.pk)
    actions.save_peer(
        province_admin,
        name=peer.name,
        area=peer.area,
        publishes_directly=False,
        peer=peer,
    )
    assert AuditEntry.objects.filter(action="peer.distrust").exists()


def test_a_trusted_peer_publishes_only_within_its_own_area(
    tree, province_admin, client
):
    peer = actions.save_peer(
        province_admin, name="Cổng xã", area=tree.commune_a, publishes_directly=True
    )
    key = actions.issue_key(province_admin, peer)[1]

    def push(external_id, **fields):
        data = {
            "title": "Thông báo",
            "summary": "Tóm tắt",
            "body": "<p>Nội dung</p>",
            "category": "thien-tai",
            "level": "normal",
            "issuing_agency": "UBND",
            **fields,
        }
        return client.put(
            f"/api/v1/bulletins/exchange/{external_id}",
            data=json.dumps(data),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    assert push("b", issuing_area=tree.commune_b.url_path).status_code == 403
    assert push("p", issuing_area=tree.province.url_path).status_code == 403
    outside = push(
        "t",
        issuing_area=tree.commune_a.url_path,
        target_areas=[tree.hamlet_b1.url_path],
    )
    assert outside.status_code in (400, 403, 422)
    assert not Bulletin.objects.exists()
    inside = push("a", issuing_area=tree.commune_a.url_path)
    assert inside.json()["status"] == "published"
