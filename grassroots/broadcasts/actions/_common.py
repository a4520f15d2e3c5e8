"""Shared by the actions: the scope check, and asking for clusters to be compiled."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.accounts import scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area

from .. import compiler
from ..models import (
    CompileRequest,
    ProgrammeSchedule,
)

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor


def _require(actor: Actor, area: Area | str | None) -> None:
    """Refuse unless ``actor`` (None: the system) may operate broadcasts on ``area``."""
    if actor is not None and not scope.can(actor, Capability.OPERATE_BROADCASTS, area):
        raise PermissionDenied(_("This is outside your area or your role."))


def _user(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# Compiling --------------------------------------------------------------------------


def request_compile(cluster_ids: Iterable[int]) -> None:
    """Compile these clusters' schedules again, in the worker, after the commit.

    Rows coalesce: a burst of changes asks once per cluster, and one job
    sends them all.
    """
    ids = set(cluster_ids)
    if not ids:
        return
    CompileRequest.objects.bulk_create(
        [CompileRequest(cluster_id=pk) for pk in ids], ignore_conflicts=True
    )

    def enqueue() -> None:
        from ..tasks import compile_pending

        compile_pending()

    transaction.on_commit(enqueue)


def compile_pending() -> int:
    """Send the clusters waiting in ``CompileRequest`` their new schedule; return how many."""
    with transaction.atomic():
        ids = list(
            CompileRequest.objects.select_for_update().values_list(
                "cluster_id", flat=True
            )
        )
        CompileRequest.objects.filter(cluster_id__in=ids).delete()
    if not ids:
        return 0
    with transaction.atomic():
        return compiler.compile_and_send(ids)


def _recompile_schedules(schedules: Iterable[ProgrammeSchedule]) -> None:
    ids: set[int] = set()
    for schedule in schedules:
        ids |= compiler.clusters_of(schedule)
    request_compile(ids)
