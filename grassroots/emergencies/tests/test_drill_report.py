"""A drill is reported like an emergency, and never counted as information disseminated."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from grassroots.boards import actions as board_actions
from grassroots.boards.models import BulletinDisplay
from grassroots.boards.tests.builders import event as shown
from grassroots.boards.tests.builders import make_board
from grassroots.dissemination import report as dissemination
from grassroots.dissemination.models import AreaCoverage, ClusterCoverage
from grassroots.dissemination.tests.builders import cluster, publish, store
from grassroots.emergencies import actions
from grassroots.emergencies.coverage import emergency_recipients
from grassroots.emergencies.report import percentile, report
from grassroots.indicators import registry
from grassroots.loudspeakers.models import Ack
from grassroots.testing import make_user
from grassroots_agent.protocol import now_iso

pytestmark = pytest.mark.django_db


def _played(emergency, kind: str, at: datetime.datetime, **extra) -> dict:
    """A play event as a device reports it for ``emergency``'s item."""
    data = {
        "id": uuid.uuid4().hex[:16],
        "kind": kind,
        "at": now_iso(at.timestamp()),
        "item": emergency.item_id,
        "source": "emergency",
        "priority": "emergency",
        **extra,
    }
    if emergency.drill:
        data["drill"] = True
    return data


def _ack(cluster_, emergency, after_s: float, status: str = "ok") -> None:
    ack = {
        "id": uuid.uuid4().hex[:16],
        "kind": "ack",
        "at": now_iso(),
        "ref": emergency.item_id,
        "ref_type": "emergency",
        "status": status,
        "version": emergency.rev,
    }
    store(cluster_, ack)
    Ack.objects.filter(cluster=cluster_, ref=emergency.item_id).update(
        received_at=emergency.started_at + datetime.timedelta(seconds=after_s)
    )


def _values(area) -> dict[str, tuple]:
    today = timezone.localdate()
    start = today.replace(day=1)
    return {
        code: (m.numerator, m.denominator)
        for code in ("essential_disseminated", "source_information")
        for m in [registry.get(code).compute(area, start, today)]
    }


def test_a_drill_heard_everywhere_counts_for_no_bulletin_and_no_indicator(
    tree, people, operator_a, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    here = [cluster(tree.hamlet_a1), cluster(tree.hamlet_a2)]
    flood = publish(people, tree.commune_a, title="Lũ", level="emergency")
    before = _values(tree.commune_a)
    assert before["essential_disseminated"] == (0, 1)

    with capture(execute=True):
        drill = actions.start_drill(operator_a, areas=[tree.commune_a])
    now = timezone.now()
    for c in here:
        store(c, _played(drill, "started", now), _played(drill, "finished", now))
    board = make_board(tree.hamlet_a1, place="public")
    accepted = board_actions.record_report(
        board, events=[shown(f"emergency:{drill.takeover_id}", at=now, seconds=1)]
    )
    assert accepted.accepted, "the board's proof of display of the drill is kept"

    assert report(drill).played == 2, "proof of play per cluster, as for a real one"
    assert not ClusterCoverage.objects.exists() and not AreaCoverage.objects.exists()
    assert not BulletinDisplay.objects.exists()
    assert _values(tree.commune_a) == before
    assert not set(emergency_recipients(flood))
    assert dissemination.build(flood, None).count("played") == 0

    # The same clusters airing the real emergency of that bulletin do count.
    with capture(execute=True):
        real = actions.start(operator_a, flood, areas=[tree.commune_a])
    for c in here:
        store(c, _played(real, "finished", timezone.now()))
    assert _values(tree.commune_a)["essential_disseminated"] == (1, 1)
    assert dissemination.build(flood, None).count("played") == 2


def test_the_report_says_who_acknowledged_played_how_fast_and_who_failed_why(
    tree, operator_a, outbox, django_capture_on_commit_callbacks
):
    fast, slow, broken = (cluster(tree.hamlet_a1) for _ in range(3))
    silent_online = cluster(tree.hamlet_a1)
    gone = cluster(tree.hamlet_a1, online=False)
    cluster(tree.hamlet_b1)  # not targeted
    with django_capture_on_commit_callbacks(execute=True):
        drill = actions.start_drill(operator_a, areas=[tree.hamlet_a1])
    t0 = drill.started_at
    _ack(fast, drill, 1)
    _ack(slow, drill, 3)
    _ack(broken, drill, 5)
    for c, start_s in ((fast, 2), (slow, 4)):
        at = t0 + datetime.timedelta(seconds=start_s)
        store(c, _played(drill, "started", at), _played(drill, "finished", at))
    store(
        broken,
        _played(
            drill,
            "failed",
            t0 + datetime.timedelta(seconds=9),
            reason="audio unavailable",
        ),
    )

    result = report(drill)
    assert (result.targeted, result.acknowledged, result.played) == (5, 3, 2)
    assert (result.ack_p50_s, result.ack_p95_s) == (3.0, 5.0)
    # Device times travel in milliseconds.
    assert result.play_p50_s == pytest.approx(2.0, abs=0.01)
    assert result.play_p95_s == pytest.approx(4.0, abs=0.01)
    reasons = {p.cluster: p.reason for p in result.problems}
    assert reasons == {
        broken: "phát lỗi: không tải được tệp âm thanh",
        silent_online: "không xác nhận (hiện trực tuyến)",
        gone: "không xác nhận (hiện mất kết nối)",
    }
    assert result.problem_count == 3 and sum(n for _r, n in result.reasons) == 3


def test_percentiles_by_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.95) == 4.0
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95)) == (50.0, 95.0)


def test_the_report_page_is_scoped_and_plain(
    tree, operator_a, client, outbox, django_capture_on_commit_callbacks
):
    cluster(tree.hamlet_a1)
    with django_capture_on_commit_callbacks(execute=True):
        drill = actions.start_drill(operator_a, areas=[tree.hamlet_a1])
    client.force_login(operator_a)
    page = client.get(f"/console/emergencies/{drill.pk}/report/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Báo cáo diễn tập" in text and "THỬ NGHIỆM" in text
    assert "không xác nhận (hiện trực tuyến)" in text
    client.force_login(make_user("viewer", tree.commune_b))
    assert client.get(f"/console/emergencies/{drill.pk}/report/").status_code == 404
