"""Load balancers, administrators and Prometheus can tell what is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import translation

from grassroots.core import health
from grassroots.loudspeakers.models import ClusterStatus
from grassroots.loudspeakers.tests.factories import make_cluster
from grassroots.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_dir(settings, tmp_path):
    settings.GRASSROOTS_RUN_DIR = tmp_path / "run"
    return settings.GRASSROOTS_RUN_DIR


def test_healthz_says_whether_the_database_answers(client, monkeypatch):
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.json()["database"] is True

    def broken():
        raise connection.Database.OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken)
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json() == {"status": "unavailable", "database": False}


def test_metrics_need_the_token_or_loopback(client, settings, tree, run_dir):
    settings.GRASSROOTS_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 403
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403, "through nginx it comes from outside"
    settings.GRASSROOTS_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    right = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert right.status_code == 200
    assert "s3cret" not in right.content.decode()


def test_metrics_report_devices_drops_and_job_failures(client, tree, run_dir):
    online = make_cluster(tree.hamlet_a1)
    make_cluster(tree.hamlet_a2)
    ClusterStatus.objects.update_or_create(cluster=online, defaults={"online": True})
    health.beat(
        "gateway", counts={"dropped_rate": 7, "dropped_schema": 2, "events_new": 9}
    )
    health.beat("worker", job_failures={"grassroots.tts.tasks.render": 3})
    text = client.get("/metrics").content.decode()
    assert "grassroots_devices_online 1.0" in text
    assert "grassroots_devices_active 2.0" in text
    assert 'grassroots_gateway_dropped_total{reason="rate"} 7.0' in text
    assert 'grassroots_gateway_dropped_total{reason="schema"} 2.0' in text
    assert (
        'grassroots_job_failures_total{task="grassroots.tts.tasks.render"} 3.0' in text
    )
    assert "grassroots_queue_depth" in text
    assert "grassroots_emergency_ack_latency_seconds_count 0.0" in text
    assert 'grassroots_up{part="gateway"} 1.0' in text


def test_a_dead_process_heartbeat_is_reported_down(run_dir):
    health.beat("gateway")
    assert health.check_beat("gateway").ok
    record = health.read_beat("gateway")
    record["pid"] = 2**22 + 12345  # no such process
    (run_dir / "gateway.json").write_text(__import__("json").dumps(record))
    with translation.override("en"):
        check = health.check_beat("gateway")
    assert not check.ok and "gone" in check.detail
    assert not health.check_beat("worker").ok


def test_administrators_see_what_is_down_on_the_console(
    client, tree, run_dir, settings
):
    settings.GRASSROOTS_MQTT_URL = "mqtt://127.0.0.1:9"  # nothing listens
    admin = make_user("administrator", tree.province, username="adm")
    client.force_login(admin)
    page = client.get("/console/").content.decode()
    assert "gr-down-heading" in page and "broker" in page
    editor = make_user("editor", tree.province, username="ed")
    client.force_login(editor)
    assert "gr-down-heading" not in client.get("/console/").content.decode()


def test_status_says_in_one_line_each_what_is_down_even_without_a_database(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings.dev",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "REDIS_URL": "",
        "MQTT_URL": "mqtt://127.0.0.1:9",
        "GRASSROOTS_PORT": "9",
        "GRASSROOTS_DATA_DIR": str(tmp_path),
    }
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "grassroots", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 50  # a busy machine; 4 s when idle
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 1, done.stderr
    names = [line.split()[1] for line in lines]
    for part in (
        "database",
        "broker",
        "web",
        "worker",
        "gateway",
        "queue",
        "disk",
        "devices",
    ):
        assert part in names, lines
    assert all(len(line) < 300 for line in lines)
    down = {line.split()[1] for line in lines if line.startswith("DOWN")}
    assert {"database", "broker", "web", "worker", "gateway", "devices"} <= down
    assert "disk" not in down
