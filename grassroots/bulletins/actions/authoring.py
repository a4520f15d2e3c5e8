"""Writing bulletins: create, edit and delete, the same from the console, the API and code.

The console's create and edit views find these classes through Wagtail's
action registry (``register_actions`` hook in wagtail_hooks.py), so a form
post and an API call run the same rules: the author writes for an area in
their scope, targets lie inside the issuing area, the body is sanitised,
text fields hold no markup, and every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.create import CreateAction
from wagtail.actions.delete import DeleteAction
from wagtail.actions.edit import EditAction

from grassroots.accounts import audit
from grassroots.accounts.audit import Actor
from grassroots.areas.models import Area

from .. import content, rules
from ..files import Prepared
from ..models import Attachment, Bulletin, Category, Channel, Level, PeerSystem, Status


def prepare(bulletin: Bulletin) -> None:
    """Clean the fields people type and derive the ones the system keeps.

    Raises ``ValidationError`` (with the field) when something cannot be
    stored as given.
    """
    errors: dict[str, list[str]] = {}
    for name, label in (
        ("title", _("The title")),
        ("summary", _("The summary")),
        ("issuing_agency", _("The issuing agency")),
        ("source_reference", _("The source document")),
    ):
        try:
            setattr(bulletin, name, content.plain_text(getattr(bulletin, name), label))
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    if not bulletin.title and "title" not in errors:
        errors["title"] = [_("A bulletin needs a title.")]
    bulletin.body = content.sanitise_body(bulletin.body)
    if bulletin.valid_from is None:
        bulletin.valid_from = timezone.now()
    # Minutes are the precision people set and see; seconds would make every
    # unchanged form look changed.
    bulletin.valid_from = _minute(bulletin.valid_from)
    bulletin.valid_until = _minute(bulletin.valid_until)
    if bulletin.valid_until is not None and bulletin.valid_until <= bulletin.valid_from:
        errors.setdefault("valid_until", []).append(
            _("“Valid until” must come after “valid from”.")
        )
    if errors:
        raise ValidationError(errors)
    # Wagtail's scheduling follows our validity dates.
    bulletin.go_live_at = bulletin.valid_from
    bulletin.expire_at = bulletin.valid_until
    bulletin.refresh_search_fields()


def check_targets(bulletin: Bulletin, targets: Iterable[Area]) -> list[Area]:
    """Return the targets, refusing any outside the issuing area or inactive."""
    issuing = bulletin.issuing_area
    checked = []
    for area in targets:
        if not area.path.startswith(issuing.path):
            raise ValidationError(
                {
                    "target_areas": _(
                        "“%(area)s” is outside the issuing area %(issuing)s."
                    )
                    % {"area": area, "issuing": issuing}
                }
            )
        if not area.is_active:
            raise ValidationError(
                {"target_areas": _("“%(area)s” no longer exists.") % {"area": area}}
            )
        checked.append(area)
    return checked


def _apply_targets(bulletin: Bulletin) -> bool:
    """Keep targets inside the issuing area; default to the issuing area itself.

    Return True when the default was filled in (the row then needs saving).
    """
    targets = check_targets(bulletin, bulletin.target_areas.all())
    if not targets:
        bulletin.target_areas.set([bulletin.issuing_area])
        return True
    return False


def _settle(bulletin: Bulletin, *, saved: bool) -> None:
    """Fill default targets and the search fields once the targets are known.

    The form applies its targets when it saves; the search document holds the
    targets' area tokens, so it is computed again here, before the revision.
    """
    _apply_targets(bulletin)
    bulletin.refresh_search_fields()
    if saved:
        bulletin.save()


def _commit_files(bulletin: Bulletin) -> None:
    """Store uploaded files now, so that a revision of a live bulletin keeps them.

    Wagtail does not save the row of a live object when a draft is saved, and
    files are otherwise only written when their row is.
    """
    for attachment in bulletin.attachments.all():
        upload = attachment.file
        # A new upload, not yet in the storage (Django's flag; no public name).
        if upload and not getattr(upload, "_committed", True):
            upload.save(upload.name or "", upload.file, save=False)


def _minute(value):
    return value.replace(second=0, microsecond=0) if value is not None else None


def changes(old: Bulletin, new: Bulletin) -> list[str]:
    """Return the names of the fields whose meaning differs between two versions.

    Markup noise (Draftail's block keys, whitespace) and seconds are ignored:
    what counts is what people would read, hear or see.
    """
    changed = [
        name
        for name in (
            "title",
            "summary",
            "category_id",
            "level",
            "issuing_area_id",
            "issuing_agency",
            "source_reference",
            "on_loudspeakers",
            "on_boards",
            "on_portal",
            "is_essential",
        )
        if (getattr(old, name) or "") != (getattr(new, name) or "")
    ]
    if " ".join(content.body_text(old.body).split()) != " ".join(
        content.body_text(new.body).split()
    ):
        changed.append("body")
    for name in ("valid_from", "valid_until"):
        if _minute(getattr(old, name)) != _minute(getattr(new, name)):
            changed.append(name)
    if {a.pk for a in old.target_areas.all()} != {a.pk for a in new.target_areas.all()}:
        changed.append("target_areas")

    def files(b):
        return sorted((a.file.name or "", a.title) for a in b.attachments.all())

    if files(old) != files(new):
        changed.append("attachments")
    return changed


def _is_person(user: Actor) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _actor(user: Actor, peer: PeerSystem | None) -> Any:
    return user if _is_person(user) else (f"peer:{peer.name}" if peer else None)


class BulletinCreateAction(CreateAction):
    """Create a draft bulletin (console form, API or code)."""

    def __init__(self, instance, user=None, *, peer: PeerSystem | None = None, **kw):
        super().__init__(instance, user=user, **kw)
        self.peer = peer

    def check(self, skip_permission_checks=False):
        super().check(skip_permission_checks=skip_permission_checks)
        # Our rule is never skipped: Wagtail's views skip their own checks.
        # No user and no peer means the system itself (imports, demo data).
        if self.peer is None and self.user is not None:
            area = self.instance.issuing_area if self.instance.issuing_area_id else None
            rules.require(rules.writing_refusal(self.user, area))

    def _save_instance(self):
        bulletin = self.instance
        prepare(bulletin)
        bulletin.status = Status.DRAFT
        bulletin.author = self.user if _is_person(self.user) else None
        bulletin.peer = self.peer
        _commit_files(bulletin)
        super()._save_instance()
        _settle(self.instance, saved=True)

    def _create(self, skip_permission_checks=False):
        bulletin = super()._create(skip_permission_checks=skip_permission_checks)
        audit.record(
            "bulletin.create",
            _actor(self.user, self.peer),
            bulletin,
            data={"revision": self.revision.pk if self.revision else None},
        )
        return bulletin


class BulletinEditAction(EditAction):
    """Save a new version of a bulletin; a live one stays as it is until approved."""

    def __init__(self, instance, user=None, *, peer: PeerSystem | None = None, **kw):
        super().__init__(instance, user=user, **kw)
        self.peer = peer

    def check(self, skip_permission_checks=False):
        super().check(skip_permission_checks=skip_permission_checks)
        stored = Bulletin.objects.select_related("issuing_area").get(
            pk=self.instance.pk
        )
        if self.peer is not None and stored.peer_id != self.peer.pk:
            raise PermissionDenied(_("This bulletin belongs to another system."))
        if stored.workflow_in_progress:
            # Under review nothing changes; a reviewer's form post that changes
            # nothing (approving from the edit page) still saves a revision.
            if changes(stored.get_latest_revision_as_object(), self.instance):
                raise PermissionDenied(
                    _(
                        "This bulletin is awaiting approval and cannot be changed "
                        "now. Cancel the submission first, or return it for changes."
                    )
                )
            if self.peer is None and self.user is not None:
                if rules.writing_refusal(self.user, stored.issuing_area) is not None:
                    rules.require(rules.review_refusal(self.user, stored))
            return
        if self.peer is None and self.user is not None:
            rules.require(rules.writing_refusal(self.user, stored.issuing_area))
            if self.instance.issuing_area_id != stored.issuing_area_id:
                rules.require(
                    rules.writing_refusal(self.user, self.instance.issuing_area)
                )

    def _save_instance(self):
        prepare(self.instance)
        _commit_files(self.instance)
        super()._save_instance()
        _settle(self.instance, saved=not self.instance.live)

    def _edit(self, skip_permission_checks=False):
        bulletin = super()._edit(skip_permission_checks=skip_permission_checks)
        if self.content_changed:
            audit.record(
                "bulletin.edit",
                _actor(self.user, self.peer),
                bulletin,
                data={
                    "revision": self.revision.pk if self.revision else None,
                    "fields": list(self.form.changed_data) if self.form else [],
                },
            )
        return bulletin


class BulletinDeleteAction(DeleteAction):
    """Delete a draft that never went out; anything published is kept for the record."""

    def check(self, skip_permission_checks=False):
        super().check(skip_permission_checks=skip_permission_checks)
        bulletin = self.instance
        rules.require(rules.writing_refusal(self.user, bulletin.issuing_area))
        if bulletin.first_published_at is not None or bulletin.status not in (
            Status.DRAFT,
            Status.RETURNED,
        ):
            raise PermissionDenied(
                _("Only drafts can be deleted; withdraw a bulletin that went out.")
            )

    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            audit.record("bulletin.delete", self.user, self.instance)
            return self._delete()


# Typed entry points for the API, demo data and tests --------------------------


@dataclass
class BulletinContent:
    """Everything an author writes; the same fields as the console form."""

    title: str
    category: Category
    issuing_area: Area
    summary: str = ""
    body: str = ""
    level: str = Level.NORMAL
    issuing_agency: str = ""
    source_reference: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    target_areas: Sequence[Area] = ()
    channels: Sequence[str] = tuple(Channel.values)
    is_essential: bool = True
    attachments: Sequence[tuple[Prepared, str]] = field(default_factory=tuple)

    def apply(self, bulletin: Bulletin) -> None:
        bulletin.title = self.title
        bulletin.summary = self.summary
        bulletin.body = self.body
        bulletin.category = self.category
        bulletin.level = self.level
        bulletin.issuing_area = self.issuing_area
        bulletin.issuing_agency = self.issuing_agency
        bulletin.source_reference = self.source_reference
        bulletin.valid_from = self.valid_from or timezone.now()
        bulletin.valid_until = self.valid_until
        bulletin.is_essential = self.is_essential
        for channel in Channel.values:
            setattr(bulletin, f"on_{channel}", channel in self.channels)
        bulletin.target_areas.set(list(self.target_areas))

    def attachment_rows(self) -> list[Attachment]:
        return [
            Attachment(
                file=prepared.file,
                title=title,
                kind=prepared.kind,
                content_type=prepared.content_type,
                original_name=prepared.original_name,
                size=prepared.size,
                sha256=prepared.sha256,
                width=prepared.width,
                height=prepared.height,
                duration_s=prepared.duration_s,
            )
            for prepared, title in self.attachments
        ]


def create_bulletin(
    actor: Actor, data: BulletinContent, *, peer: PeerSystem | None = None
) -> Bulletin:
    """Create a draft bulletin written by ``actor`` (or received from ``peer``)."""
    bulletin = Bulletin()
    with transaction.atomic():
        data.apply(bulletin)
        # modelcluster's child relation takes a list (its descriptor is untyped).
        bulletin.attachments = data.attachment_rows()  # type: ignore[misc]
        return BulletinCreateAction(bulletin, user=actor, peer=peer).execute(
            skip_permission_checks=peer is not None or actor is None
        )


def update_bulletin(
    actor: Actor,
    bulletin: Bulletin,
    data: BulletinContent,
    *,
    peer: PeerSystem | None = None,
    replace_attachments: bool = False,
) -> Bulletin:
    """Save ``data`` as the bulletin's newest version (a draft while it is live)."""
    with transaction.atomic():
        latest = bulletin.get_latest_revision_as_object()
        data.apply(latest)
        if replace_attachments:
            latest.attachments = data.attachment_rows()
        elif data.attachments:
            latest.attachments = [*latest.attachments.all(), *data.attachment_rows()]
        return BulletinEditAction(latest, user=actor, peer=peer).execute(
            skip_permission_checks=peer is not None or actor is None
        )
