"""The installation's signing keys: made once, private, sealing everything, rotated with overlap."""

from __future__ import annotations

import json
import stat
import tomllib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.loudspeakers import actions, demo, plane, signing
from grassroots.loudspeakers.actions import reports
from grassroots.loudspeakers.models import Ack, ClusterLog, LogKind
from grassroots.testing import make_user
from grassroots_agent import agent
from grassroots_agent import protocol as p
from grassroots_agent.signing import Keyring, Refused

from .factories import events, item, make_cluster

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_dir(settings, tmp_path):
    settings.GRASSROOTS_SIGNING_KEYS_DIR = tmp_path / "signing"
    return tmp_path / "signing"


def test_the_key_is_made_on_first_use_private_and_kept(keys_dir):
    first = signing.keys()
    assert stat.S_IMODE((keys_dir / "current.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert signing.keys().current.kid == first.current.kid
    assert signing.public_keys() == [first.current.public]
    payload = signing.seal("gr/v2/dev/d1/cmd", b"{}")
    assert (
        Keyring(signing.public_keys()).open("gr/v2/dev/d1/cmd", payload).body == b"{}"
    )


def test_every_message_leaves_sealed_for_its_topic(tree, outbox, keys_dir):
    cluster = make_cluster(tree.hamlet_a1)
    actions.send_command(None, "volume", {"level": 5}, cluster=cluster)
    actions.publish_emergencies(tree.commune_a, 7, [])
    ring = Keyring(signing.public_keys())
    for message in outbox.messages:
        ring.open(message.topic, message.payload)
        with pytest.raises(Refused):
            ring.open(message.topic + "x", message.payload)
    assert outbox.messages[-1].json()["area"] == tree.commune_a.url_path


def test_provisioning_gives_the_device_the_public_keys(
    tree, outbox, keys_dir, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.GRASSROOTS_BROKER_FILES_DIR = tmp_path / "mqtt"
    cluster = make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        secret = actions.issue_credentials(None, cluster)
    path = tmp_path / "agent.toml"
    path.write_text(actions.agent_config(cluster, secret))
    config = agent.load_config(path)
    assert config["server_keys"] == signing.public_keys()
    assert tomllib.loads(path.read_text())["device_id"] == cluster.code
    sent = outbox.messages[-1]
    assert sent.topic.endswith("/config") and sent.retain
    assert sent.json()["server_keys"] == signing.public_keys()
    Keyring(config["server_keys"]).open(sent.topic, sent.payload)


def _ack_configs(clusters) -> None:
    for cluster in clusters:
        cluster.refresh_from_db()
        Ack.objects.create(
            cluster=cluster,
            ref_type="config",
            ref=str(cluster.config_rev),
            version=cluster.config_rev,
            status="ok",
            at=timezone.now(),
        )


def test_a_rotation_overlaps_until_every_cluster_holds_the_new_key(
    tree, outbox, keys_dir, django_capture_on_commit_callbacks
):
    a, b = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_b1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_schedule(None, a, [item("x", start_in=60)])
    old = signing.keys().current
    with pytest.raises(PermissionDenied):
        actions.rotate_signing_key(make_user(Role.ADMINISTRATOR, tree.commune_a))
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        status = actions.rotate_signing_key(None)
    new = signing.keys().current
    assert (status.current, status.previous) == (new.kid, old.kid)
    assert status.waiting == 2
    configs = {m.topic: m for m in outbox.messages}
    assert len(configs) == 2
    for message in configs.values():
        assert message.json()["server_keys"] == [new.public, old.public]
        # Both keys seal it: a device holding either one accepts it.
        Keyring([old.public]).open(message.topic, message.payload)
        Keyring([new.public]).open(message.topic, message.payload)
    with pytest.raises(ValidationError):
        actions.rotate_signing_key(None)
    with pytest.raises(ValidationError):
        actions.finish_key_rotation(None)  # nobody holds the new key yet

    _ack_configs([a])
    assert actions.rotation_status().waiting_codes == [b.code]
    _ack_configs([b])
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        status = actions.finish_key_rotation(None)
    assert (status.current, status.previous) == (new.kid, None)
    assert not (keys_dir / "previous.pem").exists()
    topics = sorted(m.topic for m in outbox.messages)
    assert topics == sorted(
        [
            *(m.topic for m in configs.values()),
            plane.topics().schedule(a.code),
        ]
    )
    for message in outbox.messages:
        Keyring([new.public]).open(message.topic, message.payload)
        with pytest.raises(Refused):
            Keyring([old.public]).open(message.topic, message.payload)
    assert outbox.messages[-1].json()["version"] == 1  # the same schedule, sealed anew
    assert list(
        AuditEntry.objects.filter(action__startswith="loudspeakers.signing_key")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["loudspeakers.signing_key_rotate", "loudspeakers.signing_key_finish"]


def test_the_command_shows_rotates_and_finishes_by_force(
    tree, outbox, keys_dir, capsys
):
    make_cluster(tree.hamlet_a1)
    call_command("signing_key")
    call_command("signing_key", "rotate")
    with pytest.raises(CommandError, match="1 cụm loa chưa nhận khóa mới"):
        call_command("signing_key", "finish")
    call_command("signing_key", "finish", "--force")
    with pytest.raises(CommandError):
        call_command("signing_key", "finish")
    out = capsys.readouterr().out
    assert "Rotation finished" in out and "not yet holding" in out


def test_refusals_are_recorded_in_plain_words_and_counted(tree, client, settings):
    settings.LANGUAGE_CODE = "vi"
    a, b = make_cluster(tree.hamlet_a1), make_cluster(tree.hamlet_b1)
    alarm = {
        "kind": "alarm",
        "at": p.now_iso(),
        "code": "message_refused",
        "severity": "critical",
        "reason": "bad_signature",
        "topic": f"gr/v2/dev/{a.code}/cmd",
        "count": 3,
    }
    now = timezone.now()
    batch = events(
        a.code, "b1", [{**alarm, "id": "e1"}, {**alarm, "id": "e2", "count": 2}]
    )
    reports.record_reports([], [(a.pk, p.validate("events", batch), now)])
    entry = ClusterLog.objects.filter(cluster=a, kind=LogKind.ALARM).first()
    assert "chữ ký giả mạo" in entry.message and entry.data["count"] in (2, 3)
    admin = make_user(Role.ADMINISTRATOR, tree.province)
    client.force_login(admin)
    live = client.get(reverse("loudspeakers_map:live")).json()
    by_code = {c["code"]: c for c in live["clusters"]}
    assert by_code[a.code]["refused"] == 5 and by_code[b.code]["refused"] == 0
    assert live["summary"]["refused"] == 1
    detail = client.get(reverse("loudspeakers_clusters:inspect", args=(a.pk,)))
    assert "Tin đáng ngờ đã từ chối" in detail.content.decode()
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Cụm loa đã từ chối tin đáng ngờ" in home and a.code in home
    # Someone who sees only the other commune sees none of it.
    client.force_login(make_user(Role.VIEWER, tree.commune_b))
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Cụm loa đã từ chối tin đáng ngờ" not in home


def test_the_simulators_file_follows_a_rotation(keys_dir, tmp_path):
    path = tmp_path / "devices.json"
    path.write_text('{"host": "127.0.0.1", "port": 1, "root": "gr", "devices": []}')
    path.chmod(0o600)
    demo.refresh_server_keys(path)
    assert json.loads(path.read_text())["server_keys"] == signing.public_keys()
    signing.rotate()
    demo.refresh_server_keys(path)
    assert len(json.loads(path.read_text())["server_keys"]) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
