"""Rotating the installation's signing key, with an overlap so no device is cut off.

1. :func:`rotate_signing_key`: a new key seals every message **beside** the
   old one, and every cluster is sent a configuration naming both. Devices
   that hold only the old key go on accepting everything meanwhile.
2. Each device acknowledges its new configuration (``ack``, ``ref_type:
   config``); :func:`rotation_status` counts those still waiting.
3. :func:`finish_key_rotation`, once all have it (or by force for clusters
   that will be provisioned again): the old key is deleted, every cluster is
   sent a configuration with the new key only, and every retained message
   (configurations, the newest schedules, emergency lists) is sealed again
   with the new key, so a device reconnecting later still accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.core import numbers

from .. import plane, signing
from ..models import Ack, Cluster, Schedule
from ..selectors import in_service
from ..signals import signing_keys_changed
from ._common import require
from .provisioning import publish_configs

#: How many waiting clusters the status lists by code.
LISTED = 20


@dataclass
class RotationStatus:
    current: str
    previous: str | None
    clusters: int = 0
    #: Clusters that have not acknowledged their newest configuration.
    waiting: int = 0
    waiting_codes: list[str] = field(default_factory=list)


def live_clusters() -> QuerySet[Cluster]:
    return in_service()


def waiting_clusters() -> QuerySet[Cluster]:
    """Return the live clusters that have not acknowledged their newest configuration."""
    acked = Ack.objects.filter(
        cluster=OuterRef("pk"),
        ref_type="config",
        status="ok",
        version=OuterRef("config_rev"),
    )
    return live_clusters().filter(~Exists(acked))


def rotation_status() -> RotationStatus:
    keys = signing.keys()
    waiting = waiting_clusters()
    return RotationStatus(
        current=keys.current.kid,
        previous=keys.previous.kid if keys.previous else None,
        clusters=live_clusters().count(),
        waiting=waiting.count(),
        waiting_codes=list(waiting.order_by("code").values_list("code", flat=True))[
            :LISTED
        ],
    )


@transaction.atomic
def rotate_signing_key(actor: Actor) -> RotationStatus:
    """Start sealing with a new key beside the old one, and tell every cluster."""
    require(actor, Capability.MANAGE_DEVICES, None)
    try:
        keys = signing.rotate()
    except signing.RotationError as exc:
        raise ValidationError(
            _("A key rotation is already in progress: finish it first.")
        ) from exc
    sent = publish_configs(live_clusters())
    audit.record(
        "loudspeakers.signing_key_rotate",
        actor,
        data={
            "current": keys.current.kid,
            "previous": keys.previous.kid if keys.previous else None,
            "clusters": sent,
        },
        object_repr=_("Signing key %(kid)s") % {"kid": keys.current.kid},
    )
    return rotation_status()


@transaction.atomic
def finish_key_rotation(actor: Actor, *, force: bool = False) -> RotationStatus:
    """Delete the old key once every cluster holds the new one (or ``force``)."""
    require(actor, Capability.MANAGE_DEVICES, None)
    before = signing.keys()
    if before.previous is None:
        raise ValidationError(_("No key rotation is in progress."))
    waiting = waiting_clusters().count()
    if waiting and not force:
        raise ValidationError(
            _(
                "%(n)s clusters do not hold the new key yet; finishing now would "
                "cut them off until they are provisioned again."
            )
            % {"n": numbers.text(waiting)}
        )
    keys = signing.finish()
    sent = publish_configs(live_clusters())
    schedules = _reseal_schedules()
    signing_keys_changed.send(sender=Cluster)
    audit.record(
        "loudspeakers.signing_key_finish",
        actor,
        data={
            "current": keys.current.kid,
            "retired": before.previous.kid,
            "clusters": sent,
            "schedules": schedules,
            "cut_off": waiting,
        },
        object_repr=_("Signing key %(kid)s") % {"kid": before.previous.kid},
    )
    return rotation_status()


def _reseal_schedules() -> int:
    """Publish each live cluster's newest schedule again, sealed with the keys now."""
    rows = list(
        Schedule.objects.filter(
            cluster__in=live_clusters(), version=F("cluster__schedule_version")
        ).values_list("cluster__code", "document")
    )
    topics = plane.topics()

    def publish_all() -> None:
        for code, document in rows:
            plane.publish(topics.schedule(code), document, retain=True)

    plane.on_commit(publish_all)
    return len(rows)
