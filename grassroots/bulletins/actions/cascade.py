"""The cascade: a bulletin from above reaches each commune it targets.

A bulletin issued by a province (or a pre-2025 district) lands in the inbox
of every commune it reaches. Normal bulletins wait for the commune to adopt
or ignore them; priority ones arrive queued for airing; emergency ones arrive
marked to go out at once, and the broadcasting side acts on the channel event.
A commune's own bulletins need no inbox: it approved them itself.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.accounts.scope import area_q
from grassroots.areas.models import Area, Level

from .. import channels, rules
from ..channels import ChannelEvent, Event
from ..models import Bulletin, Channel, InboxItem, InboxState, Status
from ..models import Level as Priority

#: How a bulletin first lands in a commune's inbox, by priority level.
ARRIVAL_STATE: dict[str, str] = {
    Priority.NORMAL: InboxState.RECEIVED,
    Priority.PRIORITY: InboxState.QUEUED,
    Priority.EMERGENCY: InboxState.EMERGENCY,
}


def communes_reached(bulletin: Bulletin) -> list[Area]:
    """Return the active communes a bulletin's targets cover, by path."""
    targets = list(bulletin.target_areas.all()) or [bulletin.issuing_area]
    wide = [t.path for t in targets if t.level < Level.COMMUNE]
    direct = {t.pk for t in targets if t.level == Level.COMMUNE}
    direct |= {t.parent_id for t in targets if t.level == Level.HAMLET and t.parent_id}
    query = Q(pk__in=direct)
    if wide:
        query |= area_q(wide, "path")
    return list(
        Area.objects.communes().active().filter(query).order_by("path").distinct()
    )


def cascades(bulletin: Bulletin) -> bool:
    """Return True if the bulletin comes from above the communes it reaches."""
    return bulletin.issuing_area.level < Level.COMMUNE


@transaction.atomic
def deliver(bulletin: Bulletin) -> int:
    """Put a just-published version in each reached commune's inbox; return new ones.

    A commune that already has the bulletin keeps its decision and sees that
    a new version came; one no longer targeted is marked so.
    """
    if not cascades(bulletin):
        return 0
    now = timezone.now()
    reached = {c.pk: c for c in communes_reached(bulletin)}
    existing = {i.commune_id: i for i in bulletin.inbox_items.all()}
    state = ARRIVAL_STATE[bulletin.level]
    new = [
        InboxItem(bulletin=bulletin, commune=commune, state=state, received_at=now)
        for pk, commune in reached.items()
        if pk not in existing
    ]
    InboxItem.objects.bulk_create(new)
    again = [pk for pk in reached if pk in existing]
    InboxItem.objects.filter(bulletin=bulletin, commune_id__in=again).update(
        updated_version_at=now, still_targeted=True
    )
    # An upgrade to emergency or priority overrides a pending normal arrival.
    if state != InboxState.RECEIVED:
        InboxItem.objects.filter(
            bulletin=bulletin, commune_id__in=again, state=InboxState.RECEIVED
        ).update(state=state)
    dropped = [pk for pk in existing if pk not in reached]
    InboxItem.objects.filter(bulletin=bulletin, commune_id__in=dropped).update(
        still_targeted=False
    )
    if new or dropped:
        audit.record(
            "bulletin.cascade",
            None,
            bulletin,
            data={"new_communes": len(new), "dropped_communes": len(dropped)},
        )
    return len(new)


class Decision:
    ADOPT = "adopt"
    IGNORE = "ignore"
    CHOICES = (ADOPT, IGNORE)


@transaction.atomic
def decide(actor: Actor, item: InboxItem, decision: str, note: str = "") -> InboxItem:
    """Record a commune's decision on a normal bulletin from above."""
    item = InboxItem.objects.select_related("bulletin", "commune").get(pk=item.pk)
    rules.require(rules.inbox_refusal(actor, item.commune))
    if decision not in Decision.CHOICES:
        raise ValidationError(_("Choose to adopt or to ignore the bulletin."))
    if item.bulletin.status != Status.PUBLISHED:
        raise ValidationError(
            _("This bulletin is no longer in force (withdrawn or expired).")
        )
    if item.state not in (InboxState.RECEIVED, InboxState.ADOPTED, InboxState.IGNORED):
        raise ValidationError(
            _(
                "Priority and emergency bulletins are aired by rule; the commune "
                "only decides on normal ones."
            )
        )
    item.state = (
        InboxState.ADOPTED if decision == Decision.ADOPT else InboxState.IGNORED
    )
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.note = (note or "").strip()[:2000]
    item.save(update_fields=["state", "decided_by", "decided_at", "note"])
    audit.record(
        f"inbox.{decision}",
        actor,
        item.bulletin,
        area=item.commune,
        data={"commune": item.commune.path, "note": item.note},
        object_repr=f"{item.bulletin} → {item.commune}",
    )
    if item.state == InboxState.ADOPTED:
        event = ChannelEvent(
            event=Event.ADOPTED,
            bulletin_id=item.bulletin_id,
            level=item.bulletin.level,
            commune_ids=(item.commune_id,),
            target_area_ids=(item.commune_id,),
            revision_id=item.bulletin.live_revision_id,
            channels=tuple(item.bulletin.channels),
        )
        channels.dispatch(event, [Channel.LOUDSPEAKERS, Channel.BOARDS])
    return item


@transaction.atomic
def mark_aired(item: InboxItem, *, at=None, actor: Actor = None) -> InboxItem:
    """Record that the commune's loudspeakers aired it (called by the broadcast side)."""
    item.state = InboxState.AIRED
    item.aired_at = at or timezone.now()
    item.save(update_fields=["state", "aired_at"])
    audit.record(
        "inbox.aired",
        actor,
        item.bulletin,
        area=item.commune,
        data={"commune": item.commune.path},
        object_repr=f"{item.bulletin} → {item.commune}",
    )
    return item
