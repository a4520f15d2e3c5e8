"""The bulletin's life, through the actions: write, submit, approve, publish, withdraw."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import WorkflowState

from grassroots.accounts.models import AuditEntry
from grassroots.bulletins import actions, channels
from grassroots.bulletins.models import Bulletin, Status

from .builders import content, make_bulletin, make_published


def audit_actions(bulletin):
    return list(
        AuditEntry.objects.filter(
            object_type="bulletins.bulletin", object_id=str(bulletin.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


class TestWriting:
    def test_a_new_bulletin_is_a_draft_by_its_author_aimed_at_its_area(
        self, tree, people
    ):
        bulletin = make_bulletin(people.editor_a, tree.commune_a)
        assert bulletin.status == Status.DRAFT
        assert bulletin.author == people.editor_a
        assert list(bulletin.target_areas.all()) == [tree.commune_a]
        assert not bulletin.live
        assert bulletin.revisions.count() == 1
        assert audit_actions(bulletin) == ["bulletin.create"]

    def test_the_body_is_sanitised_whatever_its_source(self, tree, people):
        bulletin = make_bulletin(
            people.editor_a,
            tree.commune_a,
            body='<p onclick="x()">Lũ <script>alert(1)</script>'
            '<a href="javascript:evil()">link</a><img src=x onerror=y></p>',
        )
        assert "script" not in bulletin.body
        assert "onclick" not in bulletin.body
        assert "javascript" not in bulletin.body
        assert "<img" not in bulletin.body
        assert "Lũ" in bulletin.body

    def test_markup_in_a_title_is_refused_with_the_reason(self, tree, people):
        with pytest.raises(ValidationError) as refused:
            make_bulletin(people.editor_a, tree.commune_a, title="<b>Lũ</b>")
        assert "title" in refused.value.message_dict
        assert Bulletin.objects.count() == 0

    def test_an_editor_cannot_write_for_another_commune(self, tree, people):
        with pytest.raises(PermissionDenied):
            make_bulletin(people.editor_a, tree.commune_b)
        assert Bulletin.objects.count() == 0

    def test_targets_outside_the_issuing_area_are_refused(self, tree, people):
        with pytest.raises(ValidationError) as refused:
            make_bulletin(
                people.province_editor, tree.commune_a, targets=[tree.hamlet_b1]
            )
        assert "target_areas" in refused.value.message_dict

    def test_validity_must_end_after_it_starts(self, tree, people):
        now = timezone.now()
        with pytest.raises(ValidationError) as refused:
            make_bulletin(
                people.editor_a,
                tree.commune_a,
                valid_from=now,
                valid_until=now - timedelta(hours=1),
            )
        assert "valid_until" in refused.value.message_dict

    def test_only_drafts_can_be_deleted(self, tree, people):
        draft = make_bulletin(people.editor_a, tree.commune_a)
        actions.BulletinDeleteAction(draft, user=people.editor_a).execute()
        assert not Bulletin.objects.filter(pk=draft.pk).exists()
        published = make_published(people.editor_a, people.approver_a, tree.commune_a)
        with pytest.raises(PermissionDenied):
            actions.BulletinDeleteAction(published, user=people.editor_a).execute()


class TestApproval:
    def test_submitted_then_approved_goes_out_on_its_channels(
        self, tree, people, recorder, committed
    ):
        bulletin = make_bulletin(people.editor_a, tree.commune_a)
        actions.submit(people.editor_a, bulletin)
        bulletin.refresh_from_db()
        assert bulletin.status == Status.SUBMITTED
        assert bulletin.workflow_in_progress
        with committed():
            bulletin = actions.approve(people.approver_a, bulletin, comment="Đồng ý")
        assert bulletin.status == Status.PUBLISHED
        assert bulletin.live
        assert bulletin.approved_by == people.approver_a
        assert audit_actions(bulletin) == [
            "bulletin.create",
            "bulletin.submit",
            "bulletin.approve",
            "bulletin.publish",
        ]
        assert recorder.kinds(bulletin.pk) == ["published"]
        event = recorder.events[0]
        assert event.commune_ids == (tree.commune_a.pk,)
        assert event.level == "normal"
        assert event.revision_id == bulletin.live_revision_id

    @pytest.mark.parametrize("who", ["author", "submitter", "other_commune", "editor"])
    def test_approval_is_refused_to_the_wrong_people(self, tree, people, who):
        """Two people see every bulletin: never the author or submitter; in scope."""
        from grassroots.accounts import actions as account_actions

        writer = submitter = people.editor_a
        if who in ("author", "submitter"):
            # An approver who also writes may not approve what they wrote or sent.
            account_actions.grant_role(
                None, people.approver_a, "editor", tree.commune_a
            )
            submitter = people.approver_a
            if who == "author":
                writer = people.approver_a
        bulletin = actions.create_bulletin(writer, content(tree.commune_a))
        actions.submit(submitter, bulletin)
        actor = {
            "author": people.approver_a,
            "submitter": people.approver_a,
            "other_commune": people.approver_b,
            "editor": people.editor_a,
        }[who]
        with pytest.raises(PermissionDenied):
            actions.approve(actor, bulletin)
        bulletin.refresh_from_db()
        assert bulletin.status == Status.SUBMITTED
        assert not bulletin.live

    def test_the_province_approver_may_approve_a_commune_bulletin(self, tree, people):
        bulletin = make_bulletin(people.editor_a, tree.commune_a)
        actions.submit(people.editor_a, bulletin)
        assert actions.approve(people.province_approver, bulletin).live

    def test_returning_needs_a_comment_and_sends_it_back_to_the_author(
        self, tree, people
    ):
        bulletin = make_bulletin(people.editor_a, tree.commune_a)
        actions.submit(people.editor_a, bulletin)
        with pytest.raises(ValidationError):
            actions.return_for_changes(people.approver_a, bulletin, comment="  ")
        bulletin = actions.return_for_changes(
            people.approver_a, bulletin, comment="Ghi rõ giờ tiêm."
        )
        assert bulletin.status == Status.RETURNED
        state = bulletin.current_workflow_state
        assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
        assert state.current_task_state.comment == "Ghi rõ giờ tiêm."
        assert "bulletin.return" in audit_actions(bulletin)
        # The author fixes it and sends it again; it resumes the same workflow.
        actions.update_bulletin(
            people.editor_a, bulletin, content(tree.commune_a, summary="7 giờ 30.")
        )
        actions.submit(people.editor_a, bulletin)
        bulletin.refresh_from_db()
        assert bulletin.status == Status.SUBMITTED
        assert actions.approve(people.approver_a, bulletin).summary == "7 giờ 30."

    def test_under_review_the_content_cannot_change(self, tree, people):
        bulletin = make_bulletin(people.editor_a, tree.commune_a)
        actions.submit(people.editor_a, bulletin)
        with pytest.raises(PermissionDenied):
            actions.update_bulletin(
                people.editor_a, bulletin, content(tree.commune_a, title="Khác")
            )

    def test_cancelling_a_submission_returns_to_draft(self, tree, people):
        bulletin = make_bulletin(people.editor_a, tree.commune_a)
        actions.submit(people.editor_a, bulletin)
        actions.cancel_submission(people.editor_a, bulletin)
        bulletin.refresh_from_db()
        assert bulletin.status == Status.DRAFT
        assert not bulletin.workflow_in_progress

    def test_a_future_start_waits_approved_then_goes_out_on_time(
        self, tree, people, recorder, committed, monkeypatch
    ):
        start = timezone.now() + timedelta(hours=2)
        bulletin = make_bulletin(people.editor_a, tree.commune_a, valid_from=start)
        actions.submit(people.editor_a, bulletin)
        bulletin = actions.approve(people.approver_a, bulletin)
        assert bulletin.status == Status.APPROVED
        assert not bulletin.live
        assert recorder.events == []
        assert actions.publish_due() == 0
        later = start + timedelta(seconds=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        with committed():
            assert actions.publish_due() == 1
        bulletin.refresh_from_db()
        assert bulletin.status == Status.PUBLISHED
        assert bulletin.live
        assert recorder.kinds(bulletin.pk) == ["published"]


class TestLiveChanges:
    def test_a_new_version_waits_for_approval_while_the_old_stays_live(
        self, tree, people, recorder, committed
    ):
        with committed():
            bulletin = make_published(
                people.editor_a, people.approver_a, tree.commune_a
            )
        actions.update_bulletin(
            people.editor_a, bulletin, content(tree.commune_a, title="Lịch mới")
        )
        bulletin.refresh_from_db()
        assert bulletin.title == "Thông báo lịch tiêm chủng"  # the live one
        assert bulletin.has_unpublished_changes
        assert bulletin.status == Status.PUBLISHED
        actions.submit(people.editor_a, bulletin)
        with committed():
            bulletin = actions.approve(people.approver_a, bulletin)
        assert bulletin.title == "Lịch mới"
        assert recorder.kinds(bulletin.pk) == ["published", "updated"]
        assert "bulletin.update" in audit_actions(bulletin)
        # Every version is kept, so any two can be compared.
        assert bulletin.revisions.count() >= 2

    def test_a_channel_the_new_version_leaves_hears_it_as_withdrawn(
        self, tree, people, committed
    ):
        """Taking the boards off a live bulletin must clear it from the boards."""
        heard: dict[str, list[str]] = {"portal": [], "boards": []}
        handlers = {
            name: (lambda e, n=name: heard[n].append(e.event)) for name in heard
        }
        for name, handler in handlers.items():
            channels.register(name, handler)
        try:
            with committed():
                bulletin = make_published(
                    people.editor_a,
                    people.approver_a,
                    tree.commune_a,
                    channels=("portal", "boards"),
                )
            actions.update_bulletin(
                people.editor_a, bulletin, content(tree.commune_a, channels=("portal",))
            )
            actions.submit(people.editor_a, bulletin)
            with committed():
                actions.approve(people.approver_a, bulletin)
        finally:
            for name, handler in handlers.items():
                channels.unregister(name, handler)
        assert heard == {
            "portal": ["published", "updated"],
            "boards": ["published", "withdrawn"],
        }


class TestWithdrawalAndExpiry:
    def test_withdrawal_takes_it_off_every_channel(
        self, tree, people, recorder, committed
    ):
        bulletin = make_published(
            people.editor_a, people.approver_a, tree.commune_a, level="emergency"
        )
        with pytest.raises(ValidationError):
            actions.withdraw(people.approver_a, bulletin, reason="")
        with pytest.raises(PermissionDenied):
            actions.withdraw(people.editor_b, bulletin, reason="Nhầm")
        with committed():
            bulletin = actions.withdraw(
                people.approver_a, bulletin, reason="Báo động giả"
            )
        assert bulletin.status == Status.WITHDRAWN
        assert not bulletin.live
        assert bulletin.withdrawal_reason == "Báo động giả"
        withdrawn = [e for e in recorder.events if e.event == "withdrawn"]
        assert len(withdrawn) == 1
        assert not Bulletin.objects.public().filter(pk=bulletin.pk).exists()
        assert audit_actions(bulletin)[-1] == "bulletin.withdraw"

    def test_a_pending_submission_can_be_withdrawn_too(self, tree, people):
        bulletin = make_bulletin(people.editor_a, tree.commune_a)
        actions.submit(people.editor_a, bulletin)
        bulletin = actions.withdraw(people.approver_a, bulletin, reason="Không cần")
        assert bulletin.status == Status.WITHDRAWN
        assert not bulletin.workflow_in_progress

    def test_expiry_ends_it_when_its_validity_passes(
        self, tree, people, recorder, committed
    ):
        until = timezone.now() + timedelta(hours=1)
        with committed():
            bulletin = make_published(
                people.editor_a, people.approver_a, tree.commune_a, valid_until=until
            )
        assert actions.expire_due(now=timezone.now()) == 0
        with committed():
            assert actions.expire_due(now=until + timedelta(seconds=1)) == 1
        bulletin.refresh_from_db()
        assert bulletin.status == Status.EXPIRED
        assert bulletin.expired and not bulletin.live
        assert recorder.kinds(bulletin.pk) == ["published", "expired"]
        assert audit_actions(bulletin)[-1] == "bulletin.expire"

    def test_the_portal_hides_an_expired_bulletin_before_the_worker_runs(
        self, tree, people
    ):
        bulletin = make_published(
            people.editor_a,
            people.approver_a,
            tree.commune_a,
            valid_until=timezone.now() + timedelta(hours=1),
        )
        Bulletin.objects.filter(pk=bulletin.pk).update(
            valid_until=timezone.now() - timedelta(seconds=1)
        )
        assert not Bulletin.objects.public().filter(pk=bulletin.pk).exists()


def test_submitting_emails_the_approvers_of_the_area_but_not_the_author(
    tree, people, committed, mailoutbox
):
    from django.core import mail

    bulletin = make_bulletin(people.editor_a, tree.commune_a)
    with committed():
        actions.submit(people.editor_a, bulletin)
    recipients = sorted(r for m in mail.outbox for r in m.to)
    # Approvers of commune A and of the province, each with their own e-mail.
    assert recipients == sorted(
        u.email
        for u in (
            people.approver_a,
            people.province_approver,
            people.province_approver2,
        )
    )
    assert bulletin.title in mail.outbox[0].subject
