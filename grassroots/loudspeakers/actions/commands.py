"""Commands, schedules and emergencies sent to clusters through the device plane."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots_agent import protocol

from .. import plane
from ..models import Cluster, ClusterState, Command, CommandAction, LogKind, Schedule
from ..selectors import in_service
from ._common import log, require
from .command_rules import checked_args

COMMAND_TTL_S = 300
SCHEDULE_HOURS = 48


def _describe(action: str, args: dict[str, Any]) -> str:
    label = CommandAction(action).label
    if action == CommandAction.VOLUME:
        return f"{label}: {args.get('level')}"
    if action == CommandAction.POWER:
        return f"{label}: {_('on') if args.get('on') else _('off')}"
    if action == CommandAction.PLAY_NOW:
        item = args.get("item") or {}
        return f"{label}: {item.get('title') or item.get('id', '')}"
    return str(label)


@transaction.atomic
def send_command(
    actor: Actor,
    action: str,
    args: dict[str, Any] | None = None,
    *,
    cluster: Cluster | None = None,
    area: Area | None = None,
    ttl_s: int = COMMAND_TTL_S,
) -> Command:
    """Send a command to one cluster, or to every cluster under ``area`` in one publish.

    The command is stored and audited, then published once the transaction
    commits; devices acknowledge it by its id. Only fixed commands and items
    the server built pass (``command_rules``).
    """
    if (cluster is None) == (area is None):
        raise ValueError("give a cluster or an area")
    if action not in CommandAction.values:
        raise ValidationError(_("Unknown command: %(action)s") % {"action": action})
    target_area = cluster.area if cluster is not None else area
    if target_area is None:
        raise ValueError("give a cluster or an area")
    require(actor, Capability.COMMAND_DEVICES, target_area)
    args = checked_args(action, args)
    if cluster is not None and cluster.state == ClusterState.RETIRED:
        raise ValidationError(_("This cluster is retired."))
    now = timezone.now()
    by = actor.get_username() if audit.is_user(actor) else "system"
    command = Command(
        action=action,
        args=args,
        cluster=cluster,
        area=target_area,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        issued_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    message = protocol.command(
        action,
        args,
        command_id=str(command.id),
        issued_at=now.timestamp(),
        ttl_s=ttl_s,
        by=by,
    )
    try:
        protocol.validate("command", message)
    except protocol.ProtocolError as exc:
        raise ValidationError(
            _("The command's details are not valid: %(detail)s")
            % {"detail": exc.detail}
        ) from exc
    if cluster is not None:
        command.targets = 1
        topic = plane.topics().command(cluster.code)
    else:
        command.targets = in_service(
            Cluster.objects.filter(area__path__under=target_area.path)
        ).count()
        topic = plane.topics().area_command(target_area.url_path)
    command.save()
    description = _describe(action, args)
    audit.record(
        "loudspeakers.command",
        actor,
        command,
        area=target_area,
        data={
            "action": action,
            "args": args,
            "targets": command.targets,
            "topic": topic,
        },
        object_repr=f"{description} → {cluster or target_area}",
    )
    if cluster is not None:
        log(cluster, LogKind.COMMAND, description, command=str(command.id), by=by)
    plane.publish_on_commit(topic, message, qos=1)
    return command


def _window(
    valid_from: datetime | None, valid_until: datetime | None
) -> tuple[datetime, datetime]:
    start = valid_from or timezone.now()
    return start, valid_until or start + timedelta(hours=SCHEDULE_HOURS)


@transaction.atomic
def send_schedules(
    actor: Actor,
    schedules: dict[Cluster, list[dict[str, Any]]],
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> list[Schedule]:
    """Send each cluster its own schedule document (a new version each), retained.

    ``schedules`` maps a cluster to its items (see schemas/schedule.json);
    devices acknowledge the version and report it in their state, which the
    console compares with the version sent.
    """
    start, end = _window(valid_from, valid_until)
    clusters = list(schedules)
    for cluster in clusters:
        require(actor, Capability.OPERATE_BROADCASTS, cluster.area)
        if cluster.state == ClusterState.RETIRED:
            raise ValidationError(_("%(code)s is retired.") % {"code": cluster.code})
    latest = dict(
        Schedule.objects.filter(cluster__in=clusters)
        .values("cluster")
        .annotate(v=Max("version"))
        .values_list("cluster", "v")
    )
    rows: list[Schedule] = []
    messages: list[tuple[str, bytes]] = []
    user = actor if getattr(actor, "is_authenticated", False) else None
    topics = plane.topics()
    # Clusters of one area share the same item dictionaries: each is checked
    # against the schema once, and each document's envelope with only the
    # items not seen yet (the ids stay valid: ``schedules`` holds the items).
    checked: set[int] = set()
    for cluster in clusters:
        version = max(latest.get(cluster.pk) or 0, cluster.schedule_version or 0) + 1
        items = schedules[cluster]
        document = protocol.schedule(
            cluster.code,
            version,
            items,
            valid_from=start.timestamp(),
            valid_until=end.timestamp(),
        )
        payload = protocol.encode(document)
        if len(payload) > protocol.MAX_MESSAGE_BYTES:
            raise ValidationError(
                _("The schedule of %(code)s is too large to send.")
                % {"code": cluster.code}
            )
        fresh = [item for item in items if id(item) not in checked]
        probe = (
            document
            if len(fresh) == len(items) or len(items) > 2000
            else {**document, "items": fresh}
        )
        try:
            protocol.validate("schedule", probe)
        except protocol.ProtocolError as exc:
            raise ValidationError(
                _("The schedule of %(code)s is not valid: %(detail)s")
                % {"code": cluster.code, "detail": exc.detail}
            ) from exc
        checked.update(id(item) for item in fresh)
        rows.append(
            Schedule(
                cluster=cluster,
                version=version,
                document=document,
                items=len(document["items"]),
                valid_from=start,
                valid_until=end,
                created_by=user,
            )
        )
        cluster.schedule_version = version
        messages.append((topics.schedule(cluster.code), payload))
    _insert(rows, [payload for _topic, payload in messages])
    # One UPDATE per distinct version (usually a handful), not a CASE per row:
    # bulk_update made sending 10,000 schedules several times slower.
    by_version: dict[int | None, list[int]] = {}
    for cluster in clusters:
        by_version.setdefault(cluster.schedule_version, []).append(cluster.pk)
    for version, pks in by_version.items():
        for i in range(0, len(pks), 900):
            Cluster.objects.filter(pk__in=pks[i : i + 900]).update(
                schedule_version=version
            )
    if user is not None or len(clusters) <= 50:
        for cluster, row in zip(clusters, rows, strict=True):
            log(
                cluster,
                LogKind.SCHEDULE,
                _("Schedule version %(v)s sent (%(n)d items)")
                % {"v": row.version, "n": row.items},
            )
    audit.record(
        "loudspeakers.schedule_send",
        actor,
        clusters[0] if len(clusters) == 1 else None,
        area=clusters[0].area if len(clusters) == 1 else _common_area(clusters),
        data={
            "clusters": len(clusters),
            "versions": {c.code: c.schedule_version for c in clusters[:50]},
        },
        object_repr=_("Schedules for %(n)d clusters") % {"n": len(clusters)},
    )

    def publish_all() -> None:
        for topic, payload in messages:
            plane.publish(topic, payload, qos=1, retain=True)

    transaction.on_commit(publish_all)
    return rows


def _insert(rows: list[Schedule], payloads: list[bytes]) -> None:
    """Store the schedule rows; on PostgreSQL by COPY, with the JSON already encoded.

    ``bulk_create`` on PostgreSQL sends the documents as one text array
    (UNNEST), whose escaping alone took most of the time for 10,000 clusters.
    """
    if connection.vendor != "postgresql" or len(rows) < 50:
        Schedule.objects.bulk_create(rows)
        return
    fields = [f for f in Schedule._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {Schedule._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608 - our own names
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row, payload in zip(rows, payloads, strict=True):
            copy.write_row(
                [
                    payload.decode()
                    if f.name == "document"
                    else f.get_db_prep_save(f.pre_save(row, True), connection)
                    for f in fields
                ]
            )


def _common_area(clusters: Iterable[Cluster]) -> str:
    paths = [c.area.path for c in clusters]
    prefix = paths[0] if paths else ""
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return prefix


def send_schedule(
    actor: Actor,
    cluster: Cluster,
    items: list[dict[str, Any]],
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> Schedule:
    """Send one cluster a new schedule version."""
    return send_schedules(
        actor, {cluster: items}, valid_from=valid_from, valid_until=valid_until
    )[0]


def publish_emergencies(
    target: Area | Cluster,
    rev: int,
    active: list[dict[str, Any]],
    *,
    wait_s: float = 1.0,
) -> bool:
    """Publish the whole list of active emergencies of an area (or one cluster), now.

    Not queued and not deferred to a commit: an emergency must reach devices
    within a second. The caller (the broadcasts app) records and audits it;
    ``rev`` must grow with every publication on that topic. An empty
    ``active`` cancels every emergency sent there. The list names its area
    (or cluster): devices act only on lists for their own areas. Returns
    whether the broker confirmed it within ``wait_s``.
    """
    topics = plane.topics()
    if isinstance(target, Cluster):
        topic = topics.device_emergency(target.code)
        message = protocol.emergencies(rev, active, device=target.code)
    else:
        topic = topics.area_emergency(target.url_path)
        message = protocol.emergencies(rev, active, area=target.url_path)
    protocol.validate("emergency", message)
    return plane.publish(topic, message, qos=1, retain=True, wait_s=wait_s)
