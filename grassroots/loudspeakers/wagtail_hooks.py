from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability

from . import live, refusals
from .models import BrokerSync, Cluster
from .selectors import in_service
from .views import imports
from .viewsets import LoudspeakersGroup, register_policies

# Policies first: Wagtail builds a fallback policy on first use otherwise.
register_policies()


@hooks.register("register_admin_viewset")
def register_loudspeakers():
    return LoudspeakersGroup()


@hooks.register("register_admin_urls")
def register_import_url():
    return [
        path(
            "loudspeakers/import/", imports.import_clusters, name="loudspeakers_import"
        )
    ]


class OfflineAlertsPanel(Component):
    """On the console's home page: the clusters offline in the user's area, and why.

    Every offline cluster is listed (the list page says the same), those
    offline for longer than the alert delay first and marked.
    """

    name = "loudspeaker_alerts"
    template_name = "loudspeakers/home_alerts.html"
    order = 50

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        clusters = in_service(
            scope.scope(
                Cluster.objects.filter(live.status_filter(live.OFFLINE)),
                self.request.user,
            )
        )
        count = clusters.count()
        alerts = clusters.filter(live.status_filter(live.ALERT)).count()
        return {
            "count": count,
            "alerts": alerts,
            "clusters": live.rows(clusters.order_by("status__since")[:10]),
            "all_url": reverse("loudspeakers_clusters:index")
            + f"?status={live.OFFLINE}",
            "minutes": live.alert_after().total_seconds() // 60,
        }


class BrokerSyncPanel(Component):
    """On administrators' home page while the broker has not applied the credentials."""

    name = "loudspeaker_broker"
    template_name = "loudspeakers/home_broker.html"
    order = 40

    def __init__(self, sync: BrokerSync):
        self.sync = sync

    def get_context_data(self, parent_context=None):
        return {"sync": self.sync}


class RefusalsPanel(Component):
    """On the console's home page: clusters that refused suspicious messages lately.

    Shown only when there are some: a forged, unsigned or misaddressed
    message means someone tries to command the loudspeakers, or the broker
    leaks messages. Plain words; the cluster's history says which.
    """

    name = "loudspeaker_refusals"
    template_name = "loudspeakers/home_refusals.html"
    order = 51

    def __init__(self, request, clusters, refused):
        self.request = request
        self.clusters = clusters
        self.refused = refused

    @classmethod
    def build(cls, request) -> RefusalsPanel | None:
        clusters = scope.scope(Cluster.objects.all(), request.user)
        refused = refusals.fleet(clusters)
        return cls(request, clusters, refused) if refused else None

    def get_context_data(self, parent_context=None):
        recent = sorted(
            self.refused, key=lambda pk: self.refused[pk].last, reverse=True
        )
        rows = live.rows(self.clusters.filter(pk__in=recent[:10]))
        rows.sort(key=lambda r: recent.index(r["id"]))
        return {
            "totals": {
                "messages": sum(r.messages for r in self.refused.values()),
                "clusters": len(self.refused),
            },
            "clusters": rows,
        }


@hooks.register("construct_homepage_panels")
def add_alerts_panel(request, panels):
    if scope.can_anywhere(request.user, Capability.MANAGE_DEVICES):
        sync = BrokerSync.objects.filter(failing_since__isnull=False).first()
        if sync is not None:
            panels.append(BrokerSyncPanel(sync))
    if scope.can_anywhere(request.user, Capability.VIEW):
        panels.append(OfflineAlertsPanel(request))
        refused = RefusalsPanel.build(request)
        if refused is not None:
            panels.append(refused)


@hooks.register("insert_global_admin_css")
def loudspeakers_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html(
        '<link rel="stylesheet" href="{}">', static("loudspeakers/console.css")
    )
