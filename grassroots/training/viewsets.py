"""Console pages of the training records, each narrowed by the scope rule."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

from grassroots.accounts import scope
from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
)
from grassroots.accounts.roles import Capability
from grassroots.core.console import (
    ActionDeleteMixin,
    ActionFormMixin,
    ScopedInspectMixin,
)

from . import actions, forms
from .models import Course, Official, Status, TrainingSession, category_choices


def _date(value) -> str:
    """Return a date as dd/mm/yyyy (Wagtail's date column says "3 months ago")."""
    return value.strftime("%d/%m/%Y") if value else ""


# Roster --------------------------------------------------------------------------


def _official_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("area")
    return data


class OfficialCreateView(ActionFormMixin, generic.CreateView):
    def run_action(self, form):
        return actions.save_official(
            self.request.user, area=form.cleaned_data["area"], **_official_fields(form)
        )


class OfficialEditView(ActionFormMixin, ScopedObjectMixin, generic.EditView):
    def run_action(self, form):
        # The form has already written its values on the instance: reload it so
        # the action compares the stored values with the new ones.
        stored = Official.objects.get(pk=self.object.pk)
        return actions.save_official(
            self.request.user,
            area=form.cleaned_data["area"],
            official=stored,
            **_official_fields(form),
        )


class OfficialDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_official(self.request.user, instance)


class CategoryColumn(Column):
    """The category as ``category_choices`` names it, worked out once a table."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        table = parent_context["table"]
        if not hasattr(table, "category_labels"):
            table.category_labels = dict(category_choices())
        context["value"] = table.category_labels.get(instance.category, "")
        return context


class OfficialFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(
        label=pgettext_lazy("training", "category"), choices=category_choices
    )


class OfficialIndexView(ScopedIndexMixin, generic.IndexView):
    base_filterset_class = OfficialFilterSet

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("area")

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if scope.can_anywhere(self.request.user, Capability.MANAGE_TRAINING):
            buttons.append(
                HeaderButton(
                    _("Import roster"),
                    url=reverse("training_import_roster"),
                    icon_name="upload",
                )
            )
        return buttons


class OfficialInspectView(ScopedInspectMixin, generic.InspectView):
    template_name = "training/official_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attendances"] = self.object.attendances.select_related(
            "session__course", "session__area"
        ).order_by("-session__starts_on")
        return context


class OfficialViewSet(ScopedModelViewSet):
    name = "training_roster"
    url_prefix = "training/roster"
    model = Official
    icon = "user"
    menu_label = _("Roster")
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = OfficialIndexView
    add_view_class = OfficialCreateView
    edit_view_class = OfficialEditView
    delete_view_class = OfficialDeleteView
    inspect_view_class = OfficialInspectView
    list_display = [
        "full_name",
        "position",
        Column("area", label=_("works in")),
        CategoryColumn("category", label=pgettext_lazy("training", "category")),
        BooleanColumn("needs_training", label=_("needs training")),
        Column("left_on", label=_("left on"), accessor=lambda o: _date(o.left_on)),
    ]
    list_filter = ["category", "needs_training"]
    search_fields = ["full_name", "code", "position", "area__name"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return forms.OfficialForm


# Courses ---------------------------------------------------------------------------


class CourseCreateView(ActionFormMixin, generic.CreateView):
    def run_action(self, form):
        data = dict(form.cleaned_data)
        return actions.save_course(self.request.user, area=data.pop("area"), **data)


class CourseEditView(ActionFormMixin, ScopedObjectMixin, generic.EditView):
    def run_action(self, form):
        data = dict(form.cleaned_data)
        stored = Course.objects.get(pk=self.object.pk)
        return actions.save_course(
            self.request.user, area=data.pop("area"), course=stored, **data
        )


class CourseDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_course(self.request.user, instance)


class CourseIndexView(ScopedIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("area")


class CourseViewSet(ScopedModelViewSet):
    name = "training_courses"
    url_prefix = "training/courses"
    model = Course
    icon = "doc-full"
    menu_label = _("Courses")
    copy_view_enabled = False
    index_view_class = CourseIndexView
    add_view_class = CourseCreateView
    edit_view_class = CourseEditView
    delete_view_class = CourseDeleteView
    list_display = [
        "title",
        Column("topic", label=_("topic"), accessor="get_topic_display"),
        Column("area", label=_("organised by")),
        Column("hours", label=_("hours")),
        BooleanColumn("is_active", label=_("offered")),
    ]
    list_filter = ["topic", "is_active"]
    search_fields = ["title", "area__name"]

    def get_form_class(self, for_update=False):
        return forms.CourseForm


# Sessions --------------------------------------------------------------------------


class SessionCreateView(ActionFormMixin, generic.CreateView):
    def run_action(self, form):
        data = dict(form.cleaned_data)
        return actions.save_session(
            self.request.user, course=data.pop("course"), area=data.pop("area"), **data
        )

    def get_success_url(self):
        return reverse("training_session_attendance", args=[self.object.pk])


class SessionEditView(ActionFormMixin, ScopedObjectMixin, generic.EditView):
    def run_action(self, form):
        data = dict(form.cleaned_data)
        stored = TrainingSession.objects.get(pk=self.object.pk)
        return actions.save_session(
            self.request.user,
            course=data.pop("course"),
            area=data.pop("area"),
            session=stored,
            **data,
        )


class SessionDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_session(self.request.user, instance)


class SessionIndexView(ScopedIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("course", "area")
            .annotate(
                people=Count("attendances"),
                completed=Count(
                    "attendances", filter=Q(attendances__status=Status.COMPLETED)
                ),
            )
        )

    def get_edit_url(self, instance):
        return reverse("training_session_attendance", args=[instance.pk])


class SessionViewSet(ScopedModelViewSet):
    name = "training_sessions"
    url_prefix = "training/sessions"
    model = TrainingSession
    icon = "date"
    menu_label = pgettext_lazy("training", "Sessions")
    copy_view_enabled = False
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    delete_view_class = SessionDeleteView
    list_display = [
        "course",
        Column(
            "starts_on",
            label=_("from"),
            accessor=lambda s: _date(s.starts_on),
            sort_key="starts_on",
        ),
        Column("ends_on", label=_("to"), accessor=lambda s: _date(s.ends_on)),
        Column("place", label=_("place")),
        Column("trainer", label=_("trainer")),
        Column("area", label=_("organised by")),
        Column("people", label=_("people")),
        Column("completed", label=_("completed")),
    ]
    list_filter = {"course__topic": ["exact"], "starts_on": ["year"]}
    search_fields = ["course__title", "place", "trainer"]
    ordering = ["-starts_on"]

    def get_form_class(self, for_update=False):
        return forms.SessionForm


class TrainingGroup(ViewSetGroup):
    menu_label = _("Training")
    menu_icon = "group"
    menu_order = 160
    items = (
        OfficialViewSet("training_roster"),
        CourseViewSet("training_courses"),
        SessionViewSet("training_sessions"),
    )
