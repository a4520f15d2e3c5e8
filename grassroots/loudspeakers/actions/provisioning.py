"""Provisioning: each cluster's own credentials, shown once, rotatable, revocable."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.roles import Capability
from grassroots_agent import protocol

from .. import credentials, plane, signing
from ..models import Cluster, ClusterState, LogKind
from ._common import log, refresh_broker_on_commit, require


@transaction.atomic
def issue_credentials(actor: Any, cluster: Cluster) -> str:
    """Give the cluster a new secret and return it; it is never shown again.

    A previous secret stops working as soon as the broker reloads its files
    (a rotation): the device must be given the new one.
    """
    require(actor, Capability.MANAGE_DEVICES, cluster.area)
    if cluster.state == ClusterState.RETIRED:
        raise ValidationError(_("A retired cluster cannot be given credentials."))
    secret = credentials.new_secret()
    rotated = cluster.has_credentials
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
def revoke_credentials(actor: Any, cluster: Cluster) -> None:
    """Withdraw the cluster's credentials: the broker refuses it from the next reload."""
    require(actor, Capability.MANAGE_DEVICES, cluster.area)
    if not cluster.has_credentials:
        return
    cluster.secret_hash = ""
    Cluster.objects.filter(pk=cluster.pk).update(secret_hash="")
    audit.record("loudspeakers.credentials_revoke", actor, cluster)
    log(cluster, LogKind.CREDENTIALS, _("Credentials revoked"))
    refresh_broker_on_commit()


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


def agent_config(cluster: Cluster, secret: str, broker_url: str | None = None) -> str:
    """Return the reference agent's configuration file (TOML) for this cluster."""
    broker = broker_url or settings.GRASSROOTS_DEVICE_BROKER_URL
    areas = ", ".join(f'"{a}"' for a in protocol.area_chain(cluster.area.path))
    keys = ", ".join(f'"{k}"' for k in signing.public_keys())
    return (
        f"# grassroots-agent configuration for {cluster.code}\n"
        f"# Keep this file secret: it holds the cluster's credentials.\n"
        f'device_id = "{cluster.code}"\n'
        f'secret = "{secret}"\n'
        f'broker = "{broker}"\n'
        f'root = "{settings.GRASSROOTS_MQTT_TOPIC_ROOT}"\n'
        f"areas = [{areas}]\n"
        f"# The server's public keys: the device acts only on messages they sign.\n"
        f"server_keys = [{keys}]\n"
        f"heartbeat_s = {settings.GRASSROOTS_DEVICE_HEARTBEAT_S}\n"
        f'link = "{cluster.link}"\n'
        f'state_dir = "/var/lib/grassroots-agent"\n'
        f'player = "auto"\n'
    )
