"""Write the audit log: who did what, when, from where, to which object.

Actions call :func:`record`. Where the action runs inside a request, the
middleware has put the request in a context variable, so the address and the
user come along without every action taking a ``request`` argument. Jobs,
commands and the gateway name themselves with :func:`acting_as`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db.models import Model
from django.http import HttpRequest

from .models import AuditEntry, Source, User

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from grassroots.areas.models import Area


@dataclass(frozen=True)
class Origin:
    """Where an action comes from: an address and a channel."""

    ip_address: str | None = None
    source: str = ""


SYSTEM = Origin(source=Source.SYSTEM)

#: The system acting with no person behind it: a job, a command, the device
#: gateway. It is passed as ``None``; which of them acts is the block's
#: origin (``with acting_as(Origin(source="gateway")): ...``), which the audit
#: log records.
SystemActor: TypeAlias = None
#: Who does an action: a signed-in user, or the system.
Actor: TypeAlias = User | SystemActor


def is_user(actor: object) -> TypeIs[User]:
    """Return True if ``actor`` is a signed-in user (not the system, not anonymous)."""
    return isinstance(actor, User) and actor.is_authenticated


class SignedInRequest(HttpRequest):
    """The request of a console view: Wagtail's admin (or ``login_required``)
    has let only a signed-in user through, so ``user`` is one."""

    user: User


_origin: ContextVar[Origin | None] = ContextVar("grassroots_audit_origin", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """Return the client address, read as the login lockout reads it."""
    from .client_address import of

    return of(request)


def origin_of(request: HttpRequest) -> Origin:
    path = request.path
    if path.startswith("/api/") or path.startswith("/open311/"):
        source = Source.API
    elif path.startswith("/console/"):
        source = Source.CONSOLE
    else:
        source = Source.WEB
    return Origin(ip_address=client_ip(request), source=source)


@contextlib.contextmanager
def acting_as(origin: Origin) -> Iterator[None]:
    """Attribute the audit entries written inside the block to ``origin``."""
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def record(
    action: str,
    actor: Actor | str = None,
    obj: Model | None = None,
    *,
    area: Area | str | None = None,
    data: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit log and return it.

    ``action`` is a dotted code such as ``"bulletin.approve"``; ``actor`` is
    a user, the system (None), or the name of someone without an account (a
    citizen); ``area`` (an Area or a path) decides which administrators see
    the entry.
    """
    origin = _origin.get() or SYSTEM
    user = actor if is_user(actor) else None
    if area is None and obj is not None:
        area = _area_of(obj)
    area_path = (
        area if isinstance(area, str) else (area.path if area is not None else "")
    )
    return AuditEntry.objects.create(
        actor=user,
        actor_name=(user.get_username() if user else str(actor or ""))[:200],
        ip_address=origin.ip_address,
        source=origin.source,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:255],
        area_path=area_path,
        data=data or {},
    )


def describe(action: str) -> str:
    """Return the label of an action code, from the apps' ``audit_actions``.

    Each app lists the codes its actions write, with a translated label, in
    ``AppConfig.audit_actions``; an unknown code is shown as it is.
    """
    from django.apps import apps

    for config in apps.get_app_configs():
        label = getattr(config, "audit_actions", {}).get(action)
        if label is not None:
            return str(label)
    return action


def _area_of(obj: Model) -> Area | str | None:
    """Return the area an object belongs to, by the usual names for it."""
    from grassroots.areas.models import Area

    if isinstance(obj, Area):
        return obj
    for name in ("area", "commune", "issuing_area"):
        value = getattr(obj, name, None)
        if isinstance(value, Area):
            return value
    return None
