"""Provisioning without the console: the command line, the API, a factory's batch, TLS."""

from __future__ import annotations

import io
import ssl
import stat
import subprocess
import tomllib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.loudspeakers import actions, brokerfiles, credentials
from grassroots.loudspeakers.models import Cluster
from grassroots.testing import make_user
from grassroots_agent.agent import device_config
from grassroots_agent.mqtt import Connection, MqttError

from .conftest import free_port, run_broker, wait_port
from .factories import make_cluster

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Commands speak the installation's language; these tests read English."""
    settings.LANGUAGE_CODE = "en"


#: What a firmware writer relies on (docs/loudspeakers.md, "The credentials file").
KEYS = {
    "device_id",
    "secret",
    "broker",
    "root",
    "areas",
    "heartbeat_s",
    "link",
    "state_dir",
    "player",
}

FACTORY = """commune_code,hamlet_code,code,location,connection
{a},{h1},FAC-1,Chợ,4G
{a},{h2},FAC-2,Trường học,Wi-Fi
{a},,FAC-3,UBND xã,có dây
"""


def _csv(text: str, tree) -> bytes:
    return text.format(
        a=tree.commune_a.code,
        h1=tree.hamlet_a1.code,
        h2=tree.hamlet_a2.code,
        b=tree.commune_b.code,
    ).encode()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("clusters", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# Command line -------------------------------------------------------------------------


def test_add_issue_rotate_and_revoke_from_the_command_line(tree, outbox, tmp_path):
    _run(
        "add",
        "CLI-1",
        "--commune",
        tree.commune_a.code,
        "--hamlet",
        tree.hamlet_a1.code,
        "--name",
        "Ngã ba",
    )
    cluster = Cluster.objects.get(code="CLI-1")
    assert cluster.area == tree.hamlet_a1 and cluster.station.commune == tree.commune_a

    path = tmp_path / "CLI-1.toml"
    _run("issue-credentials", "CLI-1", "--out", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = tomllib.loads(path.read_text())
    assert KEYS <= set(config)
    assert config["device_id"] == "CLI-1"
    cluster.refresh_from_db()
    assert credentials.verify(config["secret"], cluster.secret_hash)

    # Issuing again would cut the device off: only when asked to.
    with pytest.raises(CommandError, match="already has credentials"):
        _run("issue-credentials", "CLI-1", "--out", str(tmp_path / "again.toml"))
    assert not (tmp_path / "again.toml").exists()
    _run("issue-credentials", "CLI-1", "--out", str(tmp_path / "new.toml"), "--rotate")
    cluster.refresh_from_db()
    assert not credentials.verify(config["secret"], cluster.secret_hash)

    _run("revoke", "CLI-1")
    cluster.refresh_from_db()
    assert not cluster.has_credentials
    actions_done = list(
        AuditEntry.objects.filter(object_id=str(cluster.pk))
        .order_by("at", "pk")
        .values_list("action", "source")
    )
    assert actions_done == [
        ("loudspeakers.cluster_create", "command"),
        ("loudspeakers.credentials_issue", "command"),
        ("loudspeakers.credentials_rotate", "command"),
        ("loudspeakers.credentials_revoke", "command"),
    ]


def test_the_command_line_acting_as_a_user_stays_in_their_area(tree, outbox, tmp_path):
    cluster = make_cluster(tree.hamlet_a1)
    other = make_user(Role.ADMINISTRATOR, tree.commune_b)
    with pytest.raises(CommandError, match="outside your area"):
        _run(
            "--user",
            other.username,
            "issue-credentials",
            cluster.code,
            "--out",
            str(tmp_path / "x.toml"),
        )
    with pytest.raises(CommandError, match="outside your area"):
        _run("--user", other.username, "add", "X-9", "--commune", tree.commune_a.code)
    cluster.refresh_from_db()
    assert not cluster.has_credentials and not (tmp_path / "x.toml").exists()
    assert not Cluster.objects.filter(code="X-9").exists()


def test_a_factory_batch_gives_each_row_its_credentials_file(tree, outbox, tmp_path):
    source = tmp_path / "factory.csv"
    source.write_bytes(_csv(FACTORY, tree))
    out = tmp_path / "out"
    report = _run("add", "--file", str(source), "--out", str(out))
    for line, code in ((2, "FAC-1"), (3, "FAC-2"), (4, "FAC-3")):
        assert f"line {line}: {code} created" in report
        config = tomllib.loads((out / f"{code}.toml").read_text())
        cluster = Cluster.objects.get(code=code)
        assert credentials.verify(config["secret"], cluster.secret_hash)
        assert stat.S_IMODE((out / f"{code}.toml").stat().st_mode) == 0o600
    # The same batch again would cut three devices off: refused, whole.
    again = tmp_path / "again"
    with pytest.raises(CommandError, match="3 problem"):
        _run("add", "--file", str(source), "--out", str(again))
    assert not list(again.glob("*.toml"))


def test_a_bad_factory_batch_registers_nothing_and_lists_every_problem(
    tree, outbox, tmp_path
):
    bad = (
        "commune_code,hamlet_code,code,connection,state\n"
        "{a},{h1},OK-1,4G,\n"
        "{a},{h1},gr-web,4G,\n"
        "99999,,OK-2,4G,\n"
        "{a},,OK-3,4G,ngừng hoạt động\n"
    )
    source = tmp_path / "bad.csv"
    source.write_bytes(_csv(bad, tree))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was registered"):
        call_command(
            "clusters",
            "add",
            "--file",
            str(source),
            "--out",
            str(tmp_path / "out"),
            stdout=io.StringIO(),
            stderr=errors,
        )
    listed = errors.getvalue()
    assert "Line 3" in listed and "gr-" in listed
    assert "Line 4" in listed and "Line 5" in listed and "retired" in listed
    assert "Line 2" not in listed
    assert Cluster.objects.count() == 0
    assert not list((tmp_path / "out").glob("*.toml"))


# API ----------------------------------------------------------------------------------

API = "/api/v1/loudspeakers"


def test_register_issue_and_revoke_through_the_api(tree, outbox, client):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
    client.force_login(admin)
    created = client.post(
        f"{API}/clusters",
        {
            "code": "API-1",
            "commune": tree.commune_a.code,
            "hamlet": tree.hamlet_a1.code,
            "link": "wifi",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "API-1"

    issued = client.post(f"{API}/clusters/API-1/credentials")
    assert issued.status_code == 201, issued.content
    assert issued["Cache-Control"] == "no-store"
    body = issued.json()
    assert KEYS <= set(tomllib.loads(body["file"]))
    cluster = Cluster.objects.get(code="API-1")
    assert credentials.verify(body["secret"], cluster.secret_hash)
    assert body["device_id"] == "API-1" and body["ca_pem"] is None

    again = client.post(f"{API}/clusters/API-1/credentials")
    assert again.status_code == 409 and again.json()["code"] == "already_provisioned"
    rotated = client.post(f"{API}/clusters/API-1/credentials?rotate=true")
    assert rotated.status_code == 201 and rotated.json()["secret"] != body["secret"]

    revoked = client.delete(f"{API}/clusters/API-1/credentials")
    assert revoked.status_code == 204
    cluster.refresh_from_db()
    assert not cluster.has_credentials


def test_the_api_refuses_reserved_codes_and_other_areas(tree, outbox, client):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_b)
    client.force_login(admin)
    reserved = client.post(
        f"{API}/clusters",
        {"code": "gr-gateway", "commune": tree.commune_b.code},
        content_type="application/json",
    )
    assert reserved.status_code == 400 and "code" in reserved.json()["errors"]
    elsewhere = client.post(
        f"{API}/clusters",
        {"code": "API-9", "commune": tree.commune_a.code},
        content_type="application/json",
    )
    assert elsewhere.status_code == 403
    theirs = make_cluster(tree.hamlet_a1)
    assert client.post(f"{API}/clusters/{theirs.code}/credentials").status_code == 404
    viewer = make_user(Role.VIEWER, tree.commune_a)
    client.force_login(viewer)
    refused = client.post(f"{API}/clusters/{theirs.code}/credentials")
    assert refused.status_code == 403
    theirs.refresh_from_db()
    assert not theirs.has_credentials
    assert not Cluster.objects.filter(code__in=["gr-gateway", "API-9"]).exists()


def test_a_factory_batch_through_the_api(tree, outbox, client):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
    client.force_login(admin)
    good = io.BytesIO(_csv(FACTORY, tree))
    good.name = "factory.csv"
    answer = client.post(f"{API}/provisioning/batches", {"file": good})
    assert answer.status_code == 201, answer.content
    assert answer["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["provisioned"] == 3
    assert [(r["line"], r["code"], r["outcome"]) for r in body["rows"]] == [
        (2, "FAC-1", "created"),
        (3, "FAC-2", "created"),
        (4, "FAC-3", "created"),
    ]
    for row in body["rows"]:
        cluster = Cluster.objects.get(code=row["code"])
        assert credentials.verify(row["credentials"]["secret"], cluster.secret_hash)

    bad = io.BytesIO(_csv(FACTORY.replace("FAC-3", "gr-x"), tree))
    bad.name = "bad.csv"
    refused = client.post(
        f"{API}/provisioning/batches", {"file": bad, "rotate": "true"}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_file"
    assert [e["line"] for e in refused.json()["errors"]] == [4]
    assert not Cluster.objects.filter(code="gr-x").exists()


# TLS ----------------------------------------------------------------------------------


def _certificates(directory) -> tuple:
    """A CA and a server certificate for 127.0.0.1, made with Debian's openssl."""
    ca_key, ca, key, csr, cert = (
        directory / n
        for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    ext = directory / "san.ext"
    ext.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (
        [
            "openssl",
            "req",
            "-x509",
            *ec,
            "-keyout",
            ca_key,
            "-out",
            ca,
            "-days",
            "2",
            "-subj",
            "/CN=Test CA",
            # What Python 3.13's strict verification asks of an authority.
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-out",
            cert,
            "-days",
            "2",
            "-extfile",
            ext,
        ],
    ):
        subprocess.run([str(c) for c in command], check=True, capture_output=True)  # noqa: S603 - Debian's openssl
    return ca, cert, key


@pytest.mark.broker
def test_with_a_certificate_devices_connect_over_tls_with_the_ca_from_their_file(
    tree, outbox, broker_settings, mosquitto_binary, tmp_path, loop_thread
):
    settings = broker_settings
    ca, cert, key = _certificates(tmp_path)
    settings.GRASSROOTS_MQTT_TLS_CERT, settings.GRASSROOTS_MQTT_TLS_KEY = cert, key
    settings.GRASSROOTS_MQTT_TLS_CA = ca
    settings.GRASSROOTS_MQTT_TLS_PORT = free_port()
    settings.GRASSROOTS_MQTT_BIND = "0.0.0.0"  # noqa: S104 - what production sets
    settings.GRASSROOTS_DEVICE_BROKER_URL = (
        f"mqtts://127.0.0.1:{settings.GRASSROOTS_MQTT_TLS_PORT}"
    )
    cluster = make_cluster(tree.hamlet_a1)
    secret = actions.issue_credentials(None, cluster)
    config = tomllib.loads(actions.agent_config(cluster, secret))
    assert config["broker"].startswith("mqtts://")
    assert "BEGIN CERTIFICATE" in config["ca_pem"]
    conf = brokerfiles.mosquitto_conf(brokerfiles.directory())
    # From the network only TLS; plain MQTT stays on loopback.
    assert f"listener {settings.GRASSROOTS_MQTT_TLS_PORT} 0.0.0.0" in conf
    assert f"listener {settings.GRASSROOTS_MQTT_PORT} 127.0.0.1" in conf

    running = run_broker(settings)
    broker = next(running)
    device = device_config(config)

    async def connect(tls):
        try:
            connection = await Connection.open(
                device.host,
                device.port,
                client_id=cluster.code,
                username=cluster.code,
                password=secret,
                tls=tls,
                on_message=lambda *a: None,
                timeout=5,
            )
        except (MqttError, OSError) as exc:
            return type(exc).__name__
        connection.disconnect()
        return "connected"

    try:
        assert device.tls is not None and device.port == broker.tls_port
        assert loop_thread.run(connect(device.tls)) == "connected"
        # Without the CA from the file, the broker's certificate is not trusted.
        assert loop_thread.run(connect(ssl.create_default_context())) != "connected"
    finally:
        running.close()


# Checks -------------------------------------------------------------------------------


def test_grassroots_check_says_what_the_broker_lacks(settings, monkeypatch, tmp_path):
    from grassroots.loudspeakers.checks import broker_setup

    settings.GRASSROOTS_PRIVATE_BROKER = True
    monkeypatch.setattr(brokerfiles, "mosquitto_binary", lambda: None)
    [missing] = broker_setup(None)
    assert missing.id == "loudspeakers.W002" and "apt-get install" in missing.msg

    monkeypatch.undo()
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    settings.GRASSROOTS_MQTT_TLS_CERT = cert
    settings.GRASSROOTS_MQTT_TLS_KEY = None
    assert [p.id for p in broker_setup(None)] == ["loudspeakers.E003"]
    settings.GRASSROOTS_MQTT_TLS_KEY = tmp_path / "missing.pem"
    settings.GRASSROOTS_DEVICE_BROKER_URL = "mqtts://127.0.0.1:8883"
    assert [p.id for p in broker_setup(None)] == [
        "loudspeakers.E004",
        "loudspeakers.W001",
    ]
    settings.GRASSROOTS_MQTT_TLS_KEY = cert
    settings.GRASSROOTS_DEVICE_BROKER_URL = "mqtts://loa.dongthap.gov.vn:8883"
    assert broker_setup(None) == []


# The private broker of `grassroots run` -----------------------------------------------


@pytest.mark.broker
def test_grassroots_run_starts_mosquitto_on_the_generated_files(
    tree, outbox, broker_settings, mosquitto_binary, monkeypatch, loop_thread
):
    from grassroots.runtime.processes import processes

    [broker] = [p for p in processes() if p.name == "broker"]
    assert broker.argv[-1] == "broker"
    cluster = make_cluster(tree.hamlet_a1)
    secret = actions.issue_credentials(None, cluster)
    became: list[list[str]] = []
    monkeypatch.setattr(
        "os.execv", lambda binary, argv: became.append([binary, *argv[1:]])
    )
    call_command("broker", stdout=io.StringIO(), stderr=io.StringIO())
    [argv] = became
    assert argv == [
        mosquitto_binary,
        "-c",
        str(brokerfiles.directory() / "mosquitto.conf"),
    ]
    process = subprocess.Popen(argv)  # noqa: S603 - Debian's mosquitto
    try:
        wait_port(broker_settings.GRASSROOTS_MQTT_PORT)
        wait_port(broker_settings.GRASSROOTS_MQTT_SERVICE_PORT)

        async def logins():
            results = []
            for port, user, password in (
                (broker_settings.GRASSROOTS_MQTT_PORT, cluster.code, secret),
                (
                    broker_settings.GRASSROOTS_MQTT_SERVICE_PORT,
                    credentials.WEB,
                    credentials.service_password(credentials.WEB),
                ),
            ):
                connection = await Connection.open(
                    "127.0.0.1",
                    port,
                    client_id=f"{user}-x",
                    username=user,
                    password=password,
                    on_message=lambda *a: None,
                    timeout=5,
                )
                connection.disconnect()
                results.append(user)
            return results

        assert loop_thread.run(logins()) == [cluster.code, credentials.WEB]
    finally:
        process.terminate()
        process.wait(5)
    broker_settings.GRASSROOTS_PRIVATE_BROKER = False
    assert "broker" not in [p.name for p in processes()]
