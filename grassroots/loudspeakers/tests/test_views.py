"""The console pages and the API, through the real HTTP stack."""

from __future__ import annotations

import html
import io
import json

import pytest

from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.loudspeakers import actions, credentials
from grassroots.loudspeakers.actions import reports
from grassroots.loudspeakers.models import Cluster, Command
from grassroots.testing import make_user

from .factories import make_cluster, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(tree):
    return make_cluster(tree.hamlet_a1, code="28261-H01-1")


def login(client, role, area):
    user = make_user(role, area)
    client.force_login(user)
    return user


def test_the_list_shows_live_status_and_filters(client, tree, cluster):
    silent = make_cluster(tree.hamlet_a2, code="SILENT-1")
    from django.utils import timezone

    reports.record_reports(
        [(cluster.pk, state(cluster.code, volume=44), timezone.now())], []
    )
    login(client, Role.VIEWER, tree.commune_a)
    page = client.get("/console/loudspeakers/clusters/").content.decode()
    assert "28261-H01-1" in page and "SILENT-1" in page
    assert "gr-badge gr-online" in page and "gr-badge gr-never" in page
    online = client.get(
        "/console/loudspeakers/clusters/?status=online"
    ).content.decode()
    assert "28261-H01-1" in online and "SILENT-1" not in online
    never = client.get("/console/loudspeakers/clusters/?status=never").content.decode()
    assert "SILENT-1" in never and "28261-H01-1" not in never
    assert (
        client.get(f"/console/loudspeakers/clusters/inspect/{silent.pk}/").status_code
        == 200
    )


def test_a_cluster_outside_my_area_does_not_exist_for_me(client, tree):
    other = make_cluster(tree.hamlet_b1)
    login(client, Role.ADMINISTRATOR, tree.commune_a)
    for url in (
        f"/console/loudspeakers/clusters/inspect/{other.pk}/",
        f"/console/loudspeakers/clusters/edit/{other.pk}/",
        f"/console/loudspeakers/clusters/{other.pk}/command/volume/",
        f"/console/loudspeakers/clusters/{other.pk}/credentials/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/console/loudspeakers/clusters/{other.pk}/state/", {"state": "retired"}
        ).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.state == "active"


def test_a_command_needs_confirmation_and_is_audited(
    client, tree, cluster, outbox, django_capture_on_commit_callbacks
):
    operator = login(client, Role.OPERATOR, tree.commune_a)
    url = f"/console/loudspeakers/clusters/{cluster.pk}/command/volume/"
    page = client.get(url)
    assert page.status_code == 200 and Command.objects.count() == 0
    assert client.post(url, {"level": "250"}).status_code == 200
    assert Command.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"level": "35"})
    assert response.status_code == 302
    command = Command.objects.get()
    assert command.issued_by == operator and command.args == {"level": 35}
    assert AuditEntry.objects.filter(
        action="loudspeakers.command", actor=operator
    ).exists()
    assert [m.json()["args"] for m in outbox.messages] == [{"level": 35}]
    detail = client.get(
        f"/console/loudspeakers/clusters/inspect/{cluster.pk}/"
    ).content.decode()
    assert "waiting" in detail or "Đang chờ" in detail


def test_a_viewer_cannot_command_and_sees_no_command_buttons(client, tree, cluster):
    login(client, Role.VIEWER, tree.commune_a)
    page = client.get(
        f"/console/loudspeakers/clusters/inspect/{cluster.pk}/"
    ).content.decode()
    assert "/command/" not in page
    # Wagtail answers a refusal by sending the user back to the console's home.
    for url in (
        f"/console/loudspeakers/clusters/{cluster.pk}/command/reboot/",
        f"/console/loudspeakers/clusters/{cluster.pk}/command/launch/",
    ):
        assert client.get(url).status_code in (302, 403, 404)
        assert client.post(url).status_code in (302, 403, 404)
    assert not Command.objects.exists()


def test_an_area_command_goes_to_the_commune_in_one_message(
    client, tree, cluster, outbox, django_capture_on_commit_callbacks
):
    make_cluster(tree.hamlet_a2)
    login(client, Role.OPERATOR, tree.commune_a)
    url = f"/console/loudspeakers/clusters/area/{tree.commune_a.pk}/command/test_tone/"
    assert b"2" in client.get(url).content
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    [message] = outbox.messages
    assert message.topic.endswith(f"/area/{tree.commune_a.url_path}/cmd")
    assert message.json()["args"]["item"]["audio"]["sha256"]
    assert (
        client.get(
            f"/console/loudspeakers/clusters/area/{tree.commune_b.pk}/command/stop/"
        ).status_code
        == 404
    )


def test_credentials_are_shown_once_and_never_cached(client, tree, cluster, outbox):
    login(client, Role.ADMINISTRATOR, tree.commune_a)
    url = f"/console/loudspeakers/clusters/{cluster.pk}/credentials/"
    response = client.post(url, {"operation": "issue"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    cluster.refresh_from_db()
    secret = body.split('class="gr-secret">')[1].split("<")[0]
    assert credentials.verify(secret, cluster.secret_hash)
    assert f'device_id = "{cluster.code}"' in html.unescape(body)
    assert secret not in client.get(url).content.decode()
    assert (
        secret
        not in client.get(
            f"/console/loudspeakers/clusters/inspect/{cluster.pk}/"
        ).content.decode()
    )
    client.post(url, {"operation": "revoke"})
    cluster.refresh_from_db()
    assert not cluster.has_credentials


def test_an_operator_cannot_touch_credentials(client, tree, cluster):
    login(client, Role.OPERATOR, tree.commune_a)
    response = client.post(
        f"/console/loudspeakers/clusters/{cluster.pk}/credentials/",
        {"operation": "issue"},
    )
    assert response.status_code in (302, 403) and b"gr-secret" not in response.content
    cluster.refresh_from_db()
    assert not cluster.has_credentials


def test_register_a_cluster_from_the_console(client, tree, outbox):
    from .factories import make_station

    station = make_station(tree.commune_a)
    login(client, Role.ADMINISTRATOR, tree.commune_a)
    data = {
        "station": station.pk,
        "area": tree.hamlet_a2.pk,
        "code": "NEW-1",
        "name": "<b>Chợ</b>",
        "link": "wifi",
        "speaker_count": 2,
        "speaker_power_w": 30,
    }
    assert (
        client.post(
            "/console/loudspeakers/clusters/new/", {**data, "area": tree.hamlet_b1.pk}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/console/loudspeakers/clusters/new/", {**data, "code": "bad code"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/console/loudspeakers/clusters/new/", {**data, "latitude": "10.5"}
        ).status_code
        == 200
    )
    assert not Cluster.objects.exists()
    assert client.post("/console/loudspeakers/clusters/new/", data).status_code == 302
    created = Cluster.objects.get(code="NEW-1")
    page = client.get(
        f"/console/loudspeakers/clusters/inspect/{created.pk}/"
    ).content.decode()
    assert "&lt;b&gt;Chợ&lt;/b&gt;" in page and "<b>Chợ</b>" not in page


def test_import_page_lists_problems_and_imports_nothing(client, tree):
    login(client, Role.ADMINISTRATOR, tree.commune_a)
    bad = io.BytesIO(
        f"commune_code,code\n{tree.commune_a.code},ok-1\n99999,x\n".encode()
    )
    bad.name = "clusters.csv"
    response = client.post("/console/loudspeakers/import/", {"file": bad})
    assert response.status_code == 200 and b"99999" in response.content
    assert not Cluster.objects.exists()
    good = io.BytesIO(
        f"commune_code,hamlet_code,code\n{tree.commune_a.code},{tree.hamlet_a1.code},ok-1\n".encode()
    )
    good.name = "clusters.csv"
    assert (
        client.post("/console/loudspeakers/import/", {"file": good}).status_code == 302
    )
    assert Cluster.objects.filter(code="ok-1").exists()


def test_live_json_is_cheap_and_scoped(
    client, tree, cluster, django_assert_max_num_queries
):
    make_cluster(tree.hamlet_b1)
    login(client, Role.VIEWER, tree.commune_a)
    with django_assert_max_num_queries(12):
        data = client.get("/console/loudspeakers/map/live.json?cells=1").json()
    assert [c["code"] for c in data["clusters"]] == [cluster.code]
    assert data["summary"]["never"] == 1
    assert "live_status" in data["clusters"][0]["cells"]
    assert client.get("/console/loudspeakers/map/").status_code == 200


def test_home_page_shows_offline_alerts(client, tree, cluster):
    from datetime import timedelta

    from django.utils import timezone

    from grassroots.loudspeakers.models import ClusterStatus

    ClusterStatus.objects.create(
        cluster=cluster, online=False, since=timezone.now() - timedelta(hours=3)
    )
    login(client, Role.VIEWER, tree.commune_a)
    page = client.get("/console/").content.decode()
    assert cluster.code in page


# API ----------------------------------------------------------------------------------


def test_api_lists_and_commands_within_scope(client, tree, cluster, outbox):
    other = make_cluster(tree.hamlet_b1)
    login(client, Role.OPERATOR, tree.commune_a)
    data = client.get("/api/v1/loudspeakers/clusters").json()
    assert [c["code"] for c in data] == [cluster.code]
    response = client.post(
        f"/api/v1/loudspeakers/clusters/{cluster.code}/commands",
        {"action": "volume", "args": {"level": 20}},
        content_type="application/json",
    )
    assert response.status_code == 202 and response.json()["targets"] == 1
    command_id = response.json()["id"]
    assert (
        client.get(f"/api/v1/loudspeakers/commands/{command_id}").json()["acknowledged"]
        == 0
    )
    assert (
        client.post(
            f"/api/v1/loudspeakers/clusters/{other.code}/commands",
            {"action": "stop"},
            content_type="application/json",
        ).status_code
        == 404
    )
    bad = client.post(
        f"/api/v1/loudspeakers/clusters/{cluster.code}/commands",
        {"action": "volume", "args": {"level": "loud"}},
        content_type="application/json",
    )
    # Checked by the request's schema now, like every other field.
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    broken = client.post(
        f"/api/v1/loudspeakers/clusters/{cluster.code}/commands",
        "{not json",
        content_type="application/json",
    )
    assert broken.status_code == 400 and "code" in broken.json()
    assert (
        client.post(
            f"/api/v1/loudspeakers/clusters/{cluster.code}/commands",
            {"action": "explode"},
            content_type="application/json",
        ).status_code
        == 422
    )


def test_api_needs_a_login(client, cluster):
    response = client.get("/api/v1/loudspeakers/clusters")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_emqx_hooks_answer_from_the_registry(client, tree, cluster, settings, outbox):
    settings.GRASSROOTS_BROKER_HOOK_TOKEN = "hook-token-for-tests"
    secret = actions.issue_credentials(None, cluster)
    headers = {"HTTP_AUTHORIZATION": "Bearer hook-token-for-tests"}

    def auth(**body):
        return client.post(
            "/api/v1/loudspeakers/broker/auth",
            json.dumps(body),
            content_type="application/json",
            **headers,
        ).json()["result"]

    def acl(**body):
        return client.post(
            "/api/v1/loudspeakers/broker/acl",
            json.dumps(body),
            content_type="application/json",
            **headers,
        ).json()["result"]

    assert (
        auth(username=cluster.code, password=secret, clientid=cluster.code) == "allow"
    )
    assert (
        auth(username=cluster.code, password="wrong", clientid=cluster.code) == "deny"
    )
    assert (
        auth(username=cluster.code, password=secret, clientid="someone-else") == "deny"
    )
    assert (
        auth(username="gr-gateway", password=credentials.service_password("gr-gateway"))
        == "allow"
    )
    root = settings.GRASSROOTS_MQTT_TOPIC_ROOT
    assert (
        acl(
            username=cluster.code,
            topic=f"{root}/v2/dev/{cluster.code}/state",
            action="publish",
        )
        == "allow"
    )
    assert (
        acl(username=cluster.code, topic=f"{root}/v2/dev/other/state", action="publish")
        == "deny"
    )
    assert (
        acl(
            username=cluster.code,
            topic=f"{root}/v2/area/{tree.commune_a.url_path}/emergency",
            action="subscribe",
        )
        == "allow"
    )
    assert (
        acl(
            username=cluster.code,
            topic=f"{root}/v2/area/{tree.commune_b.url_path}/emergency",
            action="subscribe",
        )
        == "deny"
    )
    assert (
        client.post(
            "/api/v1/loudspeakers/broker/auth", "{}", content_type="application/json"
        ).status_code
        == 401
    )
    settings.GRASSROOTS_BROKER_HOOK_TOKEN = ""
    assert (
        client.post(
            "/api/v1/loudspeakers/broker/auth",
            json.dumps({"username": "x"}),
            content_type="application/json",
            **headers,
        ).status_code
        == 401
    )
