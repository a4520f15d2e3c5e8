"""The demo feedback of ``make run``: history, not news."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_messages_count_as_sent_so_the_worker_does_not_send_them_at_start(
    tree,
):
    from grassroots.accounts.roles import Role
    from grassroots.feedback import demo
    from grassroots.feedback.models import Notification, NotificationStatus
    from grassroots.testing import make_user

    make_user(Role.FEEDBACK_HANDLER, tree.province, username="tinh.phananh")
    said = []
    demo.load(said.append)
    assert said[-1].startswith("Demo feedback: 100 items")
    messages = Notification.objects.filter(feedback__device_id=demo.DEMO_DEVICE)
    assert messages.exists()
    assert not messages.exclude(status=NotificationStatus.SENT).exists()
