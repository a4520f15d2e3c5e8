"""The cascade: a province bulletin lands in each targeted commune's inbox."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.bulletins import actions
from grassroots.bulletins.models import InboxItem, InboxState

from .builders import content, make_published


def inbox(bulletin):
    return {i.commune: i for i in InboxItem.objects.filter(bulletin=bulletin)}


def test_a_province_bulletin_reaches_every_commune_it_targets(tree, people):
    bulletin = make_published(
        people.province_editor, people.province_approver, tree.province
    )
    items = inbox(bulletin)
    assert set(items) == {tree.commune_a, tree.commune_b}
    assert all(i.state == InboxState.RECEIVED for i in items.values())
    assert tree.other_commune not in items


def test_a_hamlet_target_reaches_its_commune_only(tree, people):
    bulletin = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        targets=[tree.hamlet_b2],
    )
    assert set(inbox(bulletin)) == {tree.commune_b}


@pytest.mark.parametrize(
    "level, state",
    [
        ("normal", InboxState.RECEIVED),
        ("priority", InboxState.QUEUED),
        ("emergency", InboxState.EMERGENCY),
    ],
)
def test_how_it_arrives_depends_on_its_level(tree, people, level, state):
    bulletin = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        level=level,
        category="thien-tai",
    )
    assert {i.state for i in inbox(bulletin).values()} == {state}


def test_a_commune_bulletin_needs_no_inbox(tree, people):
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    assert inbox(bulletin) == {}


def test_the_commune_adopts_a_normal_bulletin_and_the_channels_hear_it(
    tree, people, recorder, committed
):
    bulletin = make_published(
        people.province_editor, people.province_approver, tree.province
    )
    item = inbox(bulletin)[tree.commune_a]
    with committed():
        item = actions.decide(people.approver_a, item, "adopt", "Phát lúc 17 giờ")
    assert item.state == InboxState.ADOPTED
    assert item.decided_by == people.approver_a
    adopted = [e for e in recorder.events if e.event == "adopted"]
    assert len(adopted) == 1
    assert adopted[0].commune_ids == (tree.commune_a.pk,)
    # The radio operator may change the decision; a viewer may not decide.
    item = actions.decide(people.operator_a, item, "ignore")
    assert item.state == InboxState.IGNORED
    with pytest.raises(PermissionDenied):
        actions.decide(people.viewer_a, item, "adopt")


def test_another_commune_cannot_decide_for_this_one(tree, people):
    bulletin = make_published(
        people.province_editor, people.province_approver, tree.province
    )
    with pytest.raises(PermissionDenied):
        actions.decide(people.approver_b, inbox(bulletin)[tree.commune_a], "ignore")


def test_priority_and_emergency_bulletins_cannot_be_ignored(tree, people):
    bulletin = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        level="priority",
    )
    with pytest.raises(ValidationError):
        actions.decide(people.approver_a, inbox(bulletin)[tree.commune_a], "ignore")


def test_a_withdrawn_bulletin_is_no_longer_decided_on(tree, people):
    bulletin = make_published(
        people.province_editor, people.province_approver, tree.province
    )
    actions.withdraw(people.province_approver, bulletin, reason="Nhầm")
    with pytest.raises(ValidationError):
        actions.decide(people.approver_a, inbox(bulletin)[tree.commune_a], "adopt")


def test_a_new_version_keeps_decisions_and_follows_new_targets(tree, people):
    bulletin = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        targets=[tree.commune_a],
    )
    actions.decide(people.approver_a, inbox(bulletin)[tree.commune_a], "adopt")
    actions.update_bulletin(
        people.province_editor,
        bulletin,
        content(tree.province, targets=[tree.commune_b]),
    )
    actions.submit(people.province_editor, bulletin)
    actions.approve(people.province_approver, bulletin)
    items = inbox(bulletin)
    assert items[tree.commune_a].state == InboxState.ADOPTED
    assert not items[tree.commune_a].still_targeted
    assert items[tree.commune_b].state == InboxState.RECEIVED


def test_the_broadcast_side_marks_what_was_aired(tree, people):
    bulletin = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        level="emergency",
        category="thien-tai",
    )
    item = actions.mark_aired(inbox(bulletin)[tree.commune_a])
    assert item.state == InboxState.AIRED
    assert item.aired_at is not None
