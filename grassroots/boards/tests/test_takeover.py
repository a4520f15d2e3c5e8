"""Emergency takeover: the broadcasts contract, and emergency bulletins on the board channel."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.accounts.models import AuditEntry
from grassroots.boards import actions, playlist
from grassroots.boards.models import PushEvent, Takeover
from grassroots.bulletins import actions as bulletin_actions
from grassroots.bulletins.tests.builders import make_published
from grassroots.testing import make_user

from .builders import make_board

pytestmark = pytest.mark.django_db


def flood(tree, actor=None, **extra):
    return actions.take_over(
        **{
            "emergency_id": "cap-2025-001",
            "area_paths": [tree.commune_a.path],
            "title": "Lũ khẩn cấp",
            "text": "Di dời ngay.",
            "level": "emergency",
            "actor": actor,
            **extra,
        }
    )


def test_take_over_reaches_every_board_under_the_areas(tree):
    in_commune = make_board(tree.commune_a)
    in_hamlet = make_board(tree.hamlet_a1)
    elsewhere = make_board(tree.commune_b)
    operator = make_user("operator", tree.commune_a)
    takeover = flood(tree, operator)
    assert playlist.takeovers_for(in_commune) == [takeover]
    assert playlist.takeovers_for(in_hamlet) == [takeover]
    assert playlist.takeovers_for(elsewhere) == []
    push = PushEvent.objects.get(kind="takeover")
    assert push.area_path == tree.commune_a.path
    assert push.payload["title"] == "Lũ khẩn cấp"
    entry = AuditEntry.objects.get(action="board.takeover")
    assert entry.actor == operator and entry.area_path == tree.commune_a.path


def test_take_over_twice_changes_nothing_and_an_update_is_pushed(tree):
    first = flood(tree)
    PushEvent.objects.all().delete()
    assert flood(tree) == first
    assert not PushEvent.objects.exists()
    flood(tree, text="Nước đã lên 4,3 m. Di dời ngay.", area_paths=[tree.province.path])
    first.refresh_from_db()
    assert first.text.startswith("Nước đã lên") and first.area_paths == [
        tree.province.path
    ]
    assert PushEvent.objects.filter(
        kind="takeover", area_path=tree.province.path
    ).exists()
    assert AuditEntry.objects.filter(action="board.takeover_update").count() == 1


def test_release_is_idempotent_and_a_released_emergency_stays_released(tree):
    flood(tree)
    released = actions.release(emergency_id="cap-2025-001", actor=None)
    assert released.released_at is not None
    again = actions.release(emergency_id="cap-2025-001", actor=None)
    assert again.released_at == released.released_at
    assert actions.release(emergency_id="never-was", actor=None) is None
    assert PushEvent.objects.filter(kind="release").count() == 1
    with pytest.raises(ValidationError):  # a late retry never brings a false alarm back
        flood(tree)


def test_only_those_who_may_broadcast_emergencies_in_every_area_take_over(tree):
    with pytest.raises(PermissionDenied):
        flood(tree, make_user("editor", tree.commune_a))
    with pytest.raises(PermissionDenied):
        flood(
            tree,
            make_user("operator", tree.commune_a),
            area_paths=[tree.commune_a.path, tree.commune_b.path],
        )
    flood(tree)
    with pytest.raises(PermissionDenied):
        actions.release(
            emergency_id="cap-2025-001", actor=make_user("operator", tree.commune_b)
        )
    assert Takeover.objects.active().count() == 1


def test_bad_takeovers_are_refused(tree):
    for bad in (
        {"emergency_id": ""},
        {"emergency_id": "x" * 200},
        {"area_paths": []},
        {"area_paths": ["99/nowhere/"]},
        {"level": "apocalyptic"},
        {"title": ""},
        {"title": "<img src=x onerror=alert(1)>"},
    ):
        with pytest.raises(ValidationError):
            flood(tree, **bad)
    assert not Takeover.objects.exists()


def test_paths_are_accepted_with_or_without_the_last_slash(tree):
    takeover = flood(tree, area_paths=[tree.commune_a.url_path, tree.hamlet_a1.path])
    assert takeover.area_paths == [tree.commune_a.path]  # the hamlet is inside it


# Emergency bulletins -----------------------------------------------------------------


def test_an_emergency_bulletin_takes_over_its_target_areas_until_withdrawn(
    tree, people, committed
):
    board = make_board(tree.hamlet_b1)
    with committed():
        bulletin = make_published(
            people.province_editor,
            people.province_approver,
            tree.province,
            title="Cháy rừng tràm",
            summary="Sơ tán khỏi khu vực rừng.",
            level="emergency",
            targets=[tree.commune_b],
        )
    takeover = Takeover.objects.get(emergency_id=f"bulletin-{bulletin.pk}")
    assert takeover.bulletin == bulletin and takeover.source == "bulletin"
    assert "Sơ tán" in takeover.text
    assert playlist.takeovers_for(board) == [takeover]
    with committed():
        bulletin_actions.withdraw(people.province_approver, bulletin, reason="Báo nhầm")
    takeover.refresh_from_db()
    assert takeover.released_at is not None
    assert playlist.takeovers_for(board) == []


def test_a_normal_bulletin_only_tells_the_boards_where_it_is_relevant(
    tree, people, committed
):
    PushEvent.objects.all().delete()
    with committed():
        make_published(
            people.editor_a, people.approver_a, tree.commune_a, targets=[tree.hamlet_a1]
        )
    assert not Takeover.objects.exists()
    rows = PushEvent.objects.filter(kind="refresh")
    assert [(r.area_path, r.match) for r in rows] == [(tree.hamlet_a1.path, "related")]
    assert rows[0].concerns(1, tree.commune_a.path)  # the commune office sees it
    assert not rows[0].concerns(1, tree.hamlet_a2.path)
