"""Console pages of the fleet: clusters (live list), radio stations, and the menu group."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

from grassroots.accounts import scope
from grassroots.accounts.permissions import (
    ScopedIndexMixin,
    ScopedModelViewSet,
    ScopedObjectMixin,
    ScopedPermissionPolicy,
)
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.areas.words import hamlet_label
from grassroots.core.console import ActionFormMixin

from . import actions, live
from .forms import ClusterForm, StationForm
from .models import Cluster, ClusterState, LinkKind, Station
from .selectors import in_service_q
from .views import detail, live_views


class NoDeletePolicy(ScopedPermissionPolicy):
    """Clusters and stations are retired, never deleted: their history stays."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)


class LiveColumn(Column):
    cell_template_name = "loudspeakers/cells/live.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["info"] = live.describe_cluster(instance)
        return context


def _communes(request):
    if request is None:
        return Area.objects.none()
    return (
        scope.areas(request.user)
        .communes()
        .filter(radio_station__isnull=False)
        .order_by("name")
    )


class ClusterFilterSet(WagtailFilterSet):
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=_communes, field_name="station__commune"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="filter_status",
        choices=[
            (live.ONLINE, _("online")),
            (live.OFFLINE, _("offline")),
            (live.ALERT, _("offline too long (alert)")),
            (live.NEVER, _("never connected")),
            ("playing", _("playing")),
        ],
    )
    sync = django_filters.ChoiceFilter(
        label=_("Schedule"),
        method="filter_sync",
        choices=[("yes", _("in sync")), ("no", _("not in sync"))],
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=ClusterState.choices)
    link = django_filters.ChoiceFilter(label=_("Connection"), choices=LinkKind.choices)

    class Meta:
        model = Cluster
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        if value == "playing":
            return queryset.filter(
                status__online=True, status__playing__isnull=False
            ).exclude(status__playing=None)
        return queryset.filter(live.status_filter(value))

    def filter_sync(self, queryset, name, value):
        return queryset.filter(live.sync_filter(value == "yes"))


class _FormForUser:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        except PermissionDenied as exc:
            form.add_error(
                None, str(exc) or _("This is outside your area or your role.")
            )
            return self.form_invalid(form)


class ClusterSaveMixin(ActionFormMixin, _FormForUser):
    """Save through ``save_cluster``; its refusals (a station of another commune) go on the form."""

    def run_action(self, form):
        data = form.cleaned_data
        existing = getattr(self, "object", None)
        existing = existing if existing is not None and existing.pk else None
        fields = {name: data.get(name) for name in actions.registry.CLUSTER_FIELDS}
        return actions.save_cluster(
            self.request.user,
            station=data["station"],
            area=data["area"],
            code=existing.code if existing else data["code"],
            cluster=existing,
            **{
                k: (
                    ""
                    if v is None and k in ("name", "model", "firmware_version", "notes")
                    else v
                )
                for k, v in fields.items()
            },
        )


class ClusterIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)
    template_name = "loudspeakers/cluster_index.html"

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("area", "station__commune", "status")
        )

    def get_edit_url(self, instance):
        # The cluster's name opens its live page; editing is a button there.
        return self.get_inspect_url(instance)

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        buttons.append(
            HeaderButton(
                _("Map"), url=reverse("loudspeakers_map:map"), icon_name="site"
            )
        )
        if scope.can_anywhere(self.request.user, Capability.MANAGE_DEVICES):
            buttons.append(
                HeaderButton(
                    _("Import clusters"),
                    url=reverse("loudspeakers_import"),
                    icon_name="upload",
                )
            )
        return buttons


class ClusterCreateView(ClusterSaveMixin, generic.CreateView):
    pass


class ClusterEditView(ClusterSaveMixin, ScopedObjectMixin, generic.EditView):
    def get_success_url(self):
        return reverse("loudspeakers_clusters:inspect", args=(self.object.pk,))


class ClusterViewSet(ScopedModelViewSet):
    model = Cluster
    icon = "media"
    menu_label = _("Loudspeaker clusters")
    menu_order = 100
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ClusterIndexView
    add_view_class = ClusterCreateView
    edit_view_class = ClusterEditView
    inspect_view_class = detail.ClusterDetailView
    filterset_class = ClusterFilterSet
    search_fields = ["code", "name", "area__name", "station__commune__name"]
    list_per_page = 50
    list_display = [
        "code",
        Column("name", label=_("Location")),
        Column("area", label=hamlet_label()),
        LiveColumn("live_status", label=_("Status")),
        LiveColumn("live_playing", label=_("Playing")),
        LiveColumn("live_volume", label=_("Volume")),
        LiveColumn("live_sync", label=_("Schedule")),
        Column("state", label=_("State"), accessor="get_state_display"),
    ]
    list_export = [
        "code",
        "name",
        "station",
        "area",
        "latitude",
        "longitude",
        "model",
        "firmware_version",
        "link",
        "speaker_count",
        "speaker_power_w",
        "installed_on",
        "state",
    ]

    def get_form_class(self, for_update=False):
        return ClusterForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + detail.urlpatterns()


# Stations ----------------------------------------------------------------------


class StationSaveMixin(ActionFormMixin, _FormForUser):
    def run_action(self, form):
        data = form.cleaned_data
        existing = getattr(self, "object", None)
        existing = existing if existing is not None and existing.pk else None
        return actions.save_station(
            self.request.user,
            commune=existing.commune if existing else data["commune"],
            name=data["name"],
            address=data.get("address") or "",
            phone=data.get("phone") or "",
            is_active=data.get("is_active", True),
            station=existing,
        )


class StationIndexView(ScopedIndexMixin, generic.IndexView):
    scope_actions = ("view",)

    def get_base_queryset(self):
        from django.db.models import Count

        return (
            super()
            .get_base_queryset()
            .select_related("commune")
            .annotate(
                cluster_count=Count("clusters", filter=in_service_q("clusters__")),
                online_count=Count("clusters", filter=Q(clusters__status__online=True)),
            )
        )


class StationCreateView(StationSaveMixin, generic.CreateView):
    pass


class StationEditView(StationSaveMixin, ScopedObjectMixin, generic.EditView):
    pass


class StationViewSet(ScopedModelViewSet):
    model = Station
    icon = "home"
    menu_label = _("Radio stations")
    menu_order = 300
    copy_view_enabled = False
    index_view_class = StationIndexView
    add_view_class = StationCreateView
    edit_view_class = StationEditView
    search_fields = ["name", "commune__name", "commune__code"]
    list_display = [
        "name",
        Column("commune", label=_("Commune")),
        Column("cluster_count", label=_("Clusters")),
        Column("online_count", label=_("Online")),
        Column("phone", label=_("Phone")),
        Column("is_active", label=_("Active")),
    ]

    def get_form_class(self, for_update=False):
        return StationForm


# Map -------------------------------------------------------------------------------


class MapViewSet(ViewSet):
    icon = "site"
    menu_label = _("Map")
    menu_order = 200
    name = "loudspeakers_map"

    def get_urlpatterns(self):
        return [
            path("", live_views.map_view, name="map"),
            path("live.json", live_views.live_json, name="live"),
        ]


class LoudspeakersGroup(ViewSetGroup):
    menu_label = _("Loudspeakers")
    menu_icon = "media"
    menu_order = 150
    items = (
        ClusterViewSet("loudspeakers_clusters", url_prefix="loudspeakers/clusters"),
        MapViewSet("loudspeakers_map", url_prefix="loudspeakers/map"),
        StationViewSet("loudspeakers_stations", url_prefix="loudspeakers/stations"),
    )


def register_policies() -> None:
    from wagtail.permissions import register_permission_policy

    register_permission_policy(
        Cluster,
        NoDeletePolicy(
            Cluster, path_field="area__path", manage=Capability.MANAGE_DEVICES
        ),
    )
    register_permission_policy(
        Station,
        NoDeletePolicy(
            Station, path_field="commune__path", manage=Capability.MANAGE_DEVICES
        ),
    )
