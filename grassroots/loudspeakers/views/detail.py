"""A cluster's live page, and the confirmed actions started from it.

Every remote command goes through a confirmation page (what, to which
clusters) and is then an action: stored, audited, published on commit.
Credentials are shown once, on the page that issues them, never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views import generic

from grassroots.accounts import scope
from grassroots.accounts.audit import SignedInRequest
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.core import numbers

from .. import actions, live, playables, refusals
from ..forms import EmptyForm, PowerForm, VolumeForm
from ..models import (
    Ack,
    Cluster,
    ClusterState,
    Command,
    CommandAction,
    PlayEvent,
    Schedule,
)
from ..selectors import in_service

#: The commands offered in the console, with their form and a warning.
COMMANDS: dict[str, tuple[Any, type, Any]] = {
    "test_tone": (
        gettext_lazy("Play the test tone"),
        EmptyForm,
        gettext_lazy("A short chime plays now on the speakers."),
    ),
    CommandAction.STOP: (
        gettext_lazy("Stop playing"),
        EmptyForm,
        gettext_lazy("What plays now stops (not an emergency)."),
    ),
    CommandAction.VOLUME: (gettext_lazy("Set volume"), VolumeForm, ""),
    CommandAction.POWER: (
        gettext_lazy("Amplifier on/off"),
        PowerForm,
        gettext_lazy(
            "With the amplifier off, scheduled items are not heard (emergencies switch it on)."
        ),
    ),
    CommandAction.SYNC: (
        gettext_lazy("Sync"),
        EmptyForm,
        gettext_lazy("The device reports its state and fetches missing audio."),
    ),
    CommandAction.REBOOT: (
        gettext_lazy("Reboot"),
        EmptyForm,
        gettext_lazy("The device restarts; it is offline for about a minute."),
    ),
}


def _cluster(request: HttpRequest, pk: int) -> Cluster:
    queryset = scope.scope(
        Cluster.objects.select_related("area", "station__commune"), request.user
    )
    return get_object_or_404(queryset, pk=pk)


class ClusterDetailView(generic.InspectView):
    """Registry facts, live status, commands, credentials and history of one cluster."""

    template_name = "loudspeakers/cluster_detail.html"

    def get_object(self, queryset=None):
        return _cluster(self.request, int(self.pk))

    def get_page_title(self):
        return str(self.object)

    def get_page_subtitle(self):
        return f"{self.object.area.name}, {self.object.station.commune.name}"

    def get_fields(self):
        return [
            "station",
            "area",
            "model",
            "firmware_version",
            "link",
            "speaker_count",
            "speaker_power_w",
            "installed_on",
            "state",
            "notes",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cluster = self.object
        user = self.request.user
        # Commands to the cluster, and to any area it belongs to (one publish each).
        commands = list(
            Command.objects.filter(
                Q(cluster=cluster)
                | Q(cluster__isnull=True, area__path__in=cluster.area.ancestor_paths)
            )
            .select_related("issued_by", "area")
            .order_by("-issued_at")[:20]
        )
        acks = {
            a.ref: a
            for a in Ack.objects.filter(
                cluster=cluster,
                ref_type="command",
                ref__in=[str(c.id) for c in commands],
            )
        }
        for command in commands:
            command.ack = acks.get(str(command.id))
        can_command = scope.can(user, Capability.COMMAND_DEVICES, cluster.area)
        context.update(
            cluster=cluster,
            info=live.describe_cluster(cluster),
            refused=refusals.counts([cluster.pk]).get(cluster.pk, 0),
            status=getattr(cluster, "status", None)
            if live._has_status(cluster)
            else None,
            can_command=can_command and cluster.state != ClusterState.RETIRED,
            can_manage=scope.can(user, Capability.MANAGE_DEVICES, cluster.area),
            commands=[
                (
                    name,
                    label,
                    reverse("loudspeakers_clusters:command", args=(cluster.pk, name)),
                )
                for name, (label, _form, _warning) in COMMANDS.items()
            ],
            history=cluster.log.all()[:50],
            sent_commands=commands,
            plays=PlayEvent.objects.filter(cluster=cluster)[:30],
            schedules=Schedule.objects.filter(cluster=cluster).only(
                "version", "items", "created_at", "valid_from", "valid_until"
            )[:5],
            states=[s for s in ClusterState if s != cluster.state],
            clock_off=_clock_off(getattr(cluster, "status", None)),
            position=cluster.position,
            tiles_url=settings.GRASSROOTS_MAP_TILES_URL,
            tiles_attribution=settings.GRASSROOTS_MAP_TILES_ATTRIBUTION,
        )
        return context


def _command_args(name: str, form) -> tuple[str, dict[str, Any]]:
    if name == "test_tone":
        return CommandAction.PLAY_NOW, {"item": playables.test_tone()}
    if name == CommandAction.VOLUME:
        return name, {"level": form.cleaned_data["level"]}
    if name == CommandAction.POWER:
        return name, {"on": form.cleaned_data["on"]}
    return name, {}


def _command_page(
    request, name: str, *, cluster: Cluster | None, area: Area | None, back: str
) -> HttpResponse:
    if name not in COMMANDS:
        raise Http404
    target_area = cluster.area if cluster is not None else area
    if target_area is None:
        raise Http404
    if not scope.can(request.user, Capability.COMMAND_DEVICES, target_area):
        raise PermissionDenied
    label, form_class, warning = COMMANDS[name]
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        action, args = _command_args(name, form)
        try:
            command = actions.send_command(
                request.user, action, args, cluster=cluster, area=area
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _(
                    "“%(command)s” sent to %(n)s cluster(s); acknowledgements appear below as they arrive."
                )
                % {"command": label, "n": numbers.text(command.targets)},
            )
            return redirect(back)
    targets = (
        1
        if cluster is not None
        else in_service(
            Cluster.objects.filter(area__path__under=target_area.path)
        ).count()
    )
    return render(
        request,
        "loudspeakers/command_confirm.html",
        {
            "label": label,
            "warning": warning,
            "form": form,
            "cluster": cluster,
            "area": area,
            "targets": targets,
            "back": back,
        },
    )


def command(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Confirm, then send, a command to one cluster."""
    cluster = _cluster(request, pk)
    if cluster.state == ClusterState.RETIRED:
        raise Http404
    back = reverse("loudspeakers_clusters:inspect", args=(cluster.pk,))
    return _command_page(request, name, cluster=cluster, area=None, back=back)


def area_command(request: HttpRequest, area_pk: int, name: str) -> HttpResponse:
    """Confirm, then send, a command to every cluster of an area in one publish."""
    area = get_object_or_404(scope.areas(request.user), pk=area_pk)
    back = reverse("loudspeakers_map:map") + f"?commune={area.pk}"
    return _command_page(request, name, cluster=None, area=area, back=back)


def credentials(request: SignedInRequest, pk: int) -> HttpResponse:
    """Issue, rotate or revoke a cluster's credentials; a new secret is shown once."""
    cluster = _cluster(request, pk)
    if not scope.can(request.user, Capability.MANAGE_DEVICES, cluster.area):
        raise PermissionDenied
    if request.method == "POST":
        operation = request.POST.get("operation")
        try:
            if operation == "issue":
                secret = actions.issue_credentials(request.user, cluster)
                response = render(
                    request,
                    "loudspeakers/credentials_shown.html",
                    {
                        "cluster": cluster,
                        "secret": secret,
                        "config": actions.agent_config(cluster, secret),
                        "broker": settings.GRASSROOTS_DEVICE_BROKER_URL,
                    },
                )
                response["Cache-Control"] = "no-store"
                return response
            if operation == "revoke":
                actions.revoke_credentials(request.user, cluster)
                messages.success(
                    request,
                    _(
                        "The credentials were revoked; the broker refuses this cluster from now on."
                    ),
                )
                return redirect("loudspeakers_clusters:inspect", cluster.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(request, "loudspeakers/credentials.html", {"cluster": cluster})


@require_POST
def set_state(request: SignedInRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    try:
        actions.set_cluster_state(request.user, cluster, request.POST.get("state", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("State changed to “%(state)s”.") % {"state": cluster.get_state_display()},
        )
    return redirect("loudspeakers_clusters:inspect", cluster.pk)


def urlpatterns():
    return [
        path("<int:pk>/command/<str:name>/", command, name="command"),
        path("<int:pk>/credentials/", credentials, name="credentials"),
        path("<int:pk>/state/", set_state, name="state"),
        path(
            "area/<int:area_pk>/command/<str:name>/", area_command, name="area_command"
        ),
    ]


def _clock_off(status) -> bool:
    """Return True when the device's clock is further off than the alarm limit."""
    offset = getattr(status, "clock_offset_ms", None)
    return (
        offset is not None
        and abs(offset) > settings.GRASSROOTS_CLOCK_OFFSET_ALARM_S * 1000
    )
