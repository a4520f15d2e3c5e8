"""Provisioning: each cluster's own credentials, shown once, rotatable, revocable."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.core import tabular
from grassroots_agent import protocol

from .. import credentials, plane, signing
from ..models import Cluster, ClusterState, LogKind
from ._common import log, refresh_broker_on_commit, require
from .registry import CLUSTER_COLUMNS, import_clusters

ALREADY_PROVISIONED = gettext_lazy(
    "This cluster already has credentials; rotate them to issue new ones "
    "(the old ones then stop working)."
)


@transaction.atomic
def issue_credentials(actor: Actor, cluster: Cluster, *, replace: bool = True) -> str:
    """Give the cluster a new secret and return it; it is never shown again.

    A previous secret stops working as soon as the broker reloads its files
    (a rotation): the device must be given the new one. With ``replace``
    False a cluster that has credentials is refused (the command line, the
    API and factory batches rotate only when asked to).
    """
    require(actor, Capability.MANAGE_DEVICES, cluster.area)
    if cluster.state == ClusterState.RETIRED:
        raise ValidationError(_("A retired cluster cannot be given credentials."))
    rotated = cluster.has_credentials
    if rotated and not replace:
        raise ValidationError(ALREADY_PROVISIONED, code="already_provisioned")
    secret = credentials.new_secret()
    cluster.secret_hash = credentials.hash_secret(secret)
    cluster.secret_issued_at = timezone.now()
    Cluster.objects.filter(pk=cluster.pk).update(
        secret_hash=cluster.secret_hash, secret_issued_at=cluster.secret_issued_at
    )
    audit.record(
        "loudspeakers.credentials_rotate"
        if rotated
        else "loudspeakers.credentials_issue",
        actor,
        cluster,
    )
    log(
        cluster,
        LogKind.CREDENTIALS,
        _("New credentials issued; the old ones no longer work")
        if rotated
        else _("Credentials issued"),
    )
    publish_config(cluster)
    refresh_broker_on_commit()
    return secret


@transaction.atomic
def revoke_credentials(actor: Actor, cluster: Cluster) -> None:
    """Withdraw the cluster's credentials: the broker refuses it from the next reload."""
    require(actor, Capability.MANAGE_DEVICES, cluster.area)
    if not cluster.has_credentials:
        return
    cluster.secret_hash = ""
    Cluster.objects.filter(pk=cluster.pk).update(secret_hash="")
    audit.record("loudspeakers.credentials_revoke", actor, cluster)
    log(cluster, LogKind.CREDENTIALS, _("Credentials revoked"))
    refresh_broker_on_commit()


@dataclass(frozen=True)
class Provisioned:
    """A cluster given credentials in a batch, as reported for its row."""

    line: int
    cluster: Cluster
    #: "created", "updated" or "unchanged" (the registry row).
    outcome: str
    secret: str
    #: The credentials file (:func:`agent_config`).
    file: str


@transaction.atomic
def provision_clusters(
    file: IO[bytes], *, actor: Actor = None, rotate: bool = False
) -> list[Provisioned]:
    """Register a factory's batch of clusters and issue each its credentials, all or nothing.

    The file has the columns of the cluster import. Every row is checked
    first, including that its cluster has no credentials yet (unless
    ``rotate``) and is not retired; any problem raises ``TableError`` with
    every bad cell, and nothing is registered or issued.
    """

    def can_be_provisioned(
        line: int, row: dict[str, Any], old: Cluster | None
    ) -> list[tabular.RowError]:
        if row["state"] == ClusterState.RETIRED:
            return [
                tabular.RowError(
                    line,
                    str(CLUSTER_COLUMNS[-1].label),
                    _("A retired cluster cannot be given credentials."),
                )
            ]
        if old is not None and old.has_credentials and not rotate:
            return [
                tabular.RowError(
                    line, str(CLUSTER_COLUMNS[2].label), str(ALREADY_PROVISIONED)
                )
            ]
        return []

    result = import_clusters(file, actor=actor, also_check=can_be_provisioned)
    provisioned = []
    for line, cluster, outcome in result.rows:
        secret = issue_credentials(actor, cluster, replace=rotate)
        provisioned.append(
            Provisioned(line, cluster, outcome, secret, agent_config(cluster, secret))
        )
    return provisioned


def publish_config(cluster: Cluster) -> None:
    """Send the cluster its configuration (areas, heartbeat, keys), retained, after commit."""
    publish_configs(Cluster.objects.filter(pk=cluster.pk))
    cluster.refresh_from_db(fields=["config_rev"])


def publish_configs(clusters: QuerySet[Cluster]) -> int:
    """Send each cluster of a queryset a new configuration revision; return how many.

    The configuration carries the server's public keys in use, so this is
    also how a key rotation reaches the devices.
    """
    pks = list(clusters.values_list("pk", flat=True))
    for i in range(0, len(pks), 900):
        Cluster.objects.filter(pk__in=pks[i : i + 900]).update(
            config_rev=F("config_rev") + 1
        )
    keys = signing.public_keys()
    topics = plane.topics()
    rows = (
        Cluster.objects.filter(pk__in=pks)
        .select_related("area")
        .only("code", "state", "config_rev", "area__path")
    )
    messages = [
        (
            topics.config(cluster.code),
            protocol.config(
                cluster.code,
                protocol.area_chain(cluster.area.path),
                rev=cluster.config_rev,
                server_keys=keys,
                heartbeat_s=settings.GRASSROOTS_DEVICE_HEARTBEAT_S,
                state=cluster.state,
            ),
        )
        for cluster in rows.iterator(chunk_size=2000)
    ]

    def publish_all() -> None:
        for topic, message in messages:
            plane.publish(topic, message, retain=True)

    plane.on_commit(publish_all)
    return len(messages)


def _toml(value: str) -> str:
    """Return ``value`` as a TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _ca_pem(broker_url: str) -> str:
    """Return the CA certificate devices must trust for a TLS broker, if one is set."""
    path = settings.GRASSROOTS_MQTT_TLS_CA
    if not path or not broker_url.startswith(("mqtts://", "ssl://")):
        return ""
    try:
        return Path(path).read_text().strip() + "\n"
    except OSError as exc:
        raise ValidationError(
            _("The certificate devices must trust cannot be read: %(error)s")
            % {"error": exc}
        ) from exc


def agent_config(cluster: Cluster, secret: str, broker_url: str | None = None) -> str:
    """Return the cluster's credentials file (TOML), shown once with its secret.

    The reference agent's configuration, and all a third-party firmware needs:
    its keys are documented in docs/loudspeakers.md ("The credentials file").
    Built here only, so every way of provisioning (console, command line, API,
    factory batch) gives the same file.
    """
    broker = broker_url or settings.GRASSROOTS_DEVICE_BROKER_URL
    areas = ", ".join(_toml(a) for a in protocol.area_chain(cluster.area.path))
    keys = ", ".join(_toml(k) for k in signing.public_keys())
    lines = [
        f"# grassroots-agent configuration for {cluster.code}",
        "# Keep this file secret: it holds the cluster's credentials.",
        f"device_id = {_toml(cluster.code)}",
        f"secret = {_toml(secret)}",
        f"broker = {_toml(broker)}",
        f"root = {_toml(settings.GRASSROOTS_MQTT_TOPIC_ROOT)}",
        f"areas = [{areas}]",
        "# The server's public keys: the device acts only on messages they sign.",
        f"server_keys = [{keys}]",
        f"heartbeat_s = {settings.GRASSROOTS_DEVICE_HEARTBEAT_S}",
        f"link = {_toml(cluster.link)}",
        'state_dir = "/var/lib/grassroots-agent"',
        'player = "auto"',
    ]
    ca = _ca_pem(broker)
    if ca:
        lines.append(f'ca_pem = """\n{ca}"""')
    return "\n".join(lines) + "\n"
