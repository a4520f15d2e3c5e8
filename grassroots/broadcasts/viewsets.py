"""Console pages of programmes: items, schedules, groups of clusters, each scoped."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
    ScopedPermissionPolicy,
)
from grassroots.accounts.roles import Capability
from grassroots.core import console
from grassroots.core.console import ActionDeleteMixin, ScopedInspectMixin

from . import actions, compiler, forms, rules, status
from .models import ClusterGroup, ProgrammeItem, ProgrammeSchedule, Rule


def register_policies() -> None:
    for model in (ProgrammeItem, ProgrammeSchedule, ClusterGroup):
        register_permission_policy(
            model,
            ScopedPermissionPolicy(
                model, path_field="area__path", manage=Capability.OPERATE_BROADCASTS
            ),
        )


def _add_errors(form, exc: ValidationError | PermissionDenied) -> None:
    """Put an action's refusal on the form, field by field where it can."""
    if isinstance(exc, actions.ClashError):
        form.add_error(None, exc.messages)
        for clash in exc.clashes:
            form.add_error(None, clash.description)
        form.add_error("confirm_clashes", _("Tick this box to save anyway."))
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("This is outside your area or your role."))
    else:
        form.add_error(None, exc.messages)


class ActionFormMixin(console.FormForUserMixin, console.ActionFormMixin):
    """Forms follow the user's scope; a clash is shown with its confirm box."""

    def add_errors(self, form, exc: ValidationError | PermissionDenied) -> None:
        _add_errors(form, exc)


def _calendar_button():
    return HeaderButton(
        _("Calendar"), url=reverse("broadcasts_calendar"), icon_name="date"
    )


# Programme items -----------------------------------------------------------------


class ItemSave(ActionFormMixin):
    def run_action(self, form):
        return actions.save_item(self.request.user, form.instance)


class ItemCreateView(ItemSave, generic.CreateView):
    pass


class ItemEditView(ItemSave, ScopedObjectMixin, generic.EditView):
    pass


class ItemDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_item(self.request.user, instance)


class ItemIndexView(ScopedIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("area", "bulletin", "audio")

    @property
    def header_buttons(self):
        return [*super().header_buttons, _calendar_button()]


class ItemInspectView(ScopedInspectMixin, generic.InspectView):
    template_name = "broadcasts/item_inspect.html"

    def get_fields(self):
        return [
            "title",
            "area",
            "source",
            "bulletin",
            "relay_url",
            "duration_s",
            "chime_before",
            "chime_after",
            "essential",
            "is_active",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        context["audio"] = compiler.audio_of(item)
        context["schedules"] = item.schedules.select_related("area").prefetch_related(
            "target_areas"
        )
        context["play_now_url"] = reverse("broadcasts_play_now", args=[item.pk])
        return context


def _ready(item: ProgrammeItem) -> str:
    if item.source == "relay":
        return str(_("relay"))
    if compiler.audio_of(item) is not None:
        return str(_("ready"))
    return str(_("audio being prepared"))


class PlayNowColumn(Column):
    """A "Phát ngay" button on each item in use: two taps from the list to the air."""

    cell_template_name = "broadcasts/cells/play_now.html"

    def get_value(self, instance):
        if not instance.is_active:
            return None
        return reverse("broadcasts_play_now", args=[instance.pk])


class ProgrammeItemViewSet(ScopedModelViewSet):
    name = "broadcasts_items"
    url_prefix = "broadcasts/items"
    model = ProgrammeItem
    icon = "media"
    menu_label = _("Programme items")
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ItemIndexView
    add_view_class = ItemCreateView
    edit_view_class = ItemEditView
    delete_view_class = ItemDeleteView
    inspect_view_class = ItemInspectView
    list_display = [
        "title",
        Column("source", label=_("source"), accessor="get_source_display"),
        Column("area", label=_("owning area")),
        Column("ready", label=_("audio"), accessor=_ready),
        BooleanColumn("essential", label=_("essential")),
        BooleanColumn("is_active", label=_("in use")),
        PlayNowColumn("play_now", label=""),
    ]
    list_filter = ["source", "essential", "is_active"]
    search_fields = ["title", "area__name"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return forms.ProgrammeItemForm


# Schedules ------------------------------------------------------------------------


class ScheduleSave(ActionFormMixin):
    def run_action(self, form):
        data = form.cleaned_data
        return actions.save_schedule(
            self.request.user,
            form.instance,
            target_areas=data.get("target_areas") or [],
            target_groups=data.get("target_groups") or [],
            confirm_clashes=bool(data.get("confirm_clashes")),
        )


class ScheduleCreateView(ScheduleSave, generic.CreateView):
    def get_initial(self):
        initial = super().get_initial()
        initial.setdefault("starts_on", timezone.localdate())
        if "item" in self.request.GET:
            initial["item"] = self.request.GET["item"]
        return initial


class ScheduleEditView(ScheduleSave, ScopedObjectMixin, generic.EditView):
    pass


class ScheduleDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_schedule(self.request.user, instance)


def describe_rule(schedule: ProgrammeSchedule) -> str:
    at = schedule.at.strftime("%H:%M")
    if schedule.rule == Rule.ONCE:
        return f"{schedule.starts_on:%d/%m/%Y} {at}"
    if schedule.rule == Rule.WEEKLY:
        names = dict(forms.WEEKDAYS)
        days = ", ".join(str(names[str(d)]) for d in schedule.weekday_list)
        return f"{schedule.get_rule_display()}: {days} · {at}"
    if schedule.rule == Rule.RRULE:
        from .rules import describe_rrule

        return f"{describe_rrule(schedule.rrule)} · {at}"
    return f"{schedule.get_rule_display()} · {at}"


def _targets(schedule: ProgrammeSchedule) -> str:
    names = [a.name for a in schedule.target_areas.all()]
    names += [g.name for g in schedule.target_groups.all()]
    return ", ".join(names)


def _sync(schedule: ProgrammeSchedule) -> str:
    sync = status.sync_of(compiler.clusters_of(schedule))
    return f"{sync.in_sync}/{sync.clusters}"


class ScheduleIndexView(ScopedIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("item", "area")
            .prefetch_related("target_areas", "target_groups")
        )

    @property
    def header_buttons(self):
        return [*super().header_buttons, _calendar_button()]


class ScheduleInspectView(ScopedInspectMixin, generic.InspectView):
    template_name = "broadcasts/schedule_inspect.html"

    def get_fields(self):
        return [
            "item",
            "area",
            "rule",
            "priority",
            "order",
            "repeat",
            "gap_s",
            "window_minutes",
            "is_active",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schedule = self.object
        now = timezone.now()
        context["rule_text"] = describe_rule(schedule)
        context["targets"] = _targets(schedule)
        context["next"] = [
            timezone.localtime(t)
            for t in rules.occurrences(schedule, now, now + actions.CLASH_HORIZON)[:10]
        ]
        ids = compiler.clusters_of(schedule)
        context["sync"] = status.sync_of(ids)
        context["rows"] = status.rows(ids)
        context["toggle_url"] = reverse(
            "broadcasts_schedule_toggle", args=[schedule.pk]
        )
        context["play_now_url"] = reverse(
            "broadcasts_play_now", args=[schedule.item_id]
        )
        context["can_change"] = self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", schedule
        )
        return context


class ProgrammeScheduleViewSet(ScopedModelViewSet):
    name = "broadcasts_schedules"
    url_prefix = "broadcasts/schedules"
    model = ProgrammeSchedule
    icon = "date"
    menu_label = _("Schedules")
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ScheduleIndexView
    add_view_class = ScheduleCreateView
    edit_view_class = ScheduleEditView
    delete_view_class = ScheduleDeleteView
    inspect_view_class = ScheduleInspectView
    list_display = [
        "item",
        Column("when", label=_("when"), accessor=describe_rule),
        Column("targets", label=_("where"), accessor=_targets),
        Column("priority", label=_("priority level"), accessor="get_priority_display"),
        Column("order", label=_("order")),
        BooleanColumn("is_active", label=_("active")),
        Column("sync", label=_("devices up to date"), accessor=_sync),
    ]
    list_filter = ["rule", "priority", "is_active"]
    search_fields = ["item__title", "area__name"]
    list_per_page = 50
    # On a phone: what, when (a preset), where; everything else under "Tùy chỉnh".
    panels = [
        FieldPanel("item"),
        FieldPanel("when"),
        FieldPanel("area"),
        FieldPanel("target_areas"),
        FieldPanel("confirm_clashes"),
        MultiFieldPanel(
            [
                FieldPanel("rule"),
                FieldPanel("starts_on"),
                FieldPanel("at"),
                FieldPanel("ends_on"),
                FieldPanel("weekdays"),
                FieldPanel("rrule"),
                FieldPanel("target_groups"),
                FieldPanel("priority"),
                FieldPanel("order"),
                FieldPanel("window_minutes"),
                FieldPanel("repeat"),
                FieldPanel("gap_s"),
                FieldPanel("is_active"),
            ],
            heading=_("Custom"),
            classname="collapsed",
        ),
    ]

    def get_form_class(self, for_update=False):
        return forms.ProgrammeScheduleForm


# Groups ------------------------------------------------------------------------------


class GroupSave(ActionFormMixin):
    def run_action(self, form):
        data = form.cleaned_data
        stored = (
            ClusterGroup.objects.get(pk=form.instance.pk) if form.instance.pk else None
        )
        return actions.save_group(
            self.request.user,
            area=data["area"],
            name=data["name"],
            clusters=data.get("clusters") or [],
            group=stored,
        )


class GroupCreateView(GroupSave, generic.CreateView):
    pass


class GroupEditView(GroupSave, ScopedObjectMixin, generic.EditView):
    pass


class GroupDeleteView(ActionDeleteMixin, ScopedObjectMixin, generic.DeleteView):
    def delete_function(self, instance):
        actions.delete_group(self.request.user, instance)


class GroupIndexView(ScopedIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("area")


class ClusterGroupViewSet(ScopedModelViewSet):
    name = "broadcasts_groups"
    url_prefix = "broadcasts/groups"
    model = ClusterGroup
    icon = "group"
    menu_label = _("Groups of clusters")
    copy_view_enabled = False
    index_view_class = GroupIndexView
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView
    delete_view_class = GroupDeleteView
    list_display = [
        "name",
        Column("area", label=_("area")),
        Column("count", label=_("clusters"), accessor=lambda g: g.clusters.count()),
    ]
    search_fields = ["name", "area__name"]

    def get_form_class(self, for_update=False):
        return forms.ClusterGroupForm


class BroadcastsGroup(ViewSetGroup):
    menu_label = _("Programmes")
    menu_icon = "date"
    menu_order = 110
    items = (
        ProgrammeScheduleViewSet("broadcasts_schedules"),
        ProgrammeItemViewSet("broadcasts_items"),
        ClusterGroupViewSet("broadcasts_groups"),
    )
