"""JSON API of the fleet (``/api/v1/loudspeakers/``) and the EMQX authentication hooks.

Staff endpoints use the console session and the scope rule, like the
console. ``/broker/auth`` and ``/broker/acl`` are for EMQX's HTTP
authentication and authorisation (docs/loudspeakers.md): they answer from the
same registry and rules as the Mosquitto files, and need the
``GRASSROOTS_BROKER_HOOK_TOKEN`` as a bearer token.
"""

from __future__ import annotations

import hmac
import tomllib
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import HttpBearer
from pydantic import ConfigDict

from grassroots.accounts import scope
from grassroots.accounts.api_auth import STAFF
from grassroots.accounts.roles import Capability
from grassroots.api import ApiError
from grassroots.core import inputs, tabular

from . import acl, actions, credentials, live, plane, playables
from .actions.provisioning import ALREADY_PROVISIONED
from .models import Ack, Cluster, ClusterState, Command, CommandAction
from .selectors import in_service

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
    args: StopArgs = Field(default_factory=lambda: StopArgs(item=None))


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


# Provisioning ------------------------------------------------------------------------


class ClusterIn(Schema):
    code: str = Field(max_length=64, description="the device id; never changes")
    commune: str = Field(max_length=20, description="the commune's official code")
    hamlet: str = Field(default="", max_length=20, description="the hamlet's code")
    name: str = Field(default="", max_length=200, description="where exactly")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    model: str = Field(default="", max_length=100)
    firmware_version: str = Field(default="", max_length=60)
    link: Literal["4g", "wifi", "wired"] = "4g"
    speaker_count: int = Field(default=2, ge=1, le=64)
    speaker_power_w: int = Field(default=30, ge=1, le=5000)
    installed_on: inputs.Date | None = None


class CredentialsOut(Schema):
    device_id: str
    secret: str = Field(description="shown only in this answer; only a hash is kept")
    broker: str
    root: str
    areas: list[str]
    heartbeat_s: int
    ca_pem: str | None = Field(
        description="the CA to trust, when the broker's is private"
    )
    file: str = Field(
        description="the credentials file (TOML), as the console gives it"
    )


class ProvisionedOut(Schema):
    line: int
    code: str
    outcome: Literal["created", "updated", "unchanged"]
    credentials: CredentialsOut


class BatchOut(Schema):
    provisioned: int
    rows: list[ProvisionedOut]


def _credentials(cluster: Cluster, secret: str, file: str) -> dict[str, Any]:
    config = tomllib.loads(file)
    return {
        "device_id": config["device_id"],
        "secret": secret,
        "broker": config["broker"],
        "root": config["root"],
        "areas": config["areas"],
        "heartbeat_s": config["heartbeat_s"],
        "ca_pem": config.get("ca_pem"),
        "file": file,
    }


def _no_store(response: HttpResponse) -> None:
    """Secrets must not stay in any cache between the server and the client."""
    response["Cache-Control"] = "no-store"


@router.post(
    "/clusters",
    response={201: ClusterOut},
    auth=STAFF,
    summary="Register a cluster",
)
def create_cluster(request, payload: ClusterIn):
    """Register a cluster in a commune (or one of its hamlets) by their official codes."""
    cluster = actions.add_cluster(request.auth, **payload.dict())
    return Status(201, live.rows(Cluster.objects.filter(pk=cluster.pk))[0])


@router.post(
    "/provisioning/batches",
    response={201: BatchOut},
    auth=STAFF,
    summary="Register a factory's batch and issue credentials",
)
def provision_batch(
    request,
    response: HttpResponse,
    file: File[UploadedFile],
    rotate: Form[bool] = False,
):
    """Register every cluster of a CSV or XLSX file and issue each its credentials.

    The columns are those of the console's cluster import. All or nothing:
    if any row is wrong, nothing is registered and the answer (422,
    ``invalid_file``) lists every problem by line and column.
    """
    try:
        done = actions.provision_clusters(file, actor=request.auth, rotate=rotate)
    except tabular.TableError as exc:
        raise ApiError(
            422,
            "invalid_file",
            _("Nothing was registered: fix the rows listed and send the file again."),
            errors=[
                {"line": e.line, "column": e.column, "message": e.message}
                for e in exc.errors
            ],
        ) from exc
    _no_store(response)
    return Status(
        201,
        {
            "provisioned": len(done),
            "rows": [
                {
                    "line": row.line,
                    "code": row.cluster.code,
                    "outcome": row.outcome,
                    "credentials": _credentials(row.cluster, row.secret, row.file),
                }
                for row in done
            ],
        },
    )


@router.post(
    "/clusters/{code}/credentials",
    response={201: CredentialsOut},
    auth=STAFF,
    summary="Issue (or rotate) a cluster's credentials",
)
def issue_credentials(
    request,
    response: HttpResponse,
    code: str,
    rotate: bool = Query(
        False, description="replace existing credentials (the old ones stop working)"
    ),
):
    """Give the cluster a new secret; the answer is the only time it is shown."""
    cluster = get_object_or_404(_scoped(request), code=code)
    if cluster.has_credentials and not rotate:
        raise ApiError(409, "already_provisioned", str(ALREADY_PROVISIONED))
    if cluster.state == ClusterState.RETIRED:
        raise ApiError(409, "retired", _("This cluster is retired."))
    secret = actions.issue_credentials(request.auth, cluster, replace=rotate)
    _no_store(response)
    return Status(
        201, _credentials(cluster, secret, actions.agent_config(cluster, secret))
    )


@router.delete(
    "/clusters/{code}/credentials",
    response={204: None},
    auth=STAFF,
    summary="Revoke a cluster's credentials",
)
def revoke_credentials(request, code: str):
    """Withdraw the cluster's credentials: the broker refuses them within seconds."""
    cluster = get_object_or_404(_scoped(request), code=code)
    actions.revoke_credentials(request.auth, cluster)
    return Status(204, None)


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
    if credentials.reserved(username):
        return None
    row = (
        in_service(Cluster.objects.exclude(secret_hash=""))
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
