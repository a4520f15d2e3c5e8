"""Web Push end to end: subscribe, publish, a local push service decrypts the message."""

import json

import pytest

from grassroots.bulletins.tests.builders import make_published
from grassroots.citizen import vapid
from grassroots.citizen.models import PushSubscription, PushTally

from .pushservice import BrowserKeys, verify_vapid

pytestmark = pytest.mark.django_db

URL = "/api/v1/citizen/push/subscriptions"


def subscribe(client, endpoint, keys, **extra):
    return client.post(
        URL,
        data=json.dumps(
            {"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}
            | extra
        ),
        content_type="application/json",
    )


def test_an_emergency_reaches_the_hamlets_phones_encrypted(
    client, tree, people, push_service, committed
):
    mine, gone, elsewhere = BrowserKeys(), BrowserKeys(), BrowserKeys()
    assert (
        subscribe(
            client,
            push_service.endpoint("mine"),
            mine,
            areas=[tree.hamlet_a1.url_path],
        ).status_code
        == 201
    )
    subscribe(
        client,
        push_service.endpoint("old", "gone"),
        gone,
        areas=[tree.hamlet_a1.url_path],
    )
    subscribe(
        client,
        push_service.endpoint("other"),
        elsewhere,
        areas=[tree.commune_b.url_path],
    )

    with committed():
        bulletin = make_published(
            people.editor_a,
            people.approver_a,
            tree.commune_a,
            title="Khẩn cấp: sạt lở bờ sông ấp Một",
            summary="Người dân ven sông di dời ngay.",
            level="emergency",
            category="thien-tai",
            targets=[tree.hamlet_a1],
        )

    paths = sorted(r.path for r in push_service.received)
    assert paths == ["/gone/old", "/push/mine"]
    message = next(r for r in push_service.received if r.path == "/push/mine")
    # RFC 8291: only the browser's private key and auth secret open it.
    assert message.headers["content-encoding"] == "aes128gcm"
    payload = mine.decrypt(message.body)
    assert payload["title"] == "Khẩn cấp: sạt lở bờ sông ấp Một"
    assert payload["body"] == "Người dân ven sông di dời ngay."
    assert payload["url"].endswith(bulletin.get_absolute_url())
    with pytest.raises(Exception):  # noqa: B017,PT011 - any failure: not for another key
        elsewhere.decrypt(message.body)
    # RFC 8030 headers and RFC 8292 VAPID, signed by the key we publish.
    assert message.headers["urgency"] == "high"
    assert int(message.headers["ttl"]) == 24 * 3600
    claims = verify_vapid(message.headers["authorization"], push_service.origin)
    assert claims["k"] == vapid.public_key()
    assert claims["sub"].startswith("mailto:")
    # The push service said the old phone is gone: it is forgotten.
    assert set(PushSubscription.objects.values_list("endpoint", flat=True)) == {
        push_service.endpoint("mine"),
        push_service.endpoint("other"),
    }
    tally = PushTally.objects.get(bulletin=bulletin)
    assert (tally.area_path, tally.reached, tally.gone) == (tree.hamlet_a1.path, 1, 1)


def test_a_commune_subscriber_hears_of_its_hamlets_and_normal_news_is_not_pushed(
    client, tree, people, push_service, committed
):
    keys = BrowserKeys()
    subscribe(client, push_service.endpoint("c"), keys, areas=[tree.commune_a.url_path])
    with committed():
        make_published(
            people.editor_a,
            people.approver_a,
            tree.commune_a,
            title="Lịch tiêm chủng",
            targets=[tree.hamlet_a2],
        )
        make_published(
            people.editor_a,
            people.approver_a,
            tree.commune_a,
            title="Ưu tiên: cắt điện ấp Hai",
            level="priority",
            targets=[tree.hamlet_a2],
        )
    assert [keys.decrypt(r.body)["title"] for r in push_service.received] == [
        "Ưu tiên: cắt điện ấp Hai"
    ]
    assert push_service.received[0].headers["urgency"] == "normal"


def test_failed_pushes_are_retried_then_counted(tree, people, push_service, committed):
    from grassroots.citizen import actions, tasks

    keys = BrowserKeys()
    actions.subscribe(
        endpoint=push_service.endpoint("x", "fail"),
        p256dh=keys.p256dh,
        auth=keys.auth,
        areas=[tree.hamlet_b1],
    )
    with committed():
        bulletin = make_published(
            people.editor_b,
            people.approver_b,
            tree.commune_b,
            title="Khẩn cấp",
            level="emergency",
            category="thien-tai",
            targets=[tree.hamlet_b1],
        )
    assert push_service.count == 1  # the retry is scheduled, not run at once
    sub = PushSubscription.objects.get()
    tasks.send_bulletin_batch.call_local(
        bulletin.pk, [[sub.pk, tree.hamlet_b1.path]], tasks.ATTEMPTS
    )
    assert push_service.count == 2
    tally = PushTally.objects.get(bulletin=bulletin)
    assert (tally.reached, tally.failed) == (0, 1)
    assert PushSubscription.objects.exists()  # a failure is not "gone"


def test_feedback_status_changes_reach_the_phone_that_follows_it(
    client, place, push_service, committed
):
    from grassroots.feedback.tests.builders import submit

    item = submit(place)
    keys = BrowserKeys()
    answer = subscribe(
        client, push_service.endpoint("f"), keys, feedback_code=item.display_code
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["feedback_codes"] == [item.code]
    from grassroots.feedback import messages

    with committed():
        messages.tell_citizen(item, "answered", "Đã sửa xong đèn đường.")
    (message,) = push_service.received
    payload = keys.decrypt(message.body)
    assert item.display_code in payload["title"]
    assert payload["url"].endswith(f"/phan-anh/{item.code}/")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"endpoint": "https://evil.example.com/x", "areas": ["x"]}, "unknown_area"),
        ({"endpoint": "https://evil.example.com/push/1"}, "nothing_to_follow"),
        ({"feedback_code": "ZZZZZZZZZZ"}, "unknown_code"),
    ],
)
def test_bad_subscriptions_are_refused_with_a_code(
    client, tree, push_service, body, code
):
    keys = BrowserKeys()
    data = {
        "endpoint": push_service.endpoint("a"),
        "keys": {"p256dh": keys.p256dh, "auth": keys.auth},
    } | body
    answer = client.post(URL, data=json.dumps(data), content_type="application/json")
    assert answer.status_code in (400, 404)
    assert answer.json()["code"] == code


def test_only_configured_push_services_are_posted_to(client, tree, push_service):
    keys = BrowserKeys()
    answer = subscribe(
        client, "https://10.0.0.1/push/x", keys, areas=[tree.hamlet_a1.url_path]
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "endpoint_refused"
    assert not PushSubscription.objects.exists()


def test_the_vapid_key_is_made_once_and_kept(client, push_service, settings):
    first = client.get("/api/v1/citizen/push/key").json()["public_key"]
    vapid._load.cache_clear()
    assert client.get("/api/v1/citizen/push/key").json()["public_key"] == first
    key_file = settings.GRASSROOTS_PUSH_KEYS_DIR / "vapid_private.pem"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_unsubscribing_forgets_the_phone(client, tree, push_service):
    keys = BrowserKeys()
    subscribe(client, push_service.endpoint("u"), keys, areas=[tree.hamlet_a1.url_path])
    answer = client.post(
        "/api/v1/citizen/push/unsubscribe",
        data=json.dumps({"endpoint": push_service.endpoint("u")}),
        content_type="application/json",
    )
    assert answer.status_code == 204
    assert not PushSubscription.objects.exists()
