"""Peer systems and their keys, and bulletins pushed in by a peer.

A key is random (256 bits), so a plain SHA-256 of it is a safe thing to keep:
there is nothing to brute-force. It is shown once, when issued.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area

from ..models import ApiKey, Bulletin, PeerSystem, Status
from . import authoring, lifecycle

KEY_PREFIX = "grk"
#: ``last_used_at`` is written at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_manager(actor: Actor, area: Area) -> None:
    if actor is None:  # commands and demo data
        return
    if not scope.can(actor, Capability.MANAGE_USERS, area):
        raise PermissionDenied(
            _("Only administrators of the area manage its peer systems.")
        )


def may_trust(actor: Actor, area: Area) -> bool:
    """Return True if ``actor`` may let a peer of ``area`` publish without approval.

    Whatever such a peer sends is published at once (an emergency airs at
    once), so it is the province's decision: an administrator of the
    province ``area`` lies in, or a superuser.
    """
    if actor is None:  # commands and demo data
        return True
    return scope.can(actor, Capability.MANAGE_USERS, area.ancestor_paths[0])


def _require_trust(actor: Actor, area: Area) -> None:
    if not may_trust(actor, area):
        raise PermissionDenied(
            _(
                "Only an administrator of the province decides that a system "
                "publishes without local approval."
            )
        )


@transaction.atomic
def save_peer(
    actor: Actor,
    *,
    name: str,
    area: Area,
    can_push: bool = True,
    can_pull: bool = True,
    publishes_directly: bool = False,
    contact: str = "",
    is_active: bool = True,
    peer: PeerSystem | None = None,
) -> PeerSystem:
    """Create or change a peer system acting inside ``area``.

    A peer that publishes without local approval (before or after the
    change) is the province's to create or change (:func:`may_trust`); an
    area's administrator may only switch it off.
    """
    _require_manager(actor, area)
    stored = PeerSystem.objects.get(pk=peer.pk) if peer is not None else None
    if stored is not None:
        _require_manager(actor, stored.area)
    trusted_before = stored is not None and stored.publishes_directly
    switching_off = stored is not None and (
        (name.strip(), area, can_push, can_pull, publishes_directly, contact)
        == (
            stored.name,
            stored.area,
            stored.can_push,
            stored.can_pull,
            stored.publishes_directly,
            stored.contact,
        )
        and not is_active
    )
    if (publishes_directly or trusted_before) and not switching_off:
        _require_trust(actor, area)
        if stored is not None:
            _require_trust(actor, stored.area)
    peer = peer or PeerSystem()
    created = peer.pk is None
    peer.name = name.strip()
    peer.area = area
    peer.can_push = can_push
    peer.can_pull = can_pull
    peer.publishes_directly = publishes_directly
    peer.contact = contact
    peer.is_active = is_active
    peer.full_clean()
    peer.save()
    audit.record(
        "peer.create" if created else "peer.change",
        actor,
        peer,
        area=area,
        data={"publishes_directly": publishes_directly, "active": is_active},
    )
    if publishes_directly != trusted_before:
        audit.record(
            "peer.trust" if publishes_directly else "peer.distrust",
            actor,
            peer,
            area=area,
            data={"area": area.path},
        )
    return peer


@transaction.atomic
def issue_key(actor: Actor, peer: PeerSystem) -> tuple[ApiKey, str]:
    """Return a new key for ``peer`` and its secret, which is never shown again.

    A key of a peer that publishes without approval is a key to publish: the
    province issues it.
    """
    _require_manager(actor, peer.area)
    if peer.publishes_directly:
        _require_trust(actor, peer.area)
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        peer=peer,
        prefix=prefix,
        key_hash=hash_key(secret),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record("apikey.issue", actor, peer, area=peer.area, data={"prefix": prefix})
    return key, secret


@transaction.atomic
def revoke_key(actor: Actor, key: ApiKey) -> None:
    """Stop accepting a key at once."""
    _require_manager(actor, key.peer.area)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            "apikey.revoke",
            actor,
            key.peer,
            area=key.peer.area,
            data={"prefix": key.prefix},
        )


def authenticate(secret: str) -> ApiKey | None:
    """Return the usable key matching ``secret``, or None (constant-time compare)."""
    # The random part may itself hold "_": split only the first two.
    parts = (secret or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = (
        ApiKey.objects.select_related("peer", "peer__area")
        .filter(prefix=parts[1])
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(secret.strip())):
        return None
    if not key.is_usable:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def _same_content(bulletin: Bulletin, data: authoring.BulletinContent) -> bool:
    latest = bulletin.get_latest_revision_as_object()
    probe = Bulletin(pk=bulletin.pk)
    data.apply(probe)
    authoring.prepare(probe)
    fields = (
        "title",
        "summary",
        "body",
        "category_id",
        "level",
        "issuing_area_id",
        "issuing_agency",
        "source_reference",
        "valid_from",
        "valid_until",
        "on_loudspeakers",
        "on_boards",
        "on_portal",
        "is_essential",
    )
    same = all(getattr(latest, f) == getattr(probe, f) for f in fields)
    targets = {a.pk for a in latest.target_areas.all()} or {latest.issuing_area_id}
    wanted = {a.pk for a in data.target_areas} or {data.issuing_area.pk}
    return same and targets == wanted and not data.attachments


@transaction.atomic
def receive(
    peer: PeerSystem,
    external_id: str,
    data: authoring.BulletinContent,
    *,
    changed_at: datetime | None = None,
) -> tuple[Bulletin, str]:
    """Create or update the peer's bulletin ``external_id``; return it and what happened.

    The outcome is ``"created"``, ``"updated"`` or ``"unchanged"``. A version
    older than the one we hold is refused, so a replayed or reordered request
    never rolls a bulletin back. Bulletins of a peer that approves its own go
    out at once; the others wait for a local approver.
    """
    if not peer.can_push:
        raise PermissionDenied(_("This system may not send bulletins."))
    if not data.issuing_area.path.startswith(peer.area.path):
        raise PermissionDenied(
            _("The issuing area is outside the area this system may write for.")
        )
    bulletin = (
        Bulletin.objects.select_for_update()
        .filter(peer=peer, external_id=external_id)
        .first()
    )
    if bulletin is not None:
        if (
            changed_at is not None
            and bulletin.external_updated_at is not None
            and changed_at < bulletin.external_updated_at
        ):
            raise ValidationError(
                _("A newer version of this bulletin was already received.")
            )
        if _same_content(bulletin, data) and bulletin.status not in (
            Status.WITHDRAWN,
            Status.EXPIRED,
        ):
            return bulletin, "unchanged"
        if bulletin.workflow_in_progress:
            lifecycle_state = bulletin.current_workflow_state
            lifecycle_state.cancel(user=None)
        bulletin = authoring.update_bulletin(None, bulletin, data, peer=peer)
        outcome = "updated"
    else:
        bulletin = authoring.create_bulletin(None, data, peer=peer)
        Bulletin.objects.filter(pk=bulletin.pk).update(external_id=external_id)
        bulletin.external_id = external_id
        outcome = "created"
    Bulletin.objects.filter(pk=bulletin.pk).update(
        external_updated_at=changed_at or timezone.now()
    )
    _send_on(peer, bulletin)
    return Bulletin.objects.get(pk=bulletin.pk), outcome


def _send_on(peer: PeerSystem, bulletin: Bulletin) -> None:
    """Publish at once for a self-approving peer, else submit for local approval."""
    if peer.publishes_directly:
        bulletin = Bulletin.objects.get(pk=bulletin.pk)
        Bulletin.objects.filter(pk=bulletin.pk).update(approved_at=timezone.now())
        lifecycle.publish_revision(bulletin, bulletin.get_latest_revision())
    else:
        lifecycle.submit(None, bulletin, peer=peer)
