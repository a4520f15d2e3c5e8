"""The commands API sends fixed commands and items the server built, nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.broadcasts.tests.builders import make_item
from grassroots.loudspeakers import actions, playables
from grassroots.loudspeakers.models import Command
from grassroots.testing import make_user

from .factories import make_cluster

pytestmark = pytest.mark.django_db

#: What a password-only attacker sent: an emergency from a foreign server, all day.
FORGED_ITEM: dict[str, Any] = {
    "id": "forged",
    "title": "Giả mạo",
    "priority": "emergency",
    "audio": {
        "url": "https://attacker.example/siren.mp3",
        "sha256": "0" * 64,
        "duration_s": 86400,
    },
    "repeat": 50,
    "gap_s": 0,
}


def _post(client, cluster, body):
    return client.post(
        f"/api/v1/loudspeakers/clusters/{cluster.code}/commands",
        data=json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def operator(tree):
    return make_user(Role.OPERATOR, tree.commune_a)


@pytest.mark.parametrize(
    "body",
    [
        {"action": "play_now", "args": {"item": FORGED_ITEM}},
        {"action": "play_now", "args": {"item": {**FORGED_ITEM, "priority": "normal"}}},
        {
            "action": "play_now",
            "args": {
                "item": {
                    "id": "relay",
                    "priority": "normal",
                    "relay_url": "icecast://attacker.example/live",
                    "duration_s": 86400,
                }
            },
        },
        {"action": "volume", "args": {"level": 150}},
        {"action": "volume", "args": {"level": 40, "extra": 1}},
        {"action": "power", "args": {"on": "yes"}},
        {"action": "reboot", "args": {"delay": 5}},
        {"action": "launch"},
    ],
)
def test_client_made_items_and_bad_arguments_are_refused(
    body, tree, client, operator, outbox
):
    cluster = make_cluster(tree.hamlet_a1)
    client.force_login(operator)
    response = _post(client, cluster, body)
    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] == "invalid"
    assert not Command.objects.exists() and outbox.messages == []


@pytest.mark.parametrize(
    ("body", "sent_args"),
    [
        ({"action": "volume", "args": {"level": 40}}, {"level": 40}),
        ({"action": "power", "args": {"on": False}}, {"on": False}),
        ({"action": "stop"}, {}),
        ({"action": "reboot"}, {}),
        ({"action": "sync", "args": {}}, {}),
    ],
)
def test_fixed_commands_are_sent(
    body, sent_args, tree, client, operator, outbox, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, cluster, body)
    assert response.status_code == 202, response.content
    [message] = outbox.messages
    assert message.json()["action"] == body["action"]
    assert message.json().get("args", {}) == sent_args


def test_the_test_tone_is_built_by_the_server(
    tree, client, operator, outbox, settings, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, cluster, {"action": "test_tone"})
    assert response.status_code == 202, response.content
    item = outbox.messages[0].json()["args"]["item"]
    assert item["id"] == "test-tone" and item["priority"] == "normal"
    assert item["audio"]["url"].startswith(settings.GRASSROOTS_BASE_URL)


def test_a_programme_item_plays_now_through_the_broadcasts_action(
    tree, client, operator, outbox, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    programme = make_item(tree.commune_a)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            cluster,
            {"action": "play_now", "args": {"item": programme.pk}},
        )
    assert response.status_code == 202, response.content
    item = outbox.messages[0].json()["args"]["item"]
    assert item["relay_url"] == programme.relay_url
    assert item["priority"] == "normal"
    assert AuditEntry.objects.filter(action="broadcasts.play_now").exists()
    emergency = _post(
        client,
        cluster,
        {"action": "play_now", "args": {"item": programme.pk, "priority": "emergency"}},
    )
    assert emergency.status_code in (400, 422)


def test_play_now_needs_the_broadcasting_role_and_an_item_in_scope(
    tree, client, outbox
):
    cluster = make_cluster(tree.hamlet_a1)
    foreign = make_item(tree.commune_b)
    operator = make_user(Role.OPERATOR, tree.commune_a)
    client.force_login(operator)
    response = _post(
        client, cluster, {"action": "play_now", "args": {"item": foreign.pk}}
    )
    assert response.status_code == 404
    client.force_login(make_user(Role.VIEWER, tree.commune_a))
    mine = make_item(tree.commune_a)
    response = _post(client, cluster, {"action": "play_now", "args": {"item": mine.pk}})
    assert response.status_code in (403, 404)
    assert not Command.objects.exists()


class TestTheActionItself:
    """``send_command`` refuses what no caller should send, whoever calls it."""

    def test_a_plain_dictionary_is_never_played(self, tree, operator, outbox):
        cluster = make_cluster(tree.hamlet_a1)
        for item in (FORGED_ITEM, {**FORGED_ITEM, "priority": "normal"}):
            with pytest.raises(ValidationError):
                actions.send_command(
                    operator, "play_now", {"item": item}, cluster=cluster
                )
        assert not Command.objects.exists()

    @pytest.mark.parametrize(
        "change",
        [
            {"priority": "emergency"},
            {"audio": {**FORGED_ITEM["audio"], "duration_s": 30}},
            {"repeat": 50},
            {"relay_url": "https://radio.example.vn/live", "duration_s": 86400},
        ],
    )
    def test_even_a_server_item_stays_within_play_now_rules(
        self, change, tree, operator, outbox, settings
    ):
        cluster = make_cluster(tree.hamlet_a1)
        base = {
            "id": "ok",
            "title": "Bản tin",
            "priority": "normal",
            "audio": {
                "url": f"{settings.GRASSROOTS_BASE_URL}/media/a.mp3",
                "sha256": "1" * 64,
                "duration_s": 30,
            },
        }
        data = {**base, **change}
        if "relay_url" in change:
            data.pop("audio")
        with pytest.raises(ValidationError):
            actions.send_command(
                operator,
                "play_now",
                {"item": playables.ServerPlayable(data)},
                cluster=cluster,
            )
        actions.send_command(
            operator,
            "play_now",
            {"item": playables.ServerPlayable(base)},
            cluster=cluster,
        )
        assert Command.objects.count() == 1

    def test_a_live_stream_plays_only_from_this_systems_stream_server(
        self, tree, operator, outbox, settings
    ):
        """A live item's address must be the own stream server; emergency only when checked."""
        settings.GRASSROOTS_STREAM_URL = "http://127.0.0.1:8010/stream"
        cluster = make_cluster(tree.hamlet_a1)
        live = {
            "id": "live:1",
            "title": "Phát trực tiếp",
            "priority": "emergency",
            "live": {
                "url": "http://127.0.0.1:8010/stream/live-x.mp3",
                "token": "t" * 24,
            },
        }
        foreign = {**live, "live": {**live["live"], "url": "http://evil.example/x"}}
        for item in (
            playables.ServerPlayable(live),
            playables.ServerPlayable(foreign, emergency_checked=True),
        ):
            with pytest.raises(ValidationError):
                actions.send_command(
                    operator, "play_now", {"item": item}, cluster=cluster
                )
        actions.send_command(
            operator,
            "play_now",
            {"item": playables.ServerPlayable(live, emergency_checked=True)},
            cluster=cluster,
        )
        assert Command.objects.count() == 1
