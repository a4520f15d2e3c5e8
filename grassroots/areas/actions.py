"""Every change to the area tree: the official catalogue, hamlets, and moves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.core import tabular
from grassroots.core.references import is_referenced

from .fields import SEGMENT
from .models import HAMLET_KINDS, Area, Kind, Level
from .words import hamlet_word

Progress = Callable[[int], None]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0

    def __str__(self) -> str:
        return (
            _(
                "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(deactivated)d deactivated"
            )
            % self.__dict__
        )


def child_path(parent: Area | None, code: str) -> str:
    if not SEGMENT.match(code):
        raise ValidationError(
            _(
                "The code “%(code)s” may only hold letters without diacritics, digits and “-” (at most 20)."
            )
            % {"code": code}
        )
    return f"{parent.path if parent else ''}{code}/"


def _move_subtree(area: Area, new_path: str) -> None:
    """Rewrite the paths of ``area``'s descendants after it moved or was recoded."""
    old_path = area.path
    Area.objects.filter(path__under=old_path).exclude(pk=area.pk).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )


def _upsert(
    *,
    parent: Area | None,
    code: str,
    name: str,
    kind: str,
    level: int,
    result: ImportResult,
    latitude: float | None = None,
    longitude: float | None = None,
    existing: Area | None = None,
) -> Area:
    path = child_path(parent, code)
    if existing is None:
        area = Area.objects.create(
            parent=parent,
            code=code,
            name=name,
            kind=kind,
            level=level,
            path=path,
            latitude=latitude,
            longitude=longitude,
        )
        result.created += 1
        return area
    changes: dict[str, Any] = {
        "parent_id": parent.pk if parent else None,
        "code": code,
        "name": name,
        "kind": kind,
        "is_active": True,
    }
    if latitude is not None or longitude is not None:
        changes.update(latitude=latitude, longitude=longitude)
    changed = [f for f, v in changes.items() if getattr(existing, f) != v]
    if existing.path != path:
        _move_subtree(existing, path)
        existing.path = path
        changed.append("path")
    if not changed:
        result.unchanged += 1
        return existing
    for field, value in changes.items():
        setattr(existing, field, value)
    existing.save()
    result.updated += 1
    return existing


_CATALOGUE_KINDS = {
    "tỉnh": Kind.PROVINCE,
    "thành phố trung ương": Kind.CENTRAL_CITY,
    "xã": Kind.COMMUNE,
    "phường": Kind.WARD,
    "đặc khu": Kind.SPECIAL_ZONE,
}


def catalogue_size(province_codes: Iterable[int] | None = None) -> int:
    """Return how many units :func:`import_catalogue` will go through."""
    from vietnam_provinces import Province, Ward

    wanted = set(province_codes) if province_codes else None
    provinces = [
        p for p in Province.iter_all() if wanted is None or int(p.code) in wanted
    ]
    codes = {int(p.code) for p in provinces}
    return len(provinces) + sum(
        1 for w in Ward.iter_all() if int(w.province_code) in codes
    )


@transaction.atomic
def import_catalogue(
    province_codes: Iterable[int] | None = None,
    *,
    actor: Actor = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create or update provinces and communes from the official catalogue.

    The catalogue is the ``vietnam-provinces`` package (34 provinces and 3,321
    communes since 1 July 2025). Re-running updates names and kinds, moves
    communes that changed province, and marks communes that left the
    catalogue inactive; it never duplicates.
    """
    from vietnam_provinces import Province, ProvinceCode, Ward

    wanted = sorted(set(province_codes)) if province_codes else None
    if wanted:
        valid = {int(c) for c in ProvinceCode}
        unknown = [c for c in wanted if c not in valid]
        if unknown:
            raise ValidationError(
                _("Unknown province code(s): %(codes)s. Codes run from 01 to 96.")
                % {"codes": ", ".join(str(c) for c in unknown)}
            )
    provinces = [
        p for p in Province.iter_all() if wanted is None or int(p.code) in wanted
    ]
    result = ImportResult()
    existing = {
        (a.level, a.code): a
        for a in Area.objects.filter(level__in=[Level.PROVINCE, Level.COMMUNE])
    }
    for province in sorted(provinces, key=lambda p: int(p.code)):
        code = f"{int(province.code):02d}"
        province_area = _upsert(
            parent=None,
            code=code,
            name=province.name,
            kind=_CATALOGUE_KINDS[province.division_type.value],
            level=Level.PROVINCE,
            result=result,
            existing=existing.get((Level.PROVINCE, code)),
        )
        if progress:
            progress(1)
        seen: set[str] = set()
        for ward in Ward.iter_by_province(province.code):
            ward_code = f"{int(ward.code):05d}"
            seen.add(ward_code)
            _upsert(
                parent=province_area,
                code=ward_code,
                name=ward.name,
                kind=_CATALOGUE_KINDS[ward.division_type.value],
                level=Level.COMMUNE,
                result=result,
                existing=existing.get((Level.COMMUNE, ward_code)),
            )
            if progress:
                progress(1)
        gone = Area.objects.filter(
            parent=province_area, level=Level.COMMUNE, is_active=True
        ).exclude(code__in=seen)
        result.deactivated += gone.update(is_active=False)
    if result.created or result.updated or result.deactivated:
        audit.record(
            "areas.import_catalogue",
            actor,
            data={"provinces": wanted or "all", **result.__dict__},
            object_repr=_("Administrative unit catalogue"),
        )
    return result


# Hamlets -------------------------------------------------------------------

_KIND_WORDS = {
    "ap": Kind.HAMLET,
    "thon": Kind.VILLAGE,
    "to dan pho": Kind.RESIDENTIAL_GROUP,
    "to_dan_pho": Kind.RESIDENTIAL_GROUP,
    "khom": Kind.QUARTER,
    "khu pho": Kind.NEIGHBOURHOOD,
    "khu_pho": Kind.NEIGHBOURHOOD,
    "soc": Kind.KHMER_HAMLET,
    "ban": Kind.HIGHLAND_VILLAGE,
    "buon": Kind.HIGHLAND_HAMLET,
    "lang": Kind.VILLAGE_LANG,
}


def parse_hamlet_kind(text: str) -> str:
    from grassroots.core.text import fold

    kind = _KIND_WORDS.get(fold(text))
    if kind is None:
        raise ValueError(
            _(
                "There is no kind “%(text)s”. Use one of: ấp, thôn, tổ dân phố, khóm, khu phố, sóc, bản, buôn, làng."
            )
            % {"text": text}
        )
    return kind


def parse_code(text: str) -> str:
    if not SEGMENT.match(text):
        raise ValueError(
            _(
                "“%(text)s” is not a valid code: use letters without diacritics, digits and “-”, at most 20."
            )
            % {"text": text}
        )
    return text


def parse_name(text: str) -> str:
    if len(text) > 255:
        raise ValueError(_("The name is longer than 255 characters."))
    return text


HAMLET_COLUMNS = (
    tabular.Column(
        "commune",
        gettext_lazy("commune code"),
        aliases=("commune_code", "ma xa", "ma_xa", "xa", "ma phuong", "ma don vi"),
        required=False,
        parse=parse_code,
    ),
    tabular.Column(
        "code",
        gettext_lazy("code"),
        aliases=("ma", "ma ap", "ma_ap", "ma thon"),
        parse=parse_code,
    ),
    tabular.Column(
        "name",
        gettext_lazy("name"),
        aliases=("ten", "ten ap", "ten_ap", "ten thon"),
        parse=parse_name,
    ),
    tabular.Column(
        "kind",
        gettext_lazy("kind"),
        aliases=("loai", "loai hinh", "loai_hinh"),
        required=False,
        parse=parse_hamlet_kind,
        default=Kind.HAMLET,
    ),
    tabular.Column(
        "latitude",
        gettext_lazy("latitude"),
        aliases=("lat", "vi do", "vi_do"),
        required=False,
        parse=tabular.LATITUDE,
    ),
    tabular.Column(
        "longitude",
        gettext_lazy("longitude"),
        aliases=("lon", "lng", "long", "kinh do", "kinh_do"),
        required=False,
        parse=tabular.LONGITUDE,
    ),
)


def _hamlet_rows(
    file: IO[bytes], commune: Area | None, actor: Actor
) -> list[tuple[int, Area, dict[str, Any]]]:
    """Return every row with its commune, or raise ``TableError`` listing all problems."""
    communes: dict[str, Area | None] = {}
    seen: dict[tuple[str, str], int] = {}
    cells = tabular.read_rows(file)

    def commune_of(code: str | None) -> Area | None:
        if code is None:
            return commune
        if code not in communes:
            communes[code] = Area.objects.filter(level=Level.COMMUNE, code=code).first()
        return communes[code]

    def check(line: int, row: dict[str, Any]) -> list[tabular.RowError]:
        errors: list[tabular.RowError] = []
        label = str(HAMLET_COLUMNS[0].label)
        target = commune_of(row["commune"])
        if target is None:
            if row["commune"] is None:
                errors.append(
                    tabular.RowError(
                        line,
                        label,
                        _(
                            "Say which commune: add a commune code column or choose the commune."
                        ),
                    )
                )
            else:
                errors.append(
                    tabular.RowError(
                        line,
                        label,
                        _("No commune has the code “%(code)s”.")
                        % {"code": row["commune"]},
                    )
                )
            return errors
        if commune is not None and target.pk != commune.pk:
            errors.append(
                tabular.RowError(
                    line,
                    label,
                    _("This row belongs to %(other)s, not to %(commune)s.")
                    % {"other": target, "commune": commune},
                )
            )
        if actor is not None and not scope.can(actor, Capability.MANAGE_AREAS, target):
            errors.append(
                tabular.RowError(
                    line,
                    label,
                    _("You may not change the %(hamlets)s of %(commune)s.")
                    % {"hamlets": hamlet_word(plural=True), "commune": target},
                )
            )
        key = (target.code, row["code"])
        if key in seen:
            errors.append(
                tabular.RowError(
                    line,
                    str(HAMLET_COLUMNS[1].label),
                    _("The code “%(code)s” is already used on line %(line)d.")
                    % {"code": row["code"], "line": seen[key]},
                )
            )
        seen.setdefault(key, line)
        if (row["latitude"] is None) != (row["longitude"] is None):
            missing = (
                HAMLET_COLUMNS[4] if row["latitude"] is None else HAMLET_COLUMNS[5]
            )
            errors.append(
                tabular.RowError(
                    line,
                    str(missing.label),
                    _("Give both latitude and longitude, or neither."),
                )
            )
        return errors

    table = tabular.validate(cells, HAMLET_COLUMNS, check)
    return [(line, commune_of(row["commune"]), row) for line, row in table.rows]  # type: ignore[misc]


@transaction.atomic
def import_hamlets(
    file: IO[bytes],
    *,
    commune: Area | None = None,
    actor: Actor = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the hamlets of a file (CSV or XLSX), all or nothing.

    The whole file is checked first; any problem raises ``TableError`` with
    every bad cell and nothing is written. Hamlets already there (same code in
    the same commune) are updated, never duplicated.
    """
    if commune is not None and commune.level != Level.COMMUNE:
        raise ValidationError(
            _("You can import %(hamlets)s into a commune only.")
            % {"hamlets": hamlet_word(plural=True)}
        )
    rows = _hamlet_rows(file, commune, actor)
    result = ImportResult()
    existing = {
        (a.parent_id, a.code): a
        for a in Area.objects.filter(
            level=Level.HAMLET, parent__in={commune.pk for _line, commune, _row in rows}
        )
    }
    for _line, target, row in rows:
        _upsert(
            parent=target,
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            level=Level.HAMLET,
            latitude=row["latitude"],
            longitude=row["longitude"],
            result=result,
            existing=existing.get((target.pk, row["code"])),
        )
        if progress:
            progress(1)
    changed = result.created or result.updated
    for target in {commune for _line, commune, _row in rows} if changed else ():
        audit.record(
            "areas.import_hamlets",
            actor,
            target,
            data={k: v for k, v in result.__dict__.items()},
        )
    return result


@transaction.atomic
def save_hamlet(
    actor: Actor,
    *,
    commune: Area,
    code: str,
    name: str,
    kind: str = Kind.HAMLET,
    latitude: float | None = None,
    longitude: float | None = None,
    hamlet: Area | None = None,
) -> Area:
    """Create a hamlet in ``commune``, or update ``hamlet``, from the console."""
    if commune.level != Level.COMMUNE:
        raise ValidationError(
            _("Each %(hamlet)s must belong to a commune.") % {"hamlet": hamlet_word()}
        )
    if kind not in HAMLET_KINDS:
        raise ValidationError(_("There is no kind “%(kind)s”.") % {"kind": kind})
    if actor is not None and not scope.can(actor, Capability.MANAGE_AREAS, commune):
        raise PermissionDenied(
            _("You may not change the %(hamlets)s of %(commune)s.")
            % {"hamlets": hamlet_word(plural=True), "commune": commune}
        )
    if (
        hamlet is not None
        and actor is not None
        and not scope.can(actor, Capability.MANAGE_AREAS, hamlet)
    ):
        raise PermissionDenied(
            _("You may not change %(name)s.") % {"name": hamlet.name}
        )
    clash = Area.objects.filter(parent=commune, code=code)
    if hamlet is not None:
        clash = clash.exclude(pk=hamlet.pk)
    other = clash.first()
    if other is not None:
        raise ValidationError(
            {"code": _("%(name)s already has this code.") % {"name": other.name}}
        )
    result = ImportResult()
    area = _upsert(
        parent=commune,
        code=code,
        name=name,
        kind=kind,
        level=Level.HAMLET,
        latitude=latitude,
        longitude=longitude,
        result=result,
        existing=hamlet,
    )
    audit.record(
        "areas.create_hamlet" if hamlet is None else "areas.change_hamlet", actor, area
    )
    return area


@transaction.atomic
def set_area_active(actor: Actor, area: Area, active: bool) -> None:
    """Retire a hamlet (merged, renamed) or bring it back; history stays linked."""
    if actor is not None and not scope.can(actor, Capability.MANAGE_AREAS, area):
        raise PermissionDenied(_("You may not change this area."))
    if area.level != Level.HAMLET and actor is not None and not actor.is_superuser:
        raise PermissionDenied(
            _("Provinces and communes follow the official catalogue.")
        )
    Area.objects.filter(pk=area.pk).update(is_active=active)
    area.is_active = active
    audit.record("areas.activate" if active else "areas.deactivate", actor, area)


@transaction.atomic
def delete_area(actor: Actor, area: Area) -> str:
    """Delete an area nothing uses; retire one that history points at.

    An area with units below it, or named by a bulletin, a cluster, a
    schedule, an account or any other record, is retired instead
    (``set_area_active``: hidden from choices, its history kept). Returns
    ``"deleted"`` or ``"closed"``.
    """
    if actor is not None and not scope.can(actor, Capability.MANAGE_AREAS, area):
        raise PermissionDenied(_("You may not change this area."))
    if area.level != Level.HAMLET and actor is not None and not actor.is_superuser:
        raise PermissionDenied(
            _("Provinces and communes follow the official catalogue.")
        )
    if Area.objects.filter(parent=area).exists() or is_referenced(area):
        if area.is_active:
            set_area_active(actor, area, False)
        return "closed"
    audit.record("areas.delete", actor, area, data={"code": area.code})
    area.delete()
    return "deleted"
