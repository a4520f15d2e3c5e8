"""Every change to training records: roster, courses, sessions, attendance.

Each action checks the actor's scope (``MANAGE_TRAINING`` on the area),
changes the rows atomically, writes the audit log and drops the indicator
snapshots the change makes stale. ``actor=None`` is the system (demo data,
commands).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.models import User
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.indicators.snapshots import mark_stale

from .models import Attendance, Course, Official, Status, TrainingSession

INDICATOR = "officials_trained"

OFFICIAL_FIELDS = (
    "code",
    "full_name",
    "date_of_birth",
    "position",
    "category",
    "phone",
    "email",
    "account",
    "needs_training",
    "started_on",
    "left_on",
    "notes",
)


def require_manager(actor: Actor, area: Area) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` keeps training records of ``area``."""
    if actor is not None and not scope.can(actor, Capability.MANAGE_TRAINING, area):
        raise PermissionDenied(
            _("You may only keep the training records of your own area.")
        )


def _check_official(area: Area, fields: dict[str, Any], pk: int | None) -> None:
    errors: dict[str, str] = {}
    if not (fields.get("full_name") or "").strip():
        errors["full_name"] = _("Write the person's full name.")
    started, left = fields.get("started_on"), fields.get("left_on")
    if started and left and left < started:
        errors["left_on"] = _("The person cannot leave before joining the roster.")
    others = Official.objects.all() if pk is None else Official.objects.exclude(pk=pk)
    code = fields.get("code") or ""
    if code and others.filter(area=area, code=code).exists():
        errors["code"] = _("Another person of this area already has this staff code.")
    account = fields.get("account")
    if account is not None and others.filter(account=account).exists():
        errors["account"] = _("This staff account is already linked to someone else.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_official(
    actor: Actor, *, area: Area, official: Official | None = None, **fields: Any
) -> Official:
    """Add a person to the roster of ``area``, or update ``official``."""
    unknown = set(fields) - set(OFFICIAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    require_manager(actor, area)
    if official is not None and official.pk:
        require_manager(actor, official.area)
    if actor is not None and fields.get("account") is not None:
        account: User = fields["account"]
        if not scope.can(actor, Capability.VIEW, account.area):
            raise PermissionDenied(_("This staff account is outside your area."))
    fields["full_name"] = " ".join((fields.get("full_name") or "").split())
    _check_official(area, fields, official.pk if official else None)
    creating = official is None or official.pk is None
    old_area = official.area if official is not None and official.pk else None
    if official is None or official.pk is None:
        official = Official(area=area, **fields)
        changed = list(fields)
    else:
        changed = [f for f, v in fields.items() if getattr(official, f) != v]
        if official.area_id != area.pk:
            changed.append("area")
        official.area = area
        for name, value in fields.items():
            setattr(official, name, value)
    official.full_clean()
    official.save()
    audit.record(
        "training.official_create" if creating else "training.official_change",
        actor,
        official,
        data={"fields": sorted(changed)},
    )
    mark_stale([INDICATOR], area)
    if old_area is not None and old_area.pk != area.pk:
        mark_stale([INDICATOR], old_area)
    return official


@transaction.atomic
def delete_official(actor: Actor, official: Official) -> None:
    """Remove a roster entry made by mistake; people who trained are kept (set "left on")."""
    require_manager(actor, official.area)
    if official.attendances.exists():
        raise ValidationError(
            _(
                "%(name)s has training records; set the date they left instead of deleting."
            )
            % {"name": official.full_name}
        )
    area = official.area
    audit.record("training.official_delete", actor, official, area=area)
    official.delete()
    mark_stale([INDICATOR], area)


@transaction.atomic
def save_course(
    actor: Actor, *, area: Area, course: Course | None = None, **fields: Any
) -> Course:
    """Create a course organised by ``area``, or update ``course``."""
    require_manager(actor, area)
    if area.level not in (Level.PROVINCE, Level.COMMUNE, Level.DISTRICT):
        raise ValidationError(
            {"area": _("Courses are organised by a province or a commune.")}
        )
    creating = course is None or course.pk is None
    if course is not None and course.pk is not None:
        require_manager(actor, course.area)
        old_topic = course.topic
    course = course or Course()
    course.area = area
    for name, value in fields.items():
        setattr(course, name, value)
    course.full_clean()
    course.save()
    audit.record(
        "training.course_create" if creating else "training.course_change",
        actor,
        course,
        data={"fields": sorted(fields)},
    )
    if not creating and old_topic != course.topic:
        # The topic decides who counts as trained, in every area it reached.
        for path in set(
            Attendance.objects.filter(session__course=course).values_list(
                "official__area__path", flat=True
            )
        ):
            mark_stale([INDICATOR], path)
    return course


@transaction.atomic
def delete_course(actor: Actor, course: Course) -> None:
    require_manager(actor, course.area)
    if course.sessions.exists():
        raise ValidationError(
            _("This course has sessions; mark it as no longer offered instead.")
        )
    audit.record("training.course_delete", actor, course)
    course.delete()


def _check_session(course: Course, area: Area, fields: dict[str, Any]) -> None:
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError({"ends_on": _("The session ends before it starts.")})
    if not course.area.path.startswith(area.path) and not area.path.startswith(
        course.area.path
    ):
        raise ValidationError(
            {"course": _("This course belongs to another area than the session.")}
        )


@transaction.atomic
def save_session(
    actor: Actor,
    *,
    course: Course,
    area: Area,
    session: TrainingSession | None = None,
    **fields: Any,
) -> TrainingSession:
    """Schedule a session of ``course`` (dates, place, trainer), or update one."""
    require_manager(actor, area)
    creating = session is None or session.pk is None
    if session is not None and session.pk is not None:
        require_manager(actor, session.area)
    _check_session(course, area, fields)
    session = session or TrainingSession()
    session.course = course
    session.area = area
    for name, value in fields.items():
        setattr(session, name, value)
    session.full_clean()
    session.save()
    audit.record(
        "training.session_create" if creating else "training.session_change",
        actor,
        session,
        data={"fields": sorted(fields)},
    )
    return session


@transaction.atomic
def delete_session(actor: Actor, session: TrainingSession) -> None:
    require_manager(actor, session.area)
    if session.attendances.filter(status=Status.COMPLETED).exists():
        raise ValidationError(
            _("People completed this session; its records cannot be deleted.")
        )
    audit.record("training.session_delete", actor, session)
    session.delete()


@transaction.atomic
def enrol(
    actor: Actor, session: TrainingSession, officials: list[Official]
) -> list[Attendance]:
    """Register ``officials`` for ``session``; people already registered stay as they are."""
    require_manager(actor, session.area)
    if actor is not None:
        outside = [
            o for o in officials if not scope.can(actor, Capability.VIEW, o.area)
        ]
        if outside:
            raise PermissionDenied(
                _("%(name)s is outside your area.") % {"name": outside[0].full_name}
            )
    existing = set(session.attendances.values_list("official_id", flat=True))
    added = [
        Attendance.objects.create(session=session, official=o)
        for o in officials
        if o.pk not in existing
    ]
    if added:
        audit.record(
            "training.enrol",
            actor,
            session,
            data={"officials": [a.official_id for a in added]},
        )
    return added


def certificate_number(attendance: Attendance) -> str:
    """Return the certificate number: year of completion and a serial."""
    return f"{attendance.completed_on:%Y}/CCTTCS-{attendance.pk:06d}"


@transaction.atomic
def record_attendance(
    actor: Actor,
    attendance: Attendance,
    *,
    status: str,
    result: str = "",
    completed_on: datetime.date | None = None,
) -> Attendance:
    """Record whether a person attended and completed; completion issues a certificate.

    A completion without a date is dated the session's last day. A certificate
    number once issued is kept, even if the record is later corrected, so a
    printed certificate can always be traced.
    """
    session = attendance.session
    require_manager(actor, session.area)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown attendance status.")})
    if status == Status.COMPLETED:
        completed_on = completed_on or session.ends_on
        if completed_on < session.starts_on:
            raise ValidationError(
                {"completed_on": _("Completion cannot come before the session starts.")}
            )
    else:
        completed_on = None
    before = attendance.completed_on
    attendance.status = status
    attendance.result = (result or "").strip()[:100]
    attendance.completed_on = completed_on
    attendance.save()
    if completed_on and not attendance.certificate_number:
        attendance.certificate_number = certificate_number(attendance)
        attendance.save(update_fields=["certificate_number"])
    audit.record(
        "training.attendance",
        actor,
        attendance,
        area=session.area,
        data={
            "official": attendance.official_id,
            "status": status,
            "completed_on": completed_on.isoformat() if completed_on else None,
        },
    )
    since = min(d for d in (before, completed_on, session.starts_on) if d)
    mark_stale([INDICATOR], attendance.official.area, since)
    return attendance


@transaction.atomic
def remove_attendance(actor: Actor, attendance: Attendance) -> None:
    """Take a person off a session's list (registered by mistake)."""
    require_manager(actor, attendance.session.area)
    if attendance.certificate_number:
        raise ValidationError(
            _("A certificate was issued for this record; correct its status instead.")
        )
    audit.record("training.unenrol", actor, attendance, area=attendance.session.area)
    attendance.delete()
