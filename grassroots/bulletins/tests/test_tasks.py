"""The worker's minute tick ends and starts validity through the actions."""

from datetime import timedelta

from django.utils import timezone

from grassroots.bulletins import actions, tasks
from grassroots.bulletins.models import Bulletin, Status

from .builders import make_bulletin, make_published


def test_the_tick_expires_then_publishes(tree, people, monkeypatch):
    ending = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        valid_until=timezone.now() + timedelta(minutes=30),
    )
    start = timezone.now() + timedelta(minutes=10)
    waiting = make_bulletin(people.editor_a, tree.commune_a, valid_from=start)
    actions.submit(people.editor_a, waiting)
    actions.approve(people.approver_a, waiting)
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    tasks.tick.call_local()
    assert Bulletin.objects.get(pk=ending.pk).status == Status.EXPIRED
    # Its validity has no end, so the waiting one goes out.
    assert Bulletin.objects.get(pk=waiting.pk).status == Status.PUBLISHED
