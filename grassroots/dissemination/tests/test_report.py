"""The dissemination report: the page, the spreadsheet and the API, scoped to the user's area."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grassroots.boards import actions as board_actions
from grassroots.boards.tests.builders import event as shown
from grassroots.boards.tests.builders import make_board
from grassroots.dissemination import report
from grassroots.loudspeakers import actions as loudspeaker_actions
from grassroots.loudspeakers import playables
from grassroots.loudspeakers.models import ClusterState
from grassroots.loudspeakers.tests.factories import item
from grassroots.testing import make_user

from .builders import cluster, event, publish, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(tree, people, outbox, django_capture_on_commit_callbacks):
    """A commune A bulletin: one cluster played, one failed, one offline, one waiting."""
    bulletin = publish(people, tree.commune_a, title="Lịch tiêm chủng tháng 11")
    played = cluster(tree.hamlet_a1, code="A1-PLAYED")
    failed = cluster(tree.hamlet_a2, code="A2-FAILED")
    cluster(tree.hamlet_a2, code="A2-OFFLINE", online=False)
    cluster(tree.hamlet_a2, code="A2-WAITING")
    cluster(tree.hamlet_a1, code="A1-RETIRED", state=ClusterState.RETIRED)
    cluster(tree.hamlet_b1, code="B1-ELSEWHERE")
    sent = cluster(tree.hamlet_b2, code="B2-SENT")
    now = timezone.now()
    store(
        played,
        event(bulletin, at=now - timedelta(hours=2)),
        event(bulletin, at=now - timedelta(hours=1), ref="2"),
    )
    store(failed, event(bulletin, "failed", reason="audio unavailable"))
    with django_capture_on_commit_callbacks(execute=True):
        loudspeaker_actions.send_schedule(
            None,
            sent,
            [item(playables.bulletin_item_id(bulletin.pk, "prog", 7), start_in=600)],
        )
    board = make_board(tree.hamlet_a2, code="A2-BOARD", place="public")
    board_actions.record_report(board, events=[shown(f"bulletin:{bulletin.pk}")])
    return bulletin


def test_the_report_names_who_played_failed_was_offline_or_waits(tree, scene):
    result = report.build(scene, None)
    outcomes = {c.code: c.outcome for c in result.clusters}
    assert outcomes == {
        "A1-PLAYED": report.PLAYED,
        "A2-FAILED": report.FAILED,
        "A2-OFFLINE": report.OFFLINE,
        "A2-WAITING": report.PENDING,
        "B2-SENT": report.PENDING,
    }
    failed = next(c for c in result.clusters if c.code == "A2-FAILED")
    assert failed.failure_reason == "audio unavailable"
    offline = next(c for c in result.clusters if c.code == "A2-OFFLINE")
    assert not offline.online and offline.offline_since is not None
    assert (result.hamlets_heard, result.hamlets_targeted) == (1, 2)
    assert result.times_played == 2
    a2 = next(h for h in result.hamlets if h.area_id == tree.hamlet_a2.pk)
    assert (a2.heard, a2.clusters_targeted, a2.boards) == (False, 3, 1)
    assert [b.code for b in result.boards] == ["A2-BOARD"]


def test_the_console_page_in_vietnamese(client, tree, scene):
    viewer = make_user("viewer", tree.commune_a)
    client.force_login(viewer)
    page = client.get(f"/console/dissemination/{scene.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1/2 ấp đã nghe" in html
    assert 'data-cluster="A2-FAILED" data-outcome="failed"' in html
    assert "audio unavailable" in html
    assert "Mất kết nối" in html or "mất kết nối" in html
    assert "B2-SENT" not in html, "outside the viewer's commune"
    only_failed = client.get(f"/console/dissemination/{scene.pk}/?outcome=failed")
    assert "A2-FAILED" in only_failed.content.decode()
    assert "A1-PLAYED" not in only_failed.content.decode()
    listing = client.get("/console/dissemination/?q=tiêm")
    assert "Lịch tiêm chủng tháng 11" in listing.content.decode()
    assert "1/2" in listing.content.decode()
    # Junk in the query string is no error.
    assert (
        client.get(f"/console/dissemination/{scene.pk}/?cp=zz&hp=-1").status_code == 200
    )


def test_the_bulletin_page_links_to_its_report(client, tree, scene):
    client.force_login(make_user("viewer", tree.commune_a))
    page = client.get(reverse("bulletins_bulletin:inspect", args=[scene.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/console/dissemination/{scene.pk}/" in html
    assert "1/2 ấp đã nghe" in html


def test_out_of_scope_is_not_found(client, tree, scene):
    client.force_login(make_user("viewer", tree.commune_b))
    assert client.get(f"/console/dissemination/{scene.pk}/").status_code == 404
    assert client.get(f"/console/dissemination/{scene.pk}/xlsx/").status_code == 404
    response = client.get(f"/api/v1/dissemination/bulletins/{scene.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_province_bulletin_shows_each_commune_only_its_own(client, tree, people):
    bulletin = publish(people, tree.province, title="Phòng chống bão số 9")
    a, b = cluster(tree.hamlet_a1, code="A1-X"), cluster(tree.hamlet_b1, code="B1-X")
    store(a, event(bulletin))
    store(b, event(bulletin, "failed", reason="power off"))
    client.force_login(make_user("viewer", tree.commune_b))
    data = client.get(f"/api/v1/dissemination/bulletins/{bulletin.pk}").json()
    assert [c["code"] for c in data["clusters"]] == ["B1-X"]
    assert data["clusters"][0]["failure_reason"] == "power off"
    assert (data["hamlets_heard"], data["hamlets_targeted"]) == (0, 2)
    client.force_login(make_user("viewer", tree.province))
    data = client.get(f"/api/v1/dissemination/bulletins/{bulletin.pk}").json()
    assert (data["hamlets_heard"], data["hamlets_targeted"]) == (1, 4)


def test_the_spreadsheet_holds_the_same_lines(client, tree, scene):
    client.force_login(make_user("viewer", tree.commune_a))
    response = client.get(f"/console/dissemination/{scene.pk}/xlsx/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["Ấp đã nghe"] == "1/2"
    clusters = list(book.worksheets[2].iter_rows(values_only=True))
    assert sorted(r[0] for r in clusters[1:]) == [
        "A1-PLAYED",
        "A2-FAILED",
        "A2-OFFLINE",
        "A2-WAITING",
    ]
    failed = next(r for r in clusters if r[0] == "A2-FAILED")
    assert failed[8] == "audio unavailable"


def test_the_api_report_and_list(client, tree, scene):
    assert client.get(f"/api/v1/dissemination/bulletins/{scene.pk}").status_code == 401
    client.force_login(make_user("viewer", tree.commune_a))
    data = client.get(f"/api/v1/dissemination/bulletins/{scene.pk}").json()
    assert {c["code"]: c["outcome"] for c in data["clusters"]} == {
        "A1-PLAYED": "played",
        "A2-FAILED": "failed",
        "A2-OFFLINE": "offline",
        "A2-WAITING": "pending",
    }
    played = next(c for c in data["clusters"] if c["code"] == "A1-PLAYED")
    assert played["times_played"] == 2
    listing = client.get("/api/v1/dissemination/bulletins/?q=tiêm").json()
    assert listing["count"] == 1
    assert listing["results"][0]["hamlets_heard"] == 1
    assert client.get("/api/v1/dissemination/bulletins/?limit=0").status_code == 422
    missing = client.get("/api/v1/dissemination/bulletins/987654")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_failure_reason_that_looks_like_a_formula_stays_text(client, tree, people):
    """A device's reason is device-supplied text: never a formula in the file."""
    bulletin = publish(people, tree.commune_a, title="Thông báo")
    device = cluster(tree.hamlet_a1, code="A1-EVIL")
    store(device, event(bulletin, "failed", reason='=HYPERLINK("http://x","y")'))
    client.force_login(make_user("viewer", tree.commune_a))
    response = client.get(f"/console/dissemination/{bulletin.pk}/xlsx/")
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.worksheets[2].iter_rows() for c in row if c.column == 9]
    evil = [c for c in cells if c.value == '=HYPERLINK("http://x","y")']
    assert evil and all(c.data_type == "s" for c in evil)
