"""Console pages: the feedback list, categories, the working calendar, Open311 clients."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from grassroots.accounts import scope
from grassroots.accounts.permissions import ScopedIndexMixin, ScopedModelViewSet
from grassroots.accounts.roles import Capability
from grassroots.core.console import ModelActionFormMixin, RetireOrDeleteMixin

from . import actions, console
from .actions.settings import can_manage_settings
from .models import ApiClient, CalendarDay, Category, Feedback


class SettingsPolicy(ModelPermissionPolicy):
    """Province-wide settings: anyone with feedback rights reads, the province changes."""

    def user_has_permission(self, user, action):
        if not super().user_has_permission(user, action):
            return False
        if action in ("view", "inspect", "history", "usage"):
            return scope.can_anywhere(user, Capability.HANDLE_FEEDBACK)
        return can_manage_settings(user)


# Feedback -----------------------------------------------------------------------


def _due(item: Feedback) -> str:
    text = item.due_date.strftime("%d/%m/%Y")
    if item.is_overdue():
        return f"{text} ⚠ {_('late')}"
    return text


class FeedbackFilterSet(WagtailFilterSet):
    """The list's filters, plus the views a handler starts the day with."""

    show = django_filters.ChoiceFilter(
        label=_("show"),
        empty_label=_("all"),
        choices=[
            ("open", _("open")),
            ("overdue", _("overdue")),
            ("escalated", _("escalated")),
            ("duplicates", _("likely duplicates")),
        ],
        method="filter_show",
    )

    def filter_show(self, queryset, name, value):
        today = timezone.localdate()
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "escalated":
            return queryset.open().exclude(escalated_at=None)
        if value == "duplicates":
            return queryset.exclude(possible_duplicate_of=None).filter(merged_into=None)
        return queryset


#: What anyone who sees an item may search it by; and what only its handlers may.
SEARCH_FIELDS = ("code", "description", "address")
PRIVATE_SEARCH_FIELDS = ("citizen_name", "phone", "email")


class FeedbackIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)
    add_item_label = _("Record feedback received by phone or in person")
    base_filterset_class = FeedbackFilterSet

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("category", "area")

    @property
    def add_url(self):
        if scope.can_anywhere(self.request.user, Capability.HANDLE_FEEDBACK):
            return reverse("feedback_console:record")
        return None

    def get_edit_url(self, instance):
        return reverse("feedback_console:handle", args=[instance.pk])

    def search_queryset(self, queryset):
        """Search the words of items, and who sent them only where one handles them.

        A name or phone number finds an item only for the handlers and
        administrators who may see them on it; anyone else could otherwise
        learn who sent what by searching.
        """
        if not self.is_searching:
            return queryset
        words = self.search_query
        query = Q()
        for field in SEARCH_FIELDS:
            query |= Q(**{f"{field}__icontains": words})
        private = Q()
        for field in PRIVATE_SEARCH_FIELDS:
            private |= Q(**{f"{field}__icontains": words})
        paths = scope.roots(self.request.user, Capability.HANDLE_FEEDBACK)
        if paths is None:
            query |= private
        elif paths:
            query |= private & scope.area_q(paths, "area__path")
        return queryset.filter(query)


class FeedbackViewSet(ScopedModelViewSet):
    model = Feedback
    url_prefix = "feedback"
    url_namespace = "feedback_console"
    icon = "mail"
    menu_label = _("Feedback")
    menu_order = 100
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = FeedbackIndexView
    form_fields: list[str] = []
    list_per_page = 50
    list_display = [
        TitleColumn(
            "display_code",
            label=_("code"),
            accessor="display_code",
            get_url=lambda f: reverse("feedback_console:handle", args=[f.pk]),
        ),
        Column(
            "description",
            label=_("description"),
            accessor=lambda f: (
                f.description[:80] + ("…" if len(f.description) > 80 else "")
            ),
        ),
        "category",
        "area",
        Column("status", label=_("status"), accessor="get_status_display"),
        Column("channel", label=_("channel"), accessor="get_channel_display"),
        Column(
            "received_at",
            label=pgettext_lazy("feedback", "received"),
            accessor=lambda f: timezone.localtime(f.received_at).strftime(
                "%d/%m/%Y %H:%M"
            ),
            sort_key="received_at",
        ),
        Column("due_date", label=_("deadline"), accessor=_due, sort_key="due_date"),
        Column(
            "possible_duplicate_of",
            label=_("likely duplicate of"),
            accessor=lambda f: (
                f.possible_duplicate_of.display_code
                if f.possible_duplicate_of_id and not f.merged_into_id
                else ""
            ),
        ),
    ]
    list_filter = ["status", "channel", "category"]
    search_fields = [*SEARCH_FIELDS, *PRIVATE_SEARCH_FIELDS]
    list_export = [
        "code",
        "category",
        "channel",
        "status",
        "area",
        "received_at",
        "due_date",
        "answered_at",
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("record/", console.record, name="record"),
            path("numbers/", console.numbers, name="numbers"),
            path("<int:pk>/", console.handle, name="handle"),
            path("<int:pk>/act/", console.act, name="act"),
            path("file/<int:pk>/", console.attachment, name="file"),
        ]


# Settings -----------------------------------------------------------------------


_ActionSaveMixin = ModelActionFormMixin


class CategoryCreateView(_ActionSaveMixin, generic.CreateView):
    domain_save = staticmethod(actions.save_category)


class CategoryEditView(_ActionSaveMixin, generic.EditView):
    domain_save = staticmethod(actions.save_category)


class _RetireOrDeleteView(RetireOrDeleteMixin, generic.DeleteView):
    pass


class CategoryDeleteView(_RetireOrDeleteView):
    delete_with = staticmethod(actions.delete_category)
    closed_message = _(
        "“%(name)s” classifies feedback already, so it is closed to new feedback "
        "instead of deleted."
    )


class CategoryViewSet(ScopedModelViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Categories and deadlines")
    copy_view_enabled = False
    add_view_class = CategoryCreateView
    edit_view_class = CategoryEditView
    delete_view_class = CategoryDeleteView
    form_fields = [
        "code",
        "name",
        "description",
        "group",
        "keywords",
        "deadline_days",
        "warn_days",
        "is_active",
        "order",
    ]
    list_display = [
        "name",
        Column("code", label=_("code")),
        Column("deadline_days", label=_("deadline (working days)")),
        Column("warn_days", label=_("warn before deadline (working days)")),
        Column("is_active", label=_("open for new feedback")),
    ]
    search_fields = ["name", "code"]


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "note", "provisional"]


class CalendarCreateView(_ActionSaveMixin, generic.CreateView):
    domain_save = staticmethod(actions.save_calendar_day)


class CalendarEditView(_ActionSaveMixin, generic.EditView):
    domain_save = staticmethod(actions.save_calendar_day)


class CalendarDeleteView(generic.DeleteView):
    def delete_action(self):
        actions.delete_calendar_day(self.request.user, self.object)


class CalendarViewSet(ScopedModelViewSet):
    model = CalendarDay
    icon = "date"
    menu_label = _("Working calendar")
    copy_view_enabled = False
    add_view_class = CalendarCreateView
    edit_view_class = CalendarEditView
    delete_view_class = CalendarDeleteView
    form_fields = ["date", "kind", "name", "note", "provisional"]
    list_display = [
        Column(
            "date",
            label=_("date"),
            accessor=lambda d: date_format(d.date, "d/m/Y (l)"),
            sort_key="date",
        ),
        "name",
        Column("kind", label=_("kind"), accessor="get_kind_display"),
        Column("provisional", label=_("provisional")),
        Column("note", label=_("source or note")),
    ]
    list_filter = {"date": ["year"], "kind": ["exact"], "provisional": ["exact"]}
    list_per_page = 100
    ordering = ["date"]


class ApiClientForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "contact", "per_minute", "is_active"]


class ApiClientCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        client, key = actions.create_api_client(
            self.request.user,
            name=data["name"],
            contact=data["contact"],
            per_minute=data["per_minute"],
        )
        self._key = key
        return client

    def get_success_message(self, instance):
        return _("Client “%(name)s” created. Its api_key, shown only now: %(key)s") % {
            "name": instance.name,
            "key": self._key,
        }


class ApiClientEditView(generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return actions.update_api_client(
            self.request.user,
            self.object,
            name=data["name"],
            contact=data["contact"],
            per_minute=data["per_minute"],
            active=data["is_active"],
        )


class ApiClientDeleteView(_RetireOrDeleteView):
    delete_with = staticmethod(actions.delete_api_client)
    closed_message = _(
        "“%(name)s” has sent feedback, so its key is switched off instead of deleted."
    )


class ApiClientViewSet(ScopedModelViewSet):
    model = ApiClient
    icon = "key"
    menu_label = _("Open311 clients")
    copy_view_enabled = False
    add_view_class = ApiClientCreateView
    edit_view_class = ApiClientEditView
    delete_view_class = ApiClientDeleteView
    form_fields = ["name", "contact", "per_minute", "is_active"]
    list_display = [
        "name",
        Column("key_prefix", label=_("key starts with")),
        Column("per_minute", label=_("submissions per minute")),
        Column("is_active", label=_("active")),
        Column("last_used_at", label=_("last used")),
    ]

    def get_form_class(self, for_update=False):
        return ApiClientForm


class FeedbackGroup(ModelViewSetGroup):
    menu_label = _("Citizen feedback")
    menu_icon = "mail"
    menu_order = 150
    items = (
        FeedbackViewSet("feedback_items"),
        CategoryViewSet("feedback_categories", url_prefix="feedback-categories"),
        CalendarViewSet("feedback_calendar", url_prefix="working-calendar"),
        ApiClientViewSet("feedback_clients", url_prefix="open311-clients"),
    )
