"""The exchange API with peer systems, and the staff API, through real HTTP."""

import base64
import json

import pytest

from grassroots.bulletins import actions
from grassroots.bulletins.models import Bulletin, InboxItem, Status

from .builders import make_published, pdf_bytes

URL = "/api/v1/bulletins/exchange/"


@pytest.fixture
def peer(tree):
    return actions.save_peer(None, name="Trung ương", area=tree.province)


@pytest.fixture
def key(peer):
    return actions.issue_key(None, peer)[1]


def payload(**extra):
    data = {
        "title": "Cảnh báo lũ trên sông Tiền",
        "summary": "Mực nước vượt báo động III.",
        "body": "<p>Người dân <b>di dời</b> tài sản.</p>",
        "category": "thien-tai",
        "level": "normal",
        "issuing_area": "",
        "issuing_agency": "Ban Chỉ huy PCTT",
        "updated_at": "2026-01-01T08:00:00+07:00",
    }
    data.update(extra)
    return data


def put(client, key, external_id, data, **headers):
    return client.put(
        f"{URL}{external_id}",
        data=json.dumps(data),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **headers,
    )


def test_pushing_twice_updates_and_never_duplicates(client, tree, people, key):
    data = payload(issuing_area=tree.province.url_path)
    first = put(client, key, "cb-2026-001", data)
    assert first.status_code == 201, first.json()
    assert first.json()["outcome"] == "created"
    assert first.json()["status"] == "submitted"  # waits for a local approver
    again = put(client, key, "cb-2026-001", data)
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    changed = put(
        client,
        key,
        "cb-2026-001",
        {
            **data,
            "summary": "Đã vượt 4,12 m.",
            "updated_at": "2026-01-01T09:00:00+07:00",
        },
    )
    assert changed.json()["outcome"] == "updated"
    assert Bulletin.objects.count() == 1
    assert first.json()["id"] == changed.json()["id"]  # a stable identifier


def test_a_replayed_older_version_is_refused(client, tree, key):
    data = payload(issuing_area=tree.province.url_path)
    put(client, key, "x1", {**data, "updated_at": "2026-01-02T08:00:00+07:00"})
    old = put(
        client,
        key,
        "x1",
        {**data, "title": "Cũ", "updated_at": "2026-01-01T08:00:00+07:00"},
    )
    assert old.status_code == 409
    assert old.json()["code"] == "stale_version"
    assert Bulletin.objects.get().title == "Cảnh báo lũ trên sông Tiền"


def test_a_pushed_bulletin_is_approved_locally_then_cascades(client, tree, people, key):
    put(client, key, "x2", payload(issuing_area=tree.province.url_path))
    bulletin = Bulletin.objects.get()
    bulletin = actions.approve(people.province_approver, bulletin)
    assert bulletin.status == Status.PUBLISHED
    assert InboxItem.objects.filter(bulletin=bulletin).count() == 2


def test_a_self_approving_peer_publishes_at_once(client, tree, peer, key):
    actions.save_peer(
        None, name=peer.name, area=peer.area, publishes_directly=True, peer=peer
    )
    response = put(client, key, "x3", payload(issuing_area=tree.province.url_path))
    assert response.json()["status"] == "published"
    assert response.json()["url"].startswith("http")


def test_html_from_a_peer_is_sanitised(client, tree, key):
    body = '<p>Lũ<script>alert(1)</script><a href="javascript:x()">x</a></p>'
    put(client, key, "x4", payload(issuing_area=tree.province.url_path, body=body))
    stored = Bulletin.objects.get().body
    assert "<script" not in stored and "javascript" not in stored


@pytest.mark.parametrize(
    "mutate, status, code",
    [
        (lambda d: {**d, "category": "khong-co"}, 422, "unknown_category"),
        (lambda d: {**d, "issuing_area": "99/1"}, 422, "unknown_area"),
        (lambda d: {**d, "level": "urgent"}, 422, "invalid"),
        (lambda d: {**d, "title": ""}, 422, "invalid"),
        (lambda d: {**d, "title": "<b>x</b>"}, 400, "invalid"),
        (lambda d: {**d, "target_areas": 5}, 422, "invalid"),
        (lambda d: {k: v for k, v in d.items() if k != "category"}, 422, "invalid"),
        (
            lambda d: {
                **d,
                "valid_from": "2026-01-02T00:00:00",
                "valid_until": "2026-01-01T00:00:00",
            },
            400,
            "invalid",
        ),
    ],
)
def test_malformed_bulletins_are_refused_with_a_code(
    client, tree, key, mutate, status, code
):
    response = put(
        client, key, "bad", mutate(payload(issuing_area=tree.province.url_path))
    )
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Bulletin.objects.exists()


def test_broken_json_is_refused(client, key):
    response = client.put(
        f"{URL}x",
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_an_issuing_area_outside_the_peer_is_refused(client, tree, key):
    response = put(
        client, key, "x5", payload(issuing_area=tree.other_province.url_path)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_attachments_are_checked_by_content(client, tree, key):
    fake = base64.b64encode(b"MZ" + b"\x00" * 100).decode()
    response = put(
        client,
        key,
        "x6",
        payload(
            issuing_area=tree.province.url_path,
            attachments=[{"filename": "tin.mp3", "content_base64": fake}],
        ),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_attachment"
    assert "tin.mp3" in response.json()["message"]
    good = base64.b64encode(pdf_bytes()).decode()
    response = put(
        client,
        key,
        "x6",
        payload(
            issuing_area=tree.province.url_path,
            attachments=[
                {"filename": "kh.pdf", "title": "Kế hoạch", "content_base64": good}
            ],
        ),
    )
    assert response.status_code == 201
    assert Bulletin.objects.get().attachments.get().kind == "document"


@pytest.mark.parametrize("header", ["", "Bearer wrong", "Bearer grk_abcd1234_nope"])
def test_without_a_valid_key_nothing_is_accepted(client, tree, header):
    response = client.put(
        f"{URL}x",
        data=json.dumps(payload()),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_revoked_key_stops_working_at_once(client, tree, peer, key):
    assert (
        put(client, key, "r1", payload(issuing_area=tree.province.url_path)).status_code
        == 201
    )
    actions.revoke_key(None, peer.keys.get())
    assert (
        put(client, key, "r1", payload(issuing_area=tree.province.url_path)).status_code
        == 401
    )


def test_the_key_is_stored_only_as_a_hash(peer, key):
    stored = peer.keys.get()
    assert key not in (stored.key_hash, stored.prefix)
    assert actions.authenticate(key) == stored


def test_the_x_api_key_header_works_too(client, tree, key):
    response = client.put(
        f"{URL}h1",
        data=json.dumps(payload(issuing_area=tree.province.url_path)),
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert response.status_code == 201


def test_pulling_gives_published_bulletins_then_withdrawals(client, tree, people, key):
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    make_published(
        people.editor_b, people.approver_b, tree.other_commune.parent and tree.commune_b
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listing = client.get(URL, **auth).json()
    assert listing["count"] == 2
    assert {r["id"] for r in listing["results"]} >= {str(bulletin.uid)}
    since = listing["results"][-1]["updated_at"]
    actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    changes = client.get(URL, {"updated_since": since}, **auth).json()
    statuses = {r["id"]: r["status"] for r in changes["results"]}
    assert statuses[str(bulletin.uid)] == "withdrawn"
    one = client.get(f"{URL}id/{bulletin.uid}", **auth)
    assert one.status_code == 200 and one.json()["withdrawal_reason"] == "Nhầm"


def test_a_peer_withdraws_its_own_bulletin(client, tree, peer, key):
    actions.save_peer(
        None, name=peer.name, area=peer.area, publishes_directly=True, peer=peer
    )
    put(client, key, "w1", payload(issuing_area=tree.province.url_path))
    response = client.delete(
        f"{URL}w1",
        data=json.dumps({"reason": "Báo động giả"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    assert Bulletin.objects.get().status == Status.WITHDRAWN
    missing = client.delete(
        f"{URL}nope",
        data=json.dumps({"reason": "x"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert missing.status_code == 404


def test_staff_read_only_their_scope(client, tree, people):
    mine = make_published(people.editor_a, people.approver_a, tree.commune_a)
    other = make_published(people.editor_b, people.approver_b, tree.commune_b)
    client.force_login(people.viewer_a)
    ids = {r["pk"] for r in client.get("/api/v1/bulletins/").json()["results"]}
    assert ids == {mine.pk}
    assert client.get(f"/api/v1/bulletins/{other.pk}").status_code == 404
    client.logout()
    assert client.get("/api/v1/bulletins/").status_code == 401
