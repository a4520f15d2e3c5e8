from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.areas.models import Area

from ..models import Cluster, ClusterLog

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor


def require(actor: Actor, capability: str, area: Area | str | None) -> None:
    """Raise PermissionDenied unless ``actor`` (None: the system) may act on ``area``."""
    if actor is not None and not scope.can(actor, capability, area):
        raise PermissionDenied(_("This is outside your area or your role."))


def log(cluster: Cluster, kind: str, message: str, **data: Any) -> ClusterLog:
    return ClusterLog.objects.create(
        cluster=cluster, at=timezone.now(), kind=kind, message=message[:255], data=data
    )


class _BrokerRefresh:
    """One pending refresh of the broker files, run when its transaction commits."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        from ..tasks import refresh_broker_files

        self.done = True
        refresh_broker_files()


def refresh_broker_on_commit() -> None:
    """Rewrite the broker's files once the change is committed (in the worker).

    Once per transaction: a batch of a thousand clusters asks for one refresh,
    not a thousand (each rereads the whole registry). A refresh whose
    transaction (or savepoint) rolled back is no longer pending.
    """
    connection = transaction.get_connection()
    pending = getattr(connection, "grassroots_broker_refresh", None)
    if (
        pending is not None
        and not pending.done
        and any(entry[1] is pending for entry in connection.run_on_commit)
    ):
        return
    refresh = _BrokerRefresh()
    connection.grassroots_broker_refresh = refresh
    transaction.on_commit(refresh)
