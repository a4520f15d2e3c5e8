"""A cluster's page says what the device reports in words, not its raw codes."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from grassroots.loudspeakers.actions import reports
from grassroots.testing import make_user

from .factories import make_cluster, state

pytestmark = pytest.mark.django_db


def _amplifier_line(client, tree, **reported):
    cluster = make_cluster(tree.hamlet_a1)
    message = state(cluster.code, seq=1, **reported)
    reports.record_reports([(cluster.pk, message, timezone.now())], [])
    client.force_login(make_user("administrator", tree.province, username="adm"))
    html = client.get(f"/console/loudspeakers/clusters/inspect/{cluster.pk}/")
    text = html.content.decode().split("Bộ khuếch đại")[1][:200]
    return re.sub(r"<[^>]+>", "", text.split("</dd>")[0]).strip()


def test_the_amplifier_is_described_in_vietnamese(tree, client):
    assert _amplifier_line(client, tree, amplifier="ok") == "Hoạt động bình thường"


def test_a_switched_off_cluster_says_so(tree, client):
    line = _amplifier_line(client, tree, amplifier="fault", power="off")
    assert line == "Bị lỗi (đã tắt nguồn)"
    assert "ok" not in line and "(off)" not in line
