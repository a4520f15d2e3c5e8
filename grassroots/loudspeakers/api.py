"""JSON API of the fleet (``/api/v1/loudspeakers/``) and the EMQX authentication hooks.

Staff endpoints use the console session and the scope rule, like the
console. ``/broker/auth`` and ``/broker/acl`` are for EMQX's HTTP
authentication and authorisation (docs/loudspeakers.md): they answer from the
same registry and rules as the Mosquitto files, and need the
``GRASSROOTS_BROKER_HOOK_TOKEN`` as a bearer token.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import ConfigDict

from grassroots.accounts import scope
from grassroots.accounts.api_auth import STAFF
from grassroots.accounts.roles import Capability
from grassroots.api import ApiError

from . import acl, actions, credentials, live, plane, playables
from .models import Ack, Cluster, ClusterState, Command, CommandAction

router = Router(tags=["loudspeakers"])


class ClusterOut(Schema):
    id: int
    code: str
    name: str
    hamlet: str
    commune: str
    state: str
    lat: float | None
    lon: float | None
    status: str = Field(
        description="online, offline, alert (offline too long) or never"
    )
    status_text: str
    since: str | None
    playing: str | None
    volume: int | None
    schedule_sent: int | None
    schedule_held: int | None
    in_sync: bool | None


class NoCommandArgs(Schema):
    model_config = ConfigDict(extra="forbid")


class StopArgs(NoCommandArgs):
    item: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
        description="Only this item",
    )


class VolumeArgs(NoCommandArgs):
    level: int = Field(ge=0, le=100, strict=True)


class PowerArgs(NoCommandArgs):
    on: bool = Field(strict=True)


class PlayNowArgs(NoCommandArgs):
    item: int = Field(description="A programme item's id (console: Chương trình)")
    priority: Literal["normal", "priority"] = "normal"


class StopIn(NoCommandArgs):
    action: Literal["stop"]
    args: StopArgs = Field(default_factory=StopArgs)


class VolumeIn(NoCommandArgs):
    action: Literal["volume"]
    args: VolumeArgs


class PowerIn(NoCommandArgs):
    action: Literal["power"]
    args: PowerArgs


class RebootIn(NoCommandArgs):
    action: Literal["reboot"]
    args: NoCommandArgs = Field(default_factory=NoCommandArgs)


class SyncIn(NoCommandArgs):
    action: Literal["sync"]
    args: NoCommandArgs = Field(default_factory=NoCommandArgs)


class TestToneIn(NoCommandArgs):
    action: Literal["test_tone"]
    args: NoCommandArgs = Field(default_factory=NoCommandArgs)


class PlayNowIn(NoCommandArgs):
    action: Literal["play_now"]
    args: PlayNowArgs


#: The fixed commands, the test tone, and a programme item played now. Items
#: are named by id and built by the server: no client writes a device's item.
CommandIn = Annotated[
    StopIn | VolumeIn | PowerIn | RebootIn | SyncIn | TestToneIn | PlayNowIn,
    Field(discriminator="action"),
]


class CommandOut(Schema):
    id: UUID
    action: str
    targets: int
    acknowledged: int
    acks: dict[str, int] = Field(description="count by status: ok, rejected, expired …")


def _scoped(request, capability: str = Capability.VIEW):
    return scope.scope(Cluster.objects.all(), request.auth, capability)


@router.get(
    "/clusters",
    response=list[ClusterOut],
    auth=STAFF,
    summary="Clusters in my area, live",
)
def list_clusters(
    request,
    commune: str | None = None,
    status: Literal["online", "offline", "alert", "never"] | None = None,
    state: Literal["active", "maintenance", "retired"] | None = None,
):
    """Return the clusters the user may see, with their live status.

    ``commune`` is a commune code; ``status`` and ``state`` filter.
    """
    queryset = _scoped(request)
    if commune:
        queryset = queryset.filter(station__commune__code=commune)
    if status:
        queryset = queryset.filter(live.status_filter(status))
    if state:
        queryset = queryset.filter(state=state)
    return live.rows(queryset.order_by("code")[:5000])


@router.get(
    "/clusters/{code}",
    response=ClusterOut,
    auth=STAFF,
    summary="One cluster, live",
)
def get_cluster(request, code: str):
    rows = live.rows(_scoped(request).filter(code=code))
    if not rows:
        raise ApiError(404, "not_found", _("Nothing here, or it is outside your area."))
    return rows[0]


def _command_out(command: Command) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for status in Ack.objects.filter(
        ref_type="command", ref=str(command.id)
    ).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return {
        "id": command.id,
        "action": command.action,
        "targets": command.targets,
        "acknowledged": sum(counts.values()),
        "acks": counts,
    }


@router.post(
    "/clusters/{code}/commands",
    response={202: CommandOut},
    auth=STAFF,
    summary="Send a command to one cluster",
)
def command_cluster(request, code: str, payload: Body[CommandIn]):
    """Send a fixed command, the test tone, or play a programme item now.

    ``play_now`` goes through the broadcasts app's play-now action (its
    capability, priorities and audit), naming the item by its id.
    """
    cluster = get_object_or_404(_scoped(request), code=code)
    if cluster.state == ClusterState.RETIRED:
        raise ApiError(409, "retired", _("This cluster is retired."))
    if isinstance(payload, PlayNowIn):
        from grassroots.broadcasts import actions as broadcasts
        from grassroots.broadcasts.models import ProgrammeItem

        item = get_object_or_404(
            scope.scope(ProgrammeItem.objects.all(), request.auth),
            pk=payload.args.item,
        )
        [command] = broadcasts.play_now(
            request.auth, item, clusters=[cluster], priority=payload.args.priority
        )
    elif isinstance(payload, TestToneIn):
        command = actions.send_command(
            request.auth,
            CommandAction.PLAY_NOW,
            {"item": playables.test_tone()},
            cluster=cluster,
        )
    else:
        command = actions.send_command(
            request.auth,
            payload.action,
            payload.args.model_dump(exclude_none=True),
            cluster=cluster,
        )
    return Status(202, _command_out(command))


@router.get(
    "/commands/{command_id}",
    response=CommandOut,
    auth=STAFF,
    summary="A command and its acknowledgements",
)
def get_command(request, command_id: UUID):
    command = get_object_or_404(
        scope.scope(Command.objects.all(), request.auth), pk=command_id
    )
    return _command_out(command)


# EMQX hooks --------------------------------------------------------------------------


class HookToken(HttpBearer):
    def authenticate(self, request, token):
        expected = settings.GRASSROOTS_BROKER_HOOK_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return "broker"
        return None


class AuthIn(Schema):
    username: str = Field(max_length=200)
    password: str = Field(default="", max_length=500)
    clientid: str = Field(default="", max_length=200)


class AclIn(Schema):
    username: str = Field(max_length=200)
    topic: str = Field(max_length=1000)
    action: Literal["publish", "subscribe"]


class HookOut(Schema):
    result: Literal["allow", "deny", "ignore"]
    is_superuser: bool = False


def _account(username: str) -> tuple[str, list[acl.Rule]] | None:
    t = plane.topics()
    if username in credentials.SERVICES:
        return credentials.service_hash(username), acl.service_rules(t)[username]
    row = (
        Cluster.objects.exclude(secret_hash="")
        .exclude(state=ClusterState.RETIRED)
        .filter(code=username)
        .values_list("secret_hash", "area__path")
        .first()
    )
    if row is None:
        return None
    return row[0], acl.device_rules(t, username, row[1])


@router.post(
    "/broker/auth",
    response=HookOut,
    auth=HookToken(),
    summary="EMQX HTTP authentication hook",
)
def broker_auth(request, payload: AuthIn):
    """Allow a client whose user name and password match the registry (and client id = user name for devices)."""
    account = _account(payload.username)
    if account is None or not credentials.verify(payload.password, account[0]):
        return {"result": "deny"}
    if payload.username not in credentials.SERVICES and payload.clientid not in (
        "",
        payload.username,
    ):
        return {"result": "deny"}
    return {"result": "allow"}


@router.post(
    "/broker/acl",
    response=HookOut,
    auth=HookToken(),
    summary="EMQX HTTP authorisation hook",
)
def broker_acl(request, payload: AclIn):
    account = _account(payload.username)
    if account is None:
        return {"result": "deny"}
    access = acl.WRITE if payload.action == "publish" else acl.READ
    return {
        "result": "allow" if acl.allowed(account[1], payload.topic, access) else "deny"
    }
