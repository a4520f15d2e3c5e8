"""An approved emergency bulletin on the loudspeakers airs by itself; withdrawn, it stops."""

from __future__ import annotations

import pytest

from grassroots.boards.models import Takeover
from grassroots.bulletins import actions as bulletins
from grassroots.bulletins.tests.builders import content, make_published
from grassroots.emergencies.models import Emergency, Source, State

from .conftest import emergency_lists

pytestmark = pytest.mark.django_db


def _publish(people, tree, capture, **kwargs):
    with capture(execute=True):
        return make_published(
            people.editor_a,
            people.approver_a,
            tree.commune_a,
            level="emergency",
            title="Bão số 3",
            targets=[tree.hamlet_a1, tree.hamlet_a2],
            **kwargs,
        )


def test_approval_puts_it_on_the_air_in_its_target_areas(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    bulletin = _publish(people, tree, django_capture_on_commit_callbacks)
    emergency = Emergency.objects.get(bulletin=bulletin)
    assert emergency.source == Source.BULLETIN and emergency.started_by is None
    assert set(emergency.target_areas.all()) == {tree.hamlet_a1, tree.hamlet_a2}
    for hamlet in (tree.hamlet_a1, tree.hamlet_a2):
        [document] = emergency_lists(outbox, f"/{hamlet.url_path}/emergency")
        assert [i["id"] for i in document["active"]] == [emergency.item_id]
    # The boards' own handler shows it; there is one takeover, shared.
    assert Takeover.objects.filter(bulletin=bulletin).count() == 1
    assert emergency.takeover_id == Takeover.objects.get().emergency_id


def test_a_new_approved_version_updates_it(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    bulletin = _publish(people, tree, capture)
    bulletins.update_bulletin(
        people.editor_a,
        bulletin,
        content(
            tree.commune_a,
            level="emergency",
            title="Bão số 3 đổi hướng",
            targets=[tree.hamlet_a1],
        ),
    )
    bulletins.submit(people.editor_a, bulletin)
    with capture(execute=True):
        bulletins.approve(people.approver_a, bulletin)
    emergency = Emergency.objects.get(bulletin=bulletin)
    assert emergency.rev == 2 and emergency.state == State.ACTIVE
    assert "đổi hướng" in emergency.text
    assert list(emergency.target_areas.all()) == [tree.hamlet_a1]
    assert (
        emergency_lists(outbox, f"/{tree.hamlet_a2.url_path}/emergency")[-1]["active"]
        == []
    )
    [item] = emergency_lists(outbox, f"/{tree.hamlet_a1.url_path}/emergency")[-1][
        "active"
    ]
    assert item["rev"] == 2


def test_withdrawal_cancels_it_everywhere(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    bulletin = _publish(people, tree, capture)
    with capture(execute=True):
        bulletins.withdraw(people.approver_a, bulletin, reason="Báo động giả")
    emergency = Emergency.objects.get(bulletin=bulletin)
    assert emergency.state == State.CANCELLED
    for hamlet in (tree.hamlet_a1, tree.hamlet_a2):
        assert (
            emergency_lists(outbox, f"/{hamlet.url_path}/emergency")[-1]["active"] == []
        )
    assert Takeover.objects.get().released_at is not None


def test_a_bulletin_off_the_loudspeakers_does_not_air(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    _publish(
        people,
        tree,
        django_capture_on_commit_callbacks,
        channels=("portal", "boards"),
    )
    assert not Emergency.objects.exists()
    assert not emergency_lists(outbox, "")


def test_a_normal_bulletin_does_not_air(
    tree, people, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_published(people.editor_a, people.approver_a, tree.commune_a)
    assert not Emergency.objects.exists()
