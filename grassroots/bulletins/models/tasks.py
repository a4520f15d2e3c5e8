"""The approval step of the bulletin workflow, as a Wagtail task type."""

from __future__ import annotations

from django import forms
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.models import Task, TaskState

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from .. import rules


class ReturnForChangesForm(TaskStateCommentForm):
    """Returning a bulletin needs a comment: the author must know what to change."""

    comment = forms.CharField(
        label=_("What should change"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=True,
        max_length=4000,
    )


class AreaApprovalTask(Task):
    """Approved by anyone who may approve bulletins in the issuing area.

    Approvers come from the scope rule (roles on areas), not from a fixed
    group, so each commune approves its own bulletins and the province its
    own. The author and the submitter are never offered the approval.
    """

    class Meta:
        verbose_name = _("approval by the issuing area")
        verbose_name_plural = _("approvals by the issuing area")

    @classmethod
    def get_description(cls):
        return _(
            "Anyone who may approve bulletins in the bulletin's issuing area, except "
            "its author and the person who submitted it."
        )

    def _refusal(self, obj, user):
        state = obj.current_workflow_state if obj.pk else None
        return rules.approval_refusal(
            user, obj, submitted_by_id=state.requested_by_id if state else None
        )

    def _may_review(self, obj, user) -> bool:
        return scope.can(user, Capability.APPROVE_BULLETINS, obj.issuing_area)

    def get_actions(self, obj, user):
        if self._refusal(obj, user) is not None:
            return []
        return [
            ("reject", _("Return for changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_form_for_action(self, action):
        if action == "reject":
            return ReturnForChangesForm
        return TaskStateCommentForm

    def user_can_access_editor(self, obj, user):
        return self._may_review(obj, user)

    def locked_for_user(self, obj, user):
        # While a bulletin is under review nobody changes it: reviewers approve
        # or return it, everyone else waits (the author may cancel).
        return not self._may_review(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        from .. import actions
        from .bulletin import Bulletin

        bulletin = Bulletin.objects.get(pk=task_state.workflow_state.object_id)
        comment = kwargs.get("comment", "") or ""
        if action_name == "approve":
            actions.approve(user, bulletin, comment=comment, task_state=task_state)
        elif action_name == "reject":
            actions.return_for_changes(
                user, bulletin, comment=comment, task_state=task_state
            )

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from .bulletin import Bulletin

        reviewable = (
            scope.scope(
                Bulletin.objects.all(),
                user,
                Capability.APPROVE_BULLETINS,
                path_field="issuing_area__path",
            )
            .exclude(author=user)
            .annotate(pk_text=Cast("pk", CharField()))
            .values("pk_text")
        )
        return (
            self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
            .filter(workflow_state__object_id__in=reviewable)
            .exclude(workflow_state__requested_by=user)
        )
