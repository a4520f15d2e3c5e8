"""Every fleet action: scope-checked, audited, and publishing only after commit."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.core.tabular import TableError
from grassroots.loudspeakers import actions, credentials
from grassroots.loudspeakers.models import (
    Cluster,
    ClusterLog,
    ClusterState,
    Command,
    Schedule,
    Station,
)
from grassroots.testing import make_user
from grassroots_agent.protocol import Topics

from .factories import item, make_cluster, make_station

pytestmark = pytest.mark.django_db


def published(outbox):
    return [(m.topic, m.json(), m.retain) for m in outbox.messages]


# Registry ------------------------------------------------------------------------


def test_a_commune_administrator_registers_clusters_in_their_commune_only(tree, outbox):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
    station = actions.save_station(admin, commune=tree.commune_a, name="Đài xã An Bình")
    cluster = actions.save_cluster(
        admin, station=station, area=tree.hamlet_a1, code="A-1", name="Chợ", link="4g"
    )
    assert (
        cluster.pk
        and AuditEntry.objects.filter(action="loudspeakers.cluster_create").exists()
    )
    with pytest.raises(PermissionDenied):
        actions.save_station(admin, commune=tree.commune_b, name="Đài khác")
    other = make_station(tree.commune_b)
    with pytest.raises(PermissionDenied):
        actions.save_cluster(admin, station=other, area=tree.hamlet_b1, code="B-1")
    with pytest.raises(ValidationError):
        actions.save_cluster(None, station=station, area=tree.hamlet_b1, code="A-2")
    with pytest.raises(ValidationError):
        actions.save_cluster(admin, station=station, area=tree.hamlet_a1, code="A-1")
    with pytest.raises(ValidationError):
        actions.save_cluster(
            admin, station=station, area=tree.hamlet_a1, code="bad code/#"
        )


def test_an_operator_cannot_register_clusters(tree):
    operator = make_user(Role.OPERATOR, tree.commune_a)
    with pytest.raises(PermissionDenied):
        actions.save_station(operator, commune=tree.commune_a, name="Đài")


def test_the_code_never_changes_and_a_move_sends_the_new_areas(
    tree, outbox, django_capture
):
    cluster = make_cluster(tree.hamlet_a1)
    actions.issue_credentials(None, cluster)
    outbox.clear()
    with pytest.raises(ValidationError):
        actions.save_cluster(
            None,
            station=cluster.station,
            area=tree.hamlet_a1,
            code="NEW",
            cluster=cluster,
        )
    with django_capture(execute=True):
        actions.save_cluster(
            None,
            station=cluster.station,
            area=tree.hamlet_a2,
            code=cluster.code,
            cluster=cluster,
        )
    config = [m for t, m, r in published(outbox) if t.endswith("/config")]
    assert config and config[-1]["areas"][-1] == tree.hamlet_a2.url_path


def test_retiring_a_cluster_revokes_its_credentials(tree, outbox):
    cluster = make_cluster(tree.hamlet_a1)
    actions.issue_credentials(None, cluster)
    actions.set_cluster_state(None, cluster, ClusterState.RETIRED)
    cluster.refresh_from_db()
    assert cluster.state == ClusterState.RETIRED and not cluster.has_credentials
    with pytest.raises(ValidationError):
        actions.issue_credentials(None, cluster)
    with pytest.raises(ValidationError):
        actions.set_cluster_state(None, cluster, "exploded")


# Credentials -----------------------------------------------------------------------


def test_credentials_are_shown_once_hashed_at_rest_rotatable_and_revocable(
    tree, outbox
):
    cluster = make_cluster(tree.hamlet_a1)
    first = actions.issue_credentials(None, cluster)
    cluster.refresh_from_db()
    assert first not in cluster.secret_hash and credentials.verify(
        first, cluster.secret_hash
    )
    second = actions.issue_credentials(None, cluster)
    cluster.refresh_from_db()
    assert not credentials.verify(first, cluster.secret_hash)
    assert credentials.verify(second, cluster.secret_hash)
    actions.revoke_credentials(None, cluster)
    cluster.refresh_from_db()
    assert cluster.secret_hash == ""
    codes = list(
        AuditEntry.objects.filter(object_id=str(cluster.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "loudspeakers.credentials_issue",
        "loudspeakers.credentials_rotate",
        "loudspeakers.credentials_revoke",
    } <= set(codes)
    assert not AuditEntry.objects.filter(data__icontains=first).exists()


def test_broker_files_follow_the_registry(
    tree, outbox, tmp_path, settings, django_capture_on_commit_callbacks
):
    from grassroots.loudspeakers import brokerfiles

    settings.GRASSROOTS_BROKER_FILES_DIR = tmp_path
    cluster = make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_credentials(None, cluster)
    passwd = (tmp_path / brokerfiles.PASSWD).read_text()
    services = (tmp_path / brokerfiles.SERVICE_PASSWD).read_text()
    # Each listener knows only its own accounts.
    assert f"{cluster.code}:$7$" in passwd and "gr-" not in passwd
    assert "gr-web:" in services and "gr-gateway:" in services
    assert cluster.code not in services
    assert f"user {cluster.code}" in (tmp_path / brokerfiles.ACL).read_text()
    with django_capture_on_commit_callbacks(execute=True):
        actions.revoke_credentials(None, cluster)
    assert cluster.code not in (tmp_path / brokerfiles.PASSWD).read_text()
    assert cluster.code not in (tmp_path / brokerfiles.ACL).read_text()


# Commands and schedules --------------------------------------------------------------


def test_a_command_is_stored_audited_and_published_after_commit(
    tree, outbox, django_capture_on_commit_callbacks
):
    operator = make_user(Role.OPERATOR, tree.commune_a)
    cluster = make_cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        command = actions.send_command(
            operator, "volume", {"level": 40}, cluster=cluster
        )
        assert outbox.messages == []
    for callback in callbacks:
        callback()
    [(topic, message, retain)] = published(outbox)
    assert topic == Topics().command(cluster.code).replace(
        "gr/", f"{Topics().root}/", 1
    )
    assert (
        message["id"] == str(command.id)
        and message["args"] == {"level": 40}
        and not retain
    )
    entry = AuditEntry.objects.get(action="loudspeakers.command")
    assert entry.actor == operator and entry.area_path == cluster.area.path
    assert ClusterLog.objects.filter(cluster=cluster, kind="command").exists()


def test_one_publish_reaches_a_whole_commune(
    tree, outbox, django_capture_on_commit_callbacks
):
    operator = make_user(Role.OPERATOR, tree.province)
    for hamlet in (tree.hamlet_a1, tree.hamlet_a2, tree.hamlet_a2):
        make_cluster(hamlet)
    make_cluster(tree.hamlet_b1)
    with django_capture_on_commit_callbacks(execute=True):
        command = actions.send_command(operator, "stop", area=tree.commune_a)
    assert command.targets == 3
    [(topic, _message, _retain)] = published(outbox)
    assert topic.endswith(f"/area/{tree.commune_a.url_path}/cmd")


def test_commands_are_refused_out_of_scope_or_role_or_with_bad_arguments(tree, outbox):
    cluster = make_cluster(tree.hamlet_b1)
    with pytest.raises(PermissionDenied):
        actions.send_command(
            make_user(Role.OPERATOR, tree.commune_a), "reboot", cluster=cluster
        )
    with pytest.raises(PermissionDenied):
        actions.send_command(
            make_user(Role.VIEWER, tree.province), "reboot", cluster=cluster
        )
    operator = make_user(Role.OPERATOR, tree.commune_b)
    for action, args in [
        ("volume", {"level": 101}),
        ("volume", {}),
        ("power", {"on": "yes"}),
        ("play_now", {"item": {"id": "x"}}),
        ("launch", {}),
    ]:
        with pytest.raises(ValidationError):
            actions.send_command(operator, action, args, cluster=cluster)
    assert Command.objects.count() == 0 and outbox.messages == []


def test_schedules_get_growing_versions_and_are_retained(
    tree, outbox, django_capture_on_commit_callbacks
):
    cluster = make_cluster(tree.hamlet_a1)
    operator = make_user(Role.OPERATOR, tree.commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.send_schedule(operator, cluster, [item(start_in=60)])
        second = actions.send_schedule(
            operator, cluster, [item(start_in=60), item("it-2", start_in=120)]
        )
    assert (first.version, second.version) == (1, 2)
    cluster.refresh_from_db()
    assert cluster.schedule_version == 2
    messages = [(t, m, r) for t, m, r in published(outbox) if t.endswith("/schedule")]
    assert [m["version"] for _t, m, _r in messages] == [1, 2] and all(
        r for _t, _m, r in messages
    )
    with pytest.raises(ValidationError):
        actions.send_schedule(
            operator,
            cluster,
            [{"id": "no-audio", "priority": "normal", "start": "2025-01-01T00:00:00Z"}],
        )
    with pytest.raises(PermissionDenied):
        actions.send_schedule(make_user(Role.EDITOR, tree.commune_a), cluster, [])
    assert Schedule.objects.filter(cluster=cluster).count() == 2


def test_emergencies_publish_at_once_retained_on_the_area_topic(tree, outbox):
    emergency = {
        **item("em-1"),
        "priority": "emergency",
        "rev": 1,
        "started_at": "2025-07-01T06:00:00Z",
    }
    assert actions.publish_emergencies(tree.commune_a, 3, [emergency])
    [(topic, message, retain)] = published(outbox)
    assert topic.endswith(f"/area/{tree.commune_a.url_path}/emergency") and retain
    assert message["rev"] == 3 and message["active"][0]["id"] == "em-1"


# Import -----------------------------------------------------------------------------

GOOD = """commune_code,hamlet_code,code,location,latitude,longitude,connection,speakers,power,installed,state
{a},{h1},IMP-1,Chợ,10.4,105.6,4G,2,30,15/03/2024,hoạt động
{a},{h2},IMP-2,Trường học,,,Wi-Fi,3,50,2024-05-01,bảo trì
{a},,IMP-3,UBND xã,,,có dây,,,,
"""


def _file(text: str, tree) -> io.BytesIO:
    return io.BytesIO(
        text.format(
            a=tree.commune_a.code,
            h1=tree.hamlet_a1.code,
            h2=tree.hamlet_a2.code,
            b=tree.commune_b.code,
        ).encode()
    )


def test_import_creates_stations_and_clusters_and_updates_on_a_second_run(tree, outbox):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
    result = actions.import_clusters(_file(GOOD, tree), actor=admin)
    assert (result.created, result.updated) == (3, 0)
    assert Station.objects.filter(commune=tree.commune_a).count() == 1
    second = Cluster.objects.get(code="IMP-2")
    assert (
        second.link == "wifi"
        and second.speaker_count == 3
        and second.state == "maintenance"
    )
    assert Cluster.objects.get(code="IMP-3").area == tree.commune_a
    again = actions.import_clusters(_file(GOOD, tree), actor=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_bad_file_imports_nothing_and_lists_every_problem(tree):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
    bad = (
        "commune_code,hamlet_code,code,latitude,longitude,connection,speakers,installed\n"
        "{a},{h1},OK-1,,,4G,2,01/01/2024\n"
        "{a},NOPE,X-2,,,4G,2,\n"
        "99999,,X-3,,,4G,2,\n"
        "{b},,X-4,,,4G,2,\n"
        "{a},{h1},OK-1,,,4G,2,\n"
        "{a},{h1},X-6,10.5,,vệ tinh,200,32/13/2024\n"
        "{a},{h1},<script>,,,4G,2,\n"
    )
    with pytest.raises(TableError) as caught:
        actions.import_clusters(_file(bad, tree), actor=admin)
    lines = sorted({e.line for e in caught.value.errors})
    assert lines == [3, 4, 5, 6, 7, 8]
    assert Cluster.objects.count() == 0


def test_import_refuses_files_that_are_not_spreadsheets(tree):
    for data in (b"", b"\x00\x01\x02PNG", b"PK\x03\x04broken zip"):
        with pytest.raises(TableError):
            actions.import_clusters(io.BytesIO(data))


@pytest.fixture
def django_capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks
