"""The bulletin library in the console: list, write, submit, review, withdraw.

Wagtail's snippet views do the screens; every state change goes through our
actions (registered as Wagtail actions, or called from the overridden view
hooks below), and every object is loaded through the scope rule.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import (
    Column,
    DateColumn,
    LiveStatusTagColumn,
    StatusTagColumn,
)
from wagtail.admin.widgets.button import Button
from wagtail.snippets.views import snippets as snippet_views

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.core.console import ActionErrorsMixin

from .. import actions, rules, search
from ..models import Bulletin, Category, Status
from ..models import Level as Priority
from .chooser import BulletinChooserViewSet
from .forms import AttachmentPanel, BulletinForm
from .policies import scoped, scoped_objects
from .withdraw import WithdrawView


def _level_label(bulletin: Bulletin) -> str:
    return bulletin.get_level_display()


def _status_label(bulletin: Bulletin) -> str:
    label = str(bulletin.get_status_display())
    if bulletin.live and bulletin.has_unpublished_changes:
        label = _("%(status)s · new version in preparation") % {"status": label}
    return label


class BulletinFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    level = django_filters.ChoiceFilter(
        label=_("Priority level"), choices=Priority.choices
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all()
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Issued in"),
        queryset=Area.objects.none(),
        method="filter_area",
    )
    published = django_filters.DateFromToRangeFilter(
        label=pgettext_lazy("date", "Published"),
        field_name="first_published_at",
        widget=DateRangePickerWidget,
    )

    class Meta:
        model = Bulletin
        fields = ["status", "level", "category"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["area"].queryset = (
            scope.areas(user, Capability.VIEW)
            .filter(level__lte=Level.COMMUNE)
            .order_by("path")
        )

    def filter_area(self, queryset, name, value):
        return queryset.filter(issuing_area__path__under=value.path)


class BulletinIndexView(scoped(snippet_views.IndexView)):  # type: ignore[misc]  # scoped() builds on untyped Wagtail views
    default_ordering = "-updated_at"

    def get_edit_url(self, instance):
        """A bulletin awaiting approval opens where a reviewer approves it: one tap."""
        url = super().get_edit_url(instance)
        if url is None and instance.status == Status.SUBMITTED:
            if self.permission_policy.user_has_permission_for_instance(
                self.request.user, "review", instance
            ):
                return reverse(self.edit_url_name, args=[instance.pk])
        return url

    @cached_property
    def list_display(self):
        # Our own status column replaces Wagtail's live/draft one.
        return [
            c for c in super().list_display if not isinstance(c, LiveStatusTagColumn)
        ]

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return scoped_objects(self, queryset, ("view",)).select_related(
            "issuing_area", "category"
        )

    def get_queryset(self):
        queryset = self.get_base_queryset()
        queryset = self.filter_queryset(queryset)
        if self.is_searching:
            queryset = search.matching(queryset, self.search_query)
        return self.order_queryset(queryset)

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        user = self.request.user
        if (
            instance.status
            in (
                Status.SUBMITTED,
                Status.APPROVED,
                Status.PUBLISHED,
            )
            and rules.withdrawal_refusal(user, instance) is None
        ):
            buttons.append(
                Button(
                    _("Withdraw"),
                    url=reverse("bulletins_bulletin:withdraw", args=[instance.pk]),
                    icon_name="warning",
                    priority=5,
                )
            )
        if instance.is_public:
            buttons.append(
                Button(
                    _("View on the portal"),
                    url=instance.get_absolute_url(),
                    icon_name="link-external",
                    priority=50,
                )
            )
        return buttons


class _ActionErrorsMixin(ActionErrorsMixin):
    """Turn a refusal from our actions into errors on the form, never a 500.

    Confirmations say what happened to which bulletin ("Đã duyệt bản tin …").
    """

    def get_success_message(self, instance=None):
        bulletin = instance or self.object
        action = getattr(self, "action", "")
        if action == "workflow-action":
            done = {
                "approve": _("Bulletin “%(title)s” approved."),
                "reject": _("Bulletin “%(title)s” returned for changes."),
            }.get(getattr(self, "workflow_action", ""))
            if done:
                return done % {"title": bulletin.title}
        if action in ("submit", "restart-workflow"):
            return _("Bulletin “%(title)s” sent for approval.") % {
                "title": bulletin.title
            }
        if action in ("create", "edit"):
            return _("Draft “%(title)s” saved.") % {"title": bulletin.title}
        return super().get_success_message(instance)

    def _run(self, action, *args):
        try:
            action(self.request.user, *args)
        except (PermissionDenied, ValidationError) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)]))
            messages.error(self.request, text)
            return redirect(self.get_edit_url())
        return None

    def get_available_actions(self):
        # Nobody publishes straight from the editor: approval publishes.
        return [a for a in super().get_available_actions() if a != "publish"]

    def submit_action(self):
        return self._run(actions.submit, self.object)

    def cancel_workflow_action(self):
        return self._run(actions.cancel_submission, self.object)

    def restart_workflow_action(self):
        response = self._run(actions.cancel_submission, self.object)
        return response or self._run(actions.submit, self.object)


class BulletinCreateView(_ActionErrorsMixin, snippet_views.CreateView):
    def get_initial(self):
        initial = super().get_initial()
        home = scope.home_area(self.request.user, Capability.WRITE_BULLETINS)
        if home is not None:
            initial.setdefault("issuing_area", home.pk)
        return initial


class BulletinEditView(
    _ActionErrorsMixin,
    scoped(snippet_views.EditView, ("change", "review")),  # type: ignore[misc]  # scoped() builds on untyped Wagtail views
):
    pass


VIEW = ("view",)
CHANGE = ("change",)


class BulletinViewSet(snippet_views.SnippetViewSet):
    model = Bulletin
    url_prefix = "bulletins"
    url_namespace = "bulletins_bulletin"
    icon = "doc-full"
    menu_label = _("Bulletins")
    menu_order = 100
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 30
    filterset_class = BulletinFilterSet
    search_fields = ["title"]  # searching itself goes through search.py
    chooser_viewset_class = BulletinChooserViewSet

    index_view_class = BulletinIndexView
    add_view_class = BulletinCreateView
    edit_view_class = BulletinEditView
    delete_view_class = scoped(snippet_views.DeleteView, ("delete",))
    usage_view_class = scoped(snippet_views.UsageView)
    history_view_class = scoped(snippet_views.HistoryView)
    inspect_view_class = scoped(snippet_views.InspectView)
    revisions_view_class = scoped(
        snippet_views.PreviewRevisionView, permission_required="view"
    )
    revisions_compare_view_class = scoped(
        snippet_views.RevisionsCompareView, permission_required="view"
    )
    revisions_unschedule_view_class = scoped(
        snippet_views.RevisionsUnscheduleView, CHANGE
    )
    unpublish_view_class = scoped(snippet_views.UnpublishView, CHANGE)
    preview_on_edit_view_class = scoped(
        snippet_views.PreviewOnEditView, ("change", "review")
    )
    lock_view_class = scoped(snippet_views.LockView, CHANGE)
    unlock_view_class = scoped(snippet_views.UnlockView, ("change", "review"))
    workflow_action_view_class = scoped(snippet_views.WorkflowActionView)
    collect_workflow_action_data_view_class = scoped(
        snippet_views.CollectWorkflowActionDataView
    )
    confirm_workflow_cancellation_view_class = scoped(
        snippet_views.ConfirmWorkflowCancellationView
    )
    workflow_preview_view_class = scoped(snippet_views.WorkflowPreviewView)
    workflow_history_view_class = scoped(
        snippet_views.WorkflowHistoryView, permission_required="view"
    )
    workflow_history_detail_view_class = scoped(
        snippet_views.WorkflowHistoryDetailView, permission_required="view"
    )

    list_display = [
        "title",
        Column("level", label=_("Level"), accessor=_level_label),
        Column("category", label=_("Category")),
        Column("issuing_area", label=_("Issued in")),
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor=_status_label,
            primary=lambda b: b.status == Status.PUBLISHED,
        ),
        DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
    ]
    list_export = [
        "uid",
        "title",
        "level",
        "category",
        "issuing_area",
        "issuing_agency",
        "source_reference",
        "status",
        "valid_from",
        "valid_until",
        "first_published_at",
    ]
    inspect_view_fields = [
        "title",
        "summary",
        "body",
        "category",
        "level",
        "issuing_area",
        "issuing_agency",
        "source_reference",
        "valid_from",
        "valid_until",
        "target_areas",
        "status",
        "author",
        "approved_by",
        "approved_at",
        "withdrawn_by",
        "withdrawal_reason",
    ]

    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("summary"),
            FieldPanel("body"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("category"), FieldPanel("level")]),
                    FieldPanel("is_essential"),
                ],
                heading=_("Kind and priority"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("issuing_area"),
                    FieldPanel("issuing_agency"),
                    FieldPanel("source_reference"),
                ],
                heading=_("Issued by"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("target_areas"),
                    FieldRowPanel(
                        [
                            FieldPanel("on_loudspeakers"),
                            FieldPanel("on_boards"),
                            FieldPanel("on_portal"),
                        ]
                    ),
                ],
                heading=_("Where it goes"),
            ),
            FieldRowPanel(
                [FieldPanel("valid_from"), FieldPanel("valid_until")],
                heading=_("Validity"),
            ),
            AttachmentPanel(
                "attachments",
                heading=_("Attachments: audio, images, video, PDF"),
                label=_("attachment"),
                panels=[FieldPanel("file"), FieldPanel("title")],
            ),
        ],
        base_form_class=BulletinForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("withdraw/<int:pk>/", WithdrawView.as_view(), name="withdraw"),
        ]
