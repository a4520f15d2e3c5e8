"""Every change CAP makes: receive an alert, confirm or set it aside, keep sources.

An accepted alert becomes what its source's policy for its event says
(docs/cap.md): an emergency bulletin waiting for one confirmation with the
second factor, a priority bulletin in the approval workflow, information
only, or — only where the province set it for that source and event — an
emergency aired at once. The bulletins' own actions do the rest: publishing
an emergency bulletin puts it on the air (emergencies.channel), withdrawing
it stops it. Updates and cancellations from the source follow through to
the same bulletin.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope, second_factor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area
from grassroots.bulletins import actions as bulletins
from grassroots.bulletins.models import Bulletin, Level, Status

from . import geo, xmlcap
from .models import CapSource, EventPolicy, Outcome, Policy, ReceivedAlert

logger = logging.getLogger(__name__)

#: Outcomes of an alert still in force here (its bulletin may be updated or cancelled).
LIVE = (
    Outcome.WAITING,
    Outcome.FOR_APPROVAL,
    Outcome.TRANSLATION,
    Outcome.AIRED,
    Outcome.UPDATED,
)
EMERGENCY_POLICIES = (Policy.EMERGENCY_DRAFT, Policy.EMERGENCY_AUTO)
#: How much of a message is kept with its record.
KEEP_XML = 64 * 1024


@dataclass
class Received:
    alert: ReceivedAlert
    created: bool = True


def _raw_text(raw: bytes) -> str:
    return bytes(raw[:KEEP_XML]).decode("utf-8", errors="replace").replace("\x00", "")


def _record(source: CapSource, raw: bytes, via: str, **fields: Any) -> ReceivedAlert:
    fields.setdefault("area", source.peer.area)
    return ReceivedAlert.objects.create(
        source=source, via=via, xml=_raw_text(raw), **fields
    )


def _refuse(
    source: CapSource,
    raw: bytes,
    via: str,
    code: str,
    reason: str,
    alert: xmlcap.Alert | None = None,
) -> ReceivedAlert:
    fields: dict[str, Any] = {}
    if alert is not None:
        fields = {
            "identifier": alert.identifier[:255],
            "sender": alert.sender[:255],
            "sent": alert.sent,
            "msg_type": alert.msg_type,
            "status": alert.status,
        }
        info = alert.chosen_info()
        if info is not None:
            fields.update(
                event=info.event[:255],
                headline=info.headline[:255],
                language=info.language[:20],
                expires=info.expires,
            )
    record = _record(
        source,
        raw,
        via,
        outcome=Outcome.REFUSED,
        code=code[:30],
        reason=reason[:1000],
        **fields,
    )
    audit.record(
        "cap.refuse",
        f"peer:{source.peer.name}",
        record,
        area=source.peer.area,
        data={"code": code, "identifier": fields.get("identifier", "")},
        object_repr=str(record)[:200],
    )
    logger.info("CAP alert from %s refused: %s %s", source, code, reason)
    return record


def _common_area(areas: list[Area], fallback: Area) -> Area:
    if not areas:
        return fallback
    parts = [a.path.rstrip("/").split("/") for a in areas]
    common: list[str] = []
    for segments in zip(*parts, strict=False):
        if len(set(segments)) != 1:
            break
        common.append(segments[0])
    if not common:
        return fallback
    return Area.objects.filter(path="/".join(common) + "/").first() or fallback


def _previous(source: CapSource, alert: xmlcap.Alert) -> ReceivedAlert | None:
    """Return the newest accepted alert of this source the message refers to."""
    for sender, identifier, _sent in reversed(alert.references):
        found = (
            ReceivedAlert.objects.filter(
                source=source, sender=sender, identifier=identifier
            )
            .exclude(outcome=Outcome.REFUSED)
            .order_by("-received_at", "-pk")
            .first()
        )
        if found is not None:
            return found
    return None


def _text_of(info: xmlcap.Info) -> str:
    parts = [info.headline or info.event, info.description, info.instruction]
    return "\n\n".join(p for p in parts if p)


def _content(
    source: CapSource,
    info: xmlcap.Info,
    alert: xmlcap.Alert,
    areas: list[Area],
    level: str,
) -> bulletins.BulletinContent:
    description = info.description
    summary = description if len(description) <= 1000 else ""
    paragraphs = [] if summary else description.split("\n\n")
    paragraphs += info.instruction.split("\n\n") if info.instruction else []
    body = "".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs if p.strip())
    now = timezone.now()
    valid_until = info.expires if info.expires and info.expires > now else None
    return bulletins.BulletinContent(
        title=(info.headline or info.event or alert.identifier)[:255],
        summary=summary,
        body=body,
        category=source.category,
        level=level,
        issuing_area=source.peer.area,
        issuing_agency=(info.sender_name or alert.sender)[:255],
        source_reference=alert.identifier[:120],
        valid_from=None,
        valid_until=valid_until,
        target_areas=areas,
    )


def _publish_now(bulletin: Bulletin, user: Any = None) -> Bulletin:
    """Publish the newest version at once; an emergency bulletin then airs (on commit)."""
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    state = bulletin.current_workflow_state
    if state is not None and state.status == state.STATUS_IN_PROGRESS:
        state.cancel(user=user)
    Bulletin.objects.filter(pk=bulletin.pk).update(
        approved_at=timezone.now(), approved_by=user
    )
    return bulletins.publish_revision(
        bulletin, bulletin.get_latest_revision(), actor=user
    )


def _settle_bulletin(
    source: CapSource,
    info: xmlcap.Info,
    alert: xmlcap.Alert,
    areas: list[Area],
    policy: str,
    bulletin: Bulletin | None,
) -> tuple[Bulletin, str]:
    """Create or update the bulletin of an alert; return it and the outcome."""
    level = Level.EMERGENCY if policy in EMERGENCY_POLICIES else Level.PRIORITY
    data = _content(source, info, alert, areas, level)
    peer = source.peer
    if bulletin is None:
        bulletin = bulletins.create_bulletin(None, data, peer=peer)
        Bulletin.objects.filter(pk=bulletin.pk).update(
            external_id=f"cap:{alert.identifier}"[:200],
            external_updated_at=alert.sent,
        )
    else:
        state = bulletin.current_workflow_state
        if state is not None and state.status == state.STATUS_IN_PROGRESS:
            state.cancel(user=None)
        bulletin = bulletins.update_bulletin(None, bulletin, data, peer=peer)
        Bulletin.objects.filter(pk=bulletin.pk).update(external_updated_at=alert.sent)
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    if not info.is_vietnamese:
        return bulletin, Outcome.TRANSLATION
    if policy == Policy.EMERGENCY_AUTO:
        return _publish_now(bulletin), Outcome.AIRED
    if policy == Policy.PRIORITY:
        bulletins.submit(None, bulletin, peer=peer)
        return bulletin, Outcome.FOR_APPROVAL
    return bulletin, Outcome.WAITING


def _end(source: CapSource, previous: ReceivedAlert, reason: str) -> None:
    """Withdraw the bulletin of ``previous`` (its emergency stops) and close its alerts."""
    bulletin = previous.bulletin
    if bulletin is not None:
        bulletin = Bulletin.objects.get(pk=bulletin.pk)
        if bulletin.status in (Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED):
            bulletins.withdraw(None, bulletin, reason=reason, peer=source.peer)
        else:
            state = bulletin.current_workflow_state
            if state is not None and state.status == state.STATUS_IN_PROGRESS:
                state.cancel(user=None)
        ReceivedAlert.objects.filter(bulletin=bulletin, outcome__in=LIVE).update(
            outcome=Outcome.CANCELLED
        )
    ReceivedAlert.objects.filter(pk=previous.pk, outcome__in=LIVE).update(
        outcome=Outcome.CANCELLED
    )


@transaction.atomic
def receive(source: CapSource, raw: bytes, *, via: str = "push") -> ReceivedAlert:
    """Take one CAP message in from ``source``; return its record, accepted or not.

    Nothing raises for a bad message: a refusal is a record with its reason.
    """
    # One message of a source at a time: two copies of an alert pushed at
    # once must not both pass the duplicate check.
    source = (
        CapSource.objects.select_for_update(of=("self",))
        .select_related("peer__area", "category")
        .get(pk=source.pk)
    )
    try:
        alert, signed, _root = xmlcap.load(
            raw,
            certificate=source.certificate,
            require_signature=source.require_signature,
        )
    except xmlcap.Refused as exc:
        return _refuse(source, raw, via, exc.code, exc.message)
    if not source.peer.is_active or not source.peer.can_push:
        return _refuse(
            source, raw, via, "source_off", _("This source is switched off."), alert
        )
    duplicate = (
        ReceivedAlert.objects.filter(
            source=source, sender=alert.sender, identifier=alert.identifier
        )
        .exclude(outcome=Outcome.REFUSED)
        .exists()
    )
    if duplicate:
        return _refuse(
            source,
            raw,
            via,
            "duplicate",
            _("This alert (same sender and identifier) was already received."),
            alert,
        )
    info = alert.chosen_info()
    now = timezone.now()
    expiries = [i.expires for i in alert.infos if i.expires is not None]
    if expiries and len(expiries) == len(alert.infos) and max(expiries) <= now:
        return _refuse(
            source, raw, via, "expired", _("The alert had expired on arrival."), alert
        )
    mapping = geo.map_areas(info.areas if info else [], source.peer.area)
    previous = _previous(source, alert)
    notes: list[str] = []
    if mapping.unknown:
        notes.append(
            _("Unknown area codes: %(codes)s.") % {"codes": ", ".join(mapping.unknown)}
        )
    if mapping.outside:
        notes.append(
            _("Areas outside this source's area, left out: %(codes)s.")
            % {"codes": ", ".join(mapping.outside)}
        )
    needs_area = alert.msg_type in ("Alert", "Update") and alert.status == "Actual"
    if needs_area and info is not None and not mapping.areas:
        return _refuse(
            source,
            raw,
            via,
            "no_area",
            " ".join([_("No area of the alert is one of ours."), *notes]),
            alert,
        )
    policy = source.policy_for(info.event) if info else Policy.INFORMATION
    record = _record(
        source,
        raw,
        via,
        area=_common_area(mapping.areas, source.peer.area),
        outcome=Outcome.INFORMATION,
        identifier=alert.identifier[:255],
        sender=alert.sender[:255],
        sent=alert.sent,
        msg_type=alert.msg_type,
        status=alert.status,
        event=(info.event if info else "")[:255],
        language=(info.language if info else "")[:20],
        headline=(info.headline if info else "")[:255],
        text=_text_of(info) if info else "",
        severity=(info.severity if info else "")[:20],
        expires=info.expires if info else None,
        policy=policy,
        signed=signed,
        replaces=previous,
        shapes={
            "polygons": [p for a in (info.areas if info else []) for p in a.polygons],
            "circles": [c for a in (info.areas if info else []) for c in a.circles],
            "geocodes": [g for a in (info.areas if info else []) for g in a.geocodes],
            "unknown": mapping.unknown,
        },
    )
    record.areas.set(mapping.areas)
    try:
        with transaction.atomic():
            outcome, bulletin = _follow(
                source, alert, info, mapping.areas, policy, previous
            )
    except (ValidationError, PermissionDenied) as exc:
        # The bulletin's own rules refused what the alert holds (markup in a
        # title, dates that do not fit): the record says why, nothing else.
        messages = getattr(exc, "messages", None) or [str(exc)]
        record.outcome = Outcome.REFUSED
        record.code = "unusable"
        record.reason = " ".join([_("The alert cannot become a bulletin:"), *messages])[
            :1000
        ]
        record.save(update_fields=["outcome", "code", "reason"])
        audit.record(
            "cap.refuse",
            f"peer:{source.peer.name}",
            record,
            area=record.area,
            data={"code": "unusable", "identifier": alert.identifier},
            object_repr=str(record)[:200],
        )
        return record
    reason = " ".join(notes)
    if outcome == Outcome.INFORMATION and alert.status != "Actual":
        reason = " ".join(
            [_("CAP status %(s)s: not aired.") % {"s": alert.status}, reason]
        )
    if alert.msg_type in ("Update", "Cancel") and previous is None:
        reason = " ".join(
            [_("It refers to no alert received from this source."), reason]
        )
    record.outcome = outcome
    record.bulletin = bulletin
    record.reason = reason.strip()[:1000]
    record.save(update_fields=["outcome", "bulletin", "reason"])
    audit.record(
        "cap.receive",
        f"peer:{source.peer.name}",
        record,
        area=record.area,
        data={
            "identifier": alert.identifier,
            "msg_type": alert.msg_type,
            "event": record.event,
            "policy": policy,
            "outcome": outcome,
            "areas": [a.path for a in mapping.areas],
            "bulletin": bulletin.pk if bulletin else None,
        },
        object_repr=str(record)[:200],
    )
    return record


def _follow(
    source: CapSource,
    alert: xmlcap.Alert,
    info: xmlcap.Info | None,
    areas: list[Area],
    policy: str,
    previous: ReceivedAlert | None,
) -> tuple[str, Bulletin | None]:
    """Do what the message asks; return the outcome and the bulletin it concerns."""
    if alert.status != "Actual" or alert.msg_type not in ("Alert", "Update", "Cancel"):
        return Outcome.INFORMATION, None
    if alert.msg_type == "Cancel":
        if previous is None:
            return Outcome.INFORMATION, None
        _end(
            source,
            previous,
            _("Cancelled by the issuer (CAP %(id)s).") % {"id": alert.identifier[:100]},
        )
        return Outcome.CANCELLED, previous.bulletin
    if info is None or policy == Policy.INFORMATION:
        return Outcome.INFORMATION, None
    bulletin = None
    if alert.msg_type == "Update" and previous is not None:
        bulletin = previous.bulletin
        if (
            bulletin is not None
            and Bulletin.objects.filter(
                pk=bulletin.pk, status__in=(Status.WITHDRAWN, Status.EXPIRED)
            ).exists()
        ):
            bulletin = None
    bulletin, outcome = _settle_bulletin(source, info, alert, areas, policy, bulletin)
    if previous is not None and previous.bulletin_id == bulletin.pk:
        ReceivedAlert.objects.filter(bulletin=bulletin, outcome__in=LIVE).update(
            outcome=Outcome.SUPERSEDED
        )
        if outcome == Outcome.AIRED:
            outcome = Outcome.UPDATED
    return outcome, bulletin


# Decisions ----------------------------------------------------------------------


def _require_decider(actor: Any, alert: ReceivedAlert) -> None:
    areas = list(alert.areas.all()) or [alert.area]
    for area in areas:
        if not scope.can(actor, Capability.BROADCAST_EMERGENCY, area):
            raise PermissionDenied(_("This is outside your area or your role."))


@transaction.atomic
def confirm(actor: Any, alert: ReceivedAlert, *, otp: str = "") -> ReceivedAlert:
    """Put a waiting emergency alert on the air: one person, with the second factor.

    Its emergency bulletin is published at once; the emergency starts (or
    takes the new words of an update) on every cluster of the mapped areas.
    """
    alert = ReceivedAlert.objects.select_for_update().get(pk=alert.pk)
    _require_decider(actor, alert)
    if not second_factor.has_device(actor):
        raise PermissionDenied(
            _("Set up your second factor (Tài khoản → Xác thực hai bước) first.")
        )
    if not second_factor.is_fresh(actor, otp):
        raise ValidationError(
            {"otp": _("The code from your authenticator app is wrong or too old.")}
        )
    if alert.outcome != Outcome.WAITING or alert.bulletin is None:
        raise ValidationError(_("This warning is not waiting for a confirmation."))
    if alert.expires is not None and alert.expires <= timezone.now():
        raise ValidationError(_("This warning has expired."))
    _publish_now(alert.bulletin, actor)
    alert.outcome = Outcome.AIRED if alert.replaces_id is None else Outcome.UPDATED
    alert.decided_by = actor
    alert.decided_at = timezone.now()
    alert.save(update_fields=["outcome", "decided_by", "decided_at"])
    audit.record(
        "cap.confirm",
        actor,
        alert,
        area=alert.area,
        data={"bulletin": alert.bulletin_id, "identifier": alert.identifier},
        object_repr=str(alert)[:200],
    )
    return alert


@transaction.atomic
def dismiss(actor: Any, alert: ReceivedAlert, *, reason: str) -> ReceivedAlert:
    """Set a waiting alert aside: nothing airs; its draft bulletin stays unpublished."""
    alert = ReceivedAlert.objects.select_for_update().get(pk=alert.pk)
    _require_decider(actor, alert)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is set aside.")})
    if alert.outcome not in (Outcome.WAITING, Outcome.TRANSLATION):
        raise ValidationError(
            _("Only a warning waiting for a decision can be set aside.")
        )
    alert.outcome = Outcome.DISMISSED
    alert.reason = (f"{alert.reason} " + _("Set aside: %(r)s") % {"r": reason}).strip()[
        :1000
    ]
    alert.decided_by = actor
    alert.decided_at = timezone.now()
    alert.save(update_fields=["outcome", "reason", "decided_by", "decided_at"])
    audit.record(
        "cap.dismiss",
        actor,
        alert,
        area=alert.area,
        data={"reason": reason},
        object_repr=str(alert)[:200],
    )
    return alert


# Sources --------------------------------------------------------------------------


def _require_province(actor: Any, area: Area) -> None:
    if actor is not None and not bulletins.exchange.may_trust(actor, area):
        raise PermissionDenied(
            _("Only an administrator of the province sets what CAP warnings become.")
        )


@transaction.atomic
def save_source(
    actor: Any,
    peer,
    *,
    category,
    feed_url: str = "",
    poll_minutes: int = 1,
    require_signature: bool = False,
    certificate: str = "",
    default_policy: str = Policy.EMERGENCY_DRAFT,
    policies: dict[str, str] | None = None,
) -> CapSource:
    """Create or change the CAP settings of a peer system, and its event policies.

    What an alert becomes, and above all airing without a person, is the
    province's decision (as publishing without approval is for a peer).
    """
    _require_province(actor, peer.area)
    if default_policy == Policy.EMERGENCY_AUTO:
        raise ValidationError(
            {"default_policy": _("Airing without a person is set per event only.")}
        )
    if require_signature and not certificate.strip():
        raise ValidationError(
            {"certificate": _("Give the certificate the signatures are checked with.")}
        )
    if certificate.strip():
        from cryptography import x509

        try:
            x509.load_pem_x509_certificate(certificate.strip().encode())
        except ValueError:
            raise ValidationError(
                {"certificate": _("This is not a PEM X.509 certificate.")}
            ) from None
    source = CapSource.objects.filter(peer=peer).first() or CapSource(peer=peer)
    source.category = category
    source.feed_url = feed_url.strip()
    source.poll_minutes = max(1, int(poll_minutes))
    source.require_signature = require_signature
    source.certificate = certificate.strip()
    source.default_policy = default_policy
    source.full_clean()
    source.save()
    if policies is not None:
        valid = set(Policy.values)
        for event, policy in policies.items():
            if policy not in valid or not event.strip():
                raise ValidationError(
                    {"policies": _("Unknown policy “%(p)s”.") % {"p": policy}}
                )
        source.policies.all().delete()
        EventPolicy.objects.bulk_create(
            EventPolicy(source=source, event=" ".join(e.split())[:200], policy=p)
            for e, p in policies.items()
        )
    audit.record(
        "cap.source",
        actor,
        source,
        area=peer.area,
        data={
            "feed_url": source.feed_url,
            "require_signature": require_signature,
            "default_policy": default_policy,
            "policies": policies,
        },
        object_repr=str(source),
    )
    return source
