"""Import the roster and a session's attendance from XLSX or CSV, all or nothing.

Communes keep their staff lists and attendance sheets in spreadsheets. The
whole file is checked first; any problem is reported by line and column and
nothing is written (``grassroots.core.tabular``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from grassroots.accounts import scope
from grassroots.accounts.models import User
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.core import tabular
from grassroots.core.text import fold

from . import actions
from .models import Category, Official, Status, TrainingSession

if TYPE_CHECKING:
    from grassroots.accounts.audit import Actor

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})([ T]00:00(:00)?)?$")


def parse_date(text: str) -> datetime.date:
    """Return a date written dd/mm/yyyy (or as a spreadsheet date cell)."""
    match = _ISO.match(text)
    if match:
        return datetime.date(*(int(g) for g in match.groups()[:3]))
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” is not a date; write dd/mm/yyyy.") % {"text": text})


_YES = {"co", "x", "yes", "1", "true", "can", "c"}
_NO = {"khong", "no", "0", "false", "k", "khong can"}


def parse_yes_no(text: str) -> bool:
    value = fold(text)
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(_("Write “có” or “không”, not “%(text)s”.") % {"text": text})


_CATEGORIES = {
    "can bo": Category.OFFICIAL,
    "cong chuc": Category.OFFICIAL,
    "can bo, cong chuc": Category.OFFICIAL,
    "official": Category.OFFICIAL,
    "nhan vien": Category.WORKER,
    "nhan vien dai": Category.WORKER,
    "worker": Category.WORKER,
    "cong tac vien": Category.COLLABORATOR,
    "ctv": Category.COLLABORATOR,
    "collaborator": Category.COLLABORATOR,
}


def parse_category(text: str) -> str:
    value = _CATEGORIES.get(fold(text))
    if value is None:
        raise ValueError(
            _(
                "“%(text)s” is not a category: write cán bộ, nhân viên đài or cộng tác viên."
            )
            % {"text": text}
        )
    return value


_STATUSES = {
    "hoan thanh": Status.COMPLETED,
    "dat": Status.COMPLETED,
    "completed": Status.COMPLETED,
    "co mat": Status.ATTENDED,
    "tham du": Status.ATTENDED,
    "chua dat": Status.ATTENDED,
    "attended": Status.ATTENDED,
    "vang": Status.ABSENT,
    "vang mat": Status.ABSENT,
    "absent": Status.ABSENT,
    "dang ky": Status.REGISTERED,
    "registered": Status.REGISTERED,
}


def parse_status(text: str) -> str:
    value = _STATUSES.get(fold(text))
    if value is None:
        raise ValueError(
            _("“%(text)s” is not a status: write hoàn thành, có mặt, vắng or đăng ký.")
            % {"text": text}
        )
    return value


def _limited(length: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > length:
            raise ValueError(
                _("At most %(n)d characters, here %(len)d.")
                % {"n": length, "len": len(text)}
            )
        return text

    return parse


def parse_email(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError(
            _("“%(text)s” is not an email address.") % {"text": text}
        ) from None
    return text


UNIT = tabular.Column(
    "unit",
    gettext_lazy("unit code"),
    aliases=("ma don vi", "don vi", "ma xa", "ma ap", "area", "ma_don_vi"),
    required=False,
    parse=_limited(120),
)
CODE = tabular.Column(
    "code",
    gettext_lazy("staff code"),
    aliases=("ma can bo", "ma_can_bo", "ma nhan vien", "ma"),
    required=False,
    parse=_limited(40),
)
NAME = tabular.Column(
    "full_name",
    gettext_lazy("full name"),
    aliases=("ho ten", "ho va ten", "ho_ten", "ten", "name"),
    parse=_limited(200),
)

ROSTER_COLUMNS = (
    UNIT,
    CODE,
    NAME,
    tabular.Column(
        "date_of_birth",
        gettext_lazy("date of birth"),
        aliases=("ngay sinh", "ngay_sinh"),
        required=False,
        parse=parse_date,
    ),
    tabular.Column(
        "position",
        gettext_lazy("position"),
        aliases=("chuc vu", "chuc_vu", "chuc danh"),
        required=False,
        parse=_limited(200),
        default="",
    ),
    tabular.Column(
        "category",
        pgettext_lazy("training", "category"),
        aliases=("loai", "doi tuong", "phan loai"),
        required=False,
        parse=parse_category,
        default=Category.OFFICIAL,
    ),
    tabular.Column(
        "phone",
        gettext_lazy("phone"),
        aliases=("dien thoai", "so dien thoai", "sdt"),
        required=False,
        parse=_limited(20),
        default="",
    ),
    tabular.Column(
        "email",
        gettext_lazy("email"),
        aliases=("thu dien tu", "e-mail"),
        required=False,
        parse=parse_email,
        default="",
    ),
    tabular.Column(
        "needs_training",
        gettext_lazy("needs training"),
        aliases=("can dao tao", "can_dao_tao", "dao tao"),
        required=False,
        parse=parse_yes_no,
        default=True,
    ),
    tabular.Column(
        "started_on",
        gettext_lazy("on the roster since"),
        aliases=("ngay bat dau", "tu ngay", "ngay vao"),
        required=False,
        parse=parse_date,
    ),
    tabular.Column(
        "left_on",
        gettext_lazy("left on"),
        aliases=("ngay nghi", "nghi viec", "den ngay"),
        required=False,
        parse=parse_date,
    ),
    tabular.Column(
        "username",
        gettext_lazy("staff account"),
        aliases=("tai khoan", "ten dang nhap"),
        required=False,
        parse=_limited(150),
    ),
)

ATTENDANCE_COLUMNS = (
    UNIT,
    CODE,
    NAME,
    tabular.Column(
        "status",
        gettext_lazy("status"),
        aliases=("trang thai", "ket qua tham du", "tinh trang"),
        parse=parse_status,
    ),
    tabular.Column(
        "result",
        gettext_lazy("result"),
        aliases=("ket qua", "diem", "xep loai"),
        required=False,
        parse=_limited(100),
        default="",
    ),
    tabular.Column(
        "completed_on",
        gettext_lazy("completed on"),
        aliases=("ngay hoan thanh", "ngay cap"),
        required=False,
        parse=parse_date,
    ),
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return _("%(created)d added, %(updated)d updated") % self.__dict__


class _Units:
    """Resolve the unit column against the area chosen in the form."""

    def __init__(self, default: Area):
        self.default = default
        self.cache: dict[str, Area | None] = {}

    def find(self, text: str | None) -> Area | None:
        if not text:
            return self.default
        if text not in self.cache:
            self.cache[text] = self._lookup(text)
        return self.cache[text]

    def _lookup(self, text: str) -> Area | None:
        if "/" in text:
            return Area.objects.filter(path=text.strip("/") + "/").first()
        inside = Area.objects.filter(path__under=self.default.path, code=text).first()
        if inside is not None:
            return inside
        return Area.objects.filter(code=text, level__lte=Level.COMMUNE).first()


def _unit_errors(
    line: int, row: dict[str, Any], area: Area | None, root: Area, actor: Actor
) -> list[tabular.RowError]:
    label = str(UNIT.label)
    if area is None:
        return [
            tabular.RowError(
                line,
                label,
                _("No unit has the code “%(code)s”.") % {"code": row["unit"]},
            )
        ]
    if not area.path.startswith(root.path):
        return [
            tabular.RowError(
                line,
                label,
                _("%(unit)s is not part of %(root)s.") % {"unit": area, "root": root},
            )
        ]
    if actor is not None and not scope.can(actor, Capability.MANAGE_TRAINING, area):
        return [
            tabular.RowError(
                line,
                label,
                _("You may not keep the training records of %(unit)s.")
                % {"unit": area},
            )
        ]
    return []


def _existing(area: Area, code: str | None, name: str, born) -> list[Official]:
    if code:
        return list(Official.objects.filter(area=area, code=code))
    folded = fold(name)
    return [
        o
        for o in Official.objects.filter(area=area, date_of_birth=born)
        if fold(o.full_name) == folded
    ]


@transaction.atomic
def import_roster(file: IO[bytes], *, area: Area, actor: Actor) -> ImportResult:
    """Add or update the roster of ``area`` (and units below it) from a file.

    A person already on the roster (same staff code in the same unit, or
    without codes the same name and date of birth) is updated, never doubled.
    """
    actions.require_manager(actor, area)
    units = _Units(area)
    accounts: dict[str, User | None] = {}
    seen: dict[tuple[int, str], int] = {}

    def check(line: int, row: dict[str, Any]) -> list[tabular.RowError]:
        unit = units.find(row["unit"])
        errors = _unit_errors(line, row, unit, area, actor)
        if errors or unit is None:
            return errors
        key = (
            unit.pk,
            row["code"] or fold(row["full_name"]) + str(row["date_of_birth"]),
        )
        if key in seen:
            errors.append(
                tabular.RowError(
                    line,
                    str(NAME.label),
                    _("The same person is already on line %(line)d.")
                    % {"line": seen[key]},
                )
            )
        seen.setdefault(key, line)
        if (
            len(_existing(unit, row["code"], row["full_name"], row["date_of_birth"]))
            > 1
        ):
            errors.append(
                tabular.RowError(
                    line,
                    str(NAME.label),
                    _("Several people of %(unit)s match; add their staff codes.")
                    % {"unit": unit},
                )
            )
        if row["started_on"] and row["left_on"] and row["left_on"] < row["started_on"]:
            errors.append(
                tabular.RowError(
                    line,
                    str(ROSTER_COLUMNS[10].label),
                    _("The person cannot leave before joining the roster."),
                )
            )
        username = row["username"]
        if username:
            if username not in accounts:
                accounts[username] = User.objects.filter(username=username).first()
            account = accounts[username]
            if account is None or (
                actor is not None
                and not scope.can(actor, Capability.VIEW, account.area)
            ):
                errors.append(
                    tabular.RowError(
                        line,
                        str(ROSTER_COLUMNS[11].label),
                        _("No staff account “%(name)s” in your area.")
                        % {"name": username},
                    )
                )
        return errors

    table = tabular.validate(tabular.read_rows(file), ROSTER_COLUMNS, check)
    result = ImportResult()
    for _line, row in table.rows:
        unit = units.find(row["unit"])
        if unit is None:
            continue  # refused by check() above
        found = _existing(unit, row["code"], row["full_name"], row["date_of_birth"])
        fields = {
            k: row[k]
            for k in (
                "full_name",
                "date_of_birth",
                "position",
                "category",
                "phone",
                "email",
                "needs_training",
                "started_on",
                "left_on",
            )
        }
        fields["code"] = row["code"] or (found[0].code if found else "")
        if row["username"]:
            fields["account"] = accounts[row["username"]]
        actions.save_official(
            actor, area=unit, official=found[0] if found else None, **fields
        )
        if found:
            result.updated += 1
        else:
            result.created += 1
    return result


@transaction.atomic
def import_attendance(
    file: IO[bytes], *, session: TrainingSession, actor: Actor
) -> ImportResult:
    """Record a session's attendance sheet: who came, who completed, results.

    Each row names a person of the roster (staff code, or full name within
    the unit); people not yet on the session's list are added to it.
    """
    actions.require_manager(actor, session.area)
    units = _Units(session.area)
    people: dict[int, Official] = {}
    seen: dict[int, int] = {}

    def check(line: int, row: dict[str, Any]) -> list[tabular.RowError]:
        unit = units.find(row["unit"])
        if unit is None:
            return _unit_errors(line, row, unit, session.area, None)
        candidates = Official.objects.filter(area__path__under=unit.path)
        if row["code"]:
            candidates = candidates.filter(code=row["code"])
            found = list(candidates)
        else:
            folded = fold(row["full_name"])
            found = [o for o in candidates if fold(o.full_name) == folded]
        if not found:
            return [
                tabular.RowError(
                    line,
                    str(NAME.label),
                    _(
                        "%(name)s is not on the roster of %(unit)s; add them to the roster first."
                    )
                    % {"name": row["full_name"], "unit": unit},
                )
            ]
        if len(found) > 1:
            return [
                tabular.RowError(
                    line,
                    str(NAME.label),
                    _("Several people match %(name)s; give the unit or the staff code.")
                    % {"name": row["full_name"]},
                )
            ]
        person = found[0]
        if actor is not None and not scope.can(actor, Capability.VIEW, person.area):
            return [
                tabular.RowError(
                    line,
                    str(NAME.label),
                    _("%(name)s is outside your area.") % {"name": person.full_name},
                )
            ]
        if person.pk in seen:
            return [
                tabular.RowError(
                    line,
                    str(NAME.label),
                    _("The same person is already on line %(line)d.")
                    % {"line": seen[person.pk]},
                )
            ]
        seen[person.pk] = line
        completed_on = row["completed_on"]
        if completed_on and completed_on < session.starts_on:
            return [
                tabular.RowError(
                    line,
                    str(ATTENDANCE_COLUMNS[5].label),
                    _("Completion cannot come before the session starts."),
                )
            ]
        people[line] = person
        return []

    table = tabular.validate(tabular.read_rows(file), ATTENDANCE_COLUMNS, check)
    result = ImportResult()
    for line, row in table.rows:
        person = people[line]
        added = actions.enrol(actor, session, [person])
        attendance = session.attendances.get(official=person)
        actions.record_attendance(
            actor,
            attendance,
            status=row["status"],
            result=row["result"],
            completed_on=row["completed_on"],
        )
        if added:
            result.created += 1
        else:
            result.updated += 1
    return result
