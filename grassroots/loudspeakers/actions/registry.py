"""The registry: commune radio stations and their clusters, one by one or from a file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.accounts import audit, scope
from grassroots.accounts.audit import Actor
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Area, Level
from grassroots.areas.words import hamlet_label, hamlet_word
from grassroots.core import tabular
from grassroots.core.text import fold

from .. import history
from ..models import Cluster, ClusterState, LinkKind, LogKind, Station
from ..models.registry import CODE_VALIDATOR, check_code
from ._common import log, refresh_broker_on_commit, require

#: Registry fields a console form or an import may set.
CLUSTER_FIELDS = (
    "name",
    "latitude",
    "longitude",
    "model",
    "firmware_version",
    "link",
    "speaker_count",
    "speaker_power_w",
    "installed_on",
    "notes",
)


@transaction.atomic
def save_station(
    actor: Actor,
    *,
    commune: Area,
    name: str,
    address: str = "",
    phone: str = "",
    is_active: bool = True,
    station: Station | None = None,
) -> Station:
    """Create the radio station of a commune, or update it."""
    if commune.level != Level.COMMUNE:
        raise ValidationError(_("A radio station belongs to a commune."))
    require(actor, Capability.MANAGE_DEVICES, commune)
    if station is None:
        if Station.objects.filter(commune=commune).exists():
            raise ValidationError(
                {"commune": _("This commune already has a radio station.")}
            )
        station = Station(commune=commune)
    elif station.commune_id != commune.pk:
        raise ValidationError(
            {"commune": _("A station cannot move to another commune.")}
        )
    station.name = name.strip()
    station.address = address.strip()
    station.phone = phone.strip()
    station.is_active = is_active
    station.full_clean()
    created = station.pk is None
    station.save()
    audit.record(
        "loudspeakers.station_create" if created else "loudspeakers.station_change",
        actor,
        station,
        area=commune,
    )
    return station


def default_station(commune: Area) -> Station:
    """Return the commune's station, creating it with the usual name if missing."""
    station = Station.objects.filter(commune=commune).first()
    if station is None:
        station = Station.objects.create(
            commune=commune,
            name=_("Radio station of %(commune)s") % {"commune": commune.name},
        )
    return station


def _check_area(station: Station, area: Area) -> None:
    if area.pk != station.commune_id and area.parent_id != station.commune_id:
        raise ValidationError(
            {
                "area": _(
                    "The cluster must be in the station's commune or one of its %(hamlets)s."
                )
                % {"hamlets": hamlet_word(plural=True)}
            }
        )


@transaction.atomic
def save_cluster(
    actor: Actor,
    *,
    station: Station,
    area: Area,
    code: str,
    cluster: Cluster | None = None,
    **fields: Any,
) -> Cluster:
    """Register a cluster, or change one; a move to another hamlet updates its topics."""
    unknown = set(fields) - set(CLUSTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown cluster fields: {sorted(unknown)}")
    require(actor, Capability.MANAGE_DEVICES, area)
    _check_area(station, area)
    moved = False
    if cluster is None:
        if Cluster.objects.filter(code=code).exists():
            raise ValidationError({"code": _("Another cluster already has this code.")})
        cluster = Cluster(code=code)
    else:
        require(actor, Capability.MANAGE_DEVICES, cluster.area)
        if code != cluster.code:
            raise ValidationError(
                {"code": _("The code is the device's identity and cannot change.")}
            )
        moved = cluster.area_id != area.pk
    cluster.station = station
    cluster.area = area
    for name, value in fields.items():
        setattr(cluster, name, value)
    cluster.full_clean()
    created = cluster.pk is None
    changed = [] if created else _changed_fields(cluster)
    installed_before = (
        None
        if created
        else Cluster.objects.filter(pk=cluster.pk)
        .values_list("installed_on", flat=True)
        .first()
    )
    cluster.save()
    if "installed_on" in changed:
        history.redate_installation(cluster, installed_before)
    history.record(cluster)
    if created:
        audit.record("loudspeakers.cluster_create", actor, cluster, area=area)
        log(cluster, LogKind.REGISTRY, _("Registered"))
    elif changed:
        audit.record(
            "loudspeakers.cluster_change",
            actor,
            cluster,
            area=area,
            data={"fields": changed},
        )
        log(
            cluster,
            LogKind.REGISTRY,
            _("Changed: %(fields)s") % {"fields": ", ".join(changed)},
        )
    if moved and cluster.has_credentials:
        from .provisioning import publish_config

        publish_config(cluster)
        refresh_broker_on_commit()
    return cluster


@transaction.atomic
def add_cluster(
    actor: Actor, *, commune: str, hamlet: str = "", code: str, **fields: Any
) -> Cluster:
    """Register a cluster by its commune's and hamlet's official codes.

    For the command line and the API: the commune's radio station is used
    (created with the usual name if it has none yet), as in a file import.
    """
    commune_area = Area.objects.filter(level=Level.COMMUNE, code=commune).first()
    if commune_area is None:
        raise ValidationError(
            {"commune": _("No commune has the code “%(code)s”.") % {"code": commune}}
        )
    area = commune_area
    if hamlet:
        found = Area.objects.filter(parent=commune_area, code=hamlet).first()
        if found is None:
            raise ValidationError(
                {
                    "hamlet": _(
                        "%(commune)s has no %(hamlet)s with the code “%(code)s”."
                    )
                    % {"commune": commune_area, "hamlet": hamlet_word(), "code": hamlet}
                }
            )
        area = found
    require(actor, Capability.MANAGE_DEVICES, area)
    return save_cluster(
        actor, station=default_station(commune_area), area=area, code=code, **fields
    )


def _changed_fields(cluster: Cluster) -> list[str]:
    before = (
        Cluster.objects.filter(pk=cluster.pk)
        .values(*CLUSTER_FIELDS, "area_id", "station_id")
        .first()
    )
    if before is None:
        return []
    return [name for name, value in before.items() if getattr(cluster, name) != value]


@transaction.atomic
def set_cluster_state(
    actor: Actor, cluster: Cluster, state: str, *, since: date | None = None
) -> None:
    """Put a cluster in maintenance, back in service, or retire it (credentials revoked).

    ``since`` dates the change in the cluster's history when it is recorded
    late (today by default); the indicators of past months follow it.
    """
    if state not in ClusterState.values:
        raise ValidationError(_("Unknown state: %(state)s") % {"state": state})
    require(actor, Capability.MANAGE_DEVICES, cluster.area)
    if since is not None:
        history.check_day(cluster, since)
    if cluster.state == state:
        return
    previous = cluster.state
    Cluster.objects.filter(pk=cluster.pk).update(state=state)
    cluster.state = state
    history.record(cluster, since)
    audit.record(
        "loudspeakers.cluster_state",
        actor,
        cluster,
        data={"from": previous, "to": state},
    )
    log(
        cluster,
        LogKind.REGISTRY,
        _("State: %(state)s") % {"state": ClusterState(state).label},
    )
    if state == ClusterState.RETIRED and cluster.has_credentials:
        from .provisioning import revoke_credentials

        revoke_credentials(actor, cluster)
    elif cluster.has_credentials:
        from .provisioning import publish_config

        publish_config(cluster)


# Import ------------------------------------------------------------------------

_LINKS = {
    "4g": LinkKind.FOUR_G,
    "3g": LinkKind.FOUR_G,
    "lte": LinkKind.FOUR_G,
    "di dong": LinkKind.FOUR_G,
    "wifi": LinkKind.WIFI,
    "wi-fi": LinkKind.WIFI,
    "wired": LinkKind.WIRED,
    "co day": LinkKind.WIRED,
    "cap quang": LinkKind.WIRED,
    "internet": LinkKind.WIRED,
    "lan": LinkKind.WIRED,
    "ethernet": LinkKind.WIRED,
}
_STATES = {
    "active": ClusterState.ACTIVE,
    "hoat dong": ClusterState.ACTIVE,
    "dang hoat dong": ClusterState.ACTIVE,
    "maintenance": ClusterState.MAINTENANCE,
    "bao tri": ClusterState.MAINTENANCE,
    "sua chua": ClusterState.MAINTENANCE,
    "retired": ClusterState.RETIRED,
    "ngung": ClusterState.RETIRED,
    "ngung hoat dong": ClusterState.RETIRED,
    "thanh ly": ClusterState.RETIRED,
}


def _choice(table: Mapping[str, str], words: str) -> Any:
    def parse(text: str) -> str:
        value = table.get(fold(text))
        if value is None:
            raise ValueError(
                _("“%(text)s” is not one of: %(words)s.")
                % {"text": text, "words": words}
            )
        return value

    return parse


def _code(text: str) -> str:
    try:
        CODE_VALIDATOR(text)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return text


def _cluster_code(text: str) -> str:
    try:
        check_code(text)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return text


def _short(limit: int):
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ValueError(_("Longer than %(n)d characters.") % {"n": limit})
        return text

    return parse


def _count(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(float(text.replace(",", ".")))
        except ValueError:
            raise ValueError(
                _("“%(text)s” is not a whole number.") % {"text": text}
            ) from None
        if not low <= value <= high:
            raise ValueError(
                _("%(value)s is outside %(low)s–%(high)s.")
                % {"value": value, "low": low, "high": high}
            )
        return value

    return parse


def _date(text: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” is not a date: write dd/mm/yyyy.") % {"text": text})


CLUSTER_COLUMNS = (
    tabular.Column(
        "commune",
        gettext_lazy("commune code"),
        aliases=("commune_code", "ma xa", "ma_xa", "ma phuong", "ma don vi"),
        parse=_code,
    ),
    tabular.Column(
        "hamlet",
        format_lazy(gettext_lazy("{hamlet} code"), hamlet=hamlet_label(capital=False)),
        aliases=("hamlet_code", "ma ap", "ma_ap", "ma thon", "ap"),
        required=False,
        parse=_code,
    ),
    tabular.Column(
        "code",
        gettext_lazy("cluster code"),
        aliases=("ma cum", "ma_cum", "ma"),
        parse=_cluster_code,
    ),
    tabular.Column(
        "name",
        gettext_lazy("location"),
        aliases=("location", "vi tri", "dia diem", "ten"),
        required=False,
        parse=_short(200),
        default="",
    ),
    tabular.Column(
        "latitude",
        gettext_lazy("latitude"),
        aliases=("lat", "vi do"),
        required=False,
        parse=tabular.LATITUDE,
    ),
    tabular.Column(
        "longitude",
        gettext_lazy("longitude"),
        aliases=("lon", "lng", "kinh do"),
        required=False,
        parse=tabular.LONGITUDE,
    ),
    tabular.Column(
        "model",
        gettext_lazy("device model"),
        aliases=("thiet bi", "model", "loai thiet bi"),
        required=False,
        parse=_short(100),
        default="",
    ),
    tabular.Column(
        "firmware_version",
        gettext_lazy("firmware version"),
        aliases=("firmware", "phien ban"),
        required=False,
        parse=_short(60),
        default="",
    ),
    tabular.Column(
        "link",
        gettext_lazy("connection"),
        aliases=("connection", "ket noi", "ket_noi", "mang"),
        required=False,
        parse=_choice(_LINKS, "4G, Wi-Fi, có dây"),
        default=LinkKind.FOUR_G,
    ),
    tabular.Column(
        "speaker_count",
        gettext_lazy("number of speakers"),
        aliases=("speakers", "so loa", "so_loa"),
        required=False,
        parse=_count(1, 64),
        default=2,
    ),
    tabular.Column(
        "speaker_power_w",
        gettext_lazy("power per speaker (W)"),
        aliases=("cong suat", "cong_suat", "power"),
        required=False,
        parse=_count(1, 5000),
        default=30,
    ),
    tabular.Column(
        "installed_on",
        gettext_lazy("installed on"),
        aliases=("ngay lap dat", "lap dat", "installed"),
        required=False,
        parse=_date,
    ),
    tabular.Column(
        "state",
        gettext_lazy("state"),
        aliases=("trang thai", "tinh trang"),
        required=False,
        parse=_choice(_STATES, "hoạt động, bảo trì, ngừng hoạt động"),
        default=ClusterState.ACTIVE,
    ),
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (line, cluster, "created" | "updated" | "unchanged") for every row.
    rows: list[tuple[int, Cluster, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


#: Checks a caller adds to every row: (line, row, cluster with that code or None).
RowCheck = Callable[[int, dict[str, Any], Cluster | None], list[tabular.RowError]]


@transaction.atomic
def import_clusters(
    file: IO[bytes], *, actor: Actor = None, also_check: RowCheck | None = None
) -> ImportResult:
    """Import clusters from a CSV or XLSX file, all or nothing.

    Every row is checked first (commune and hamlet exist and are in the
    user's area, codes unique in the file, and ``also_check``); any problem
    raises ``TableError`` listing every bad cell and nothing is written. A
    code already registered updates that cluster.
    """
    communes: dict[str, Area | None] = {}
    hamlets: dict[tuple[int, str], Area | None] = {}
    seen: dict[str, int] = {}
    existing = {c.code: c for c in Cluster.objects.select_related("area")}

    def commune_of(code: str) -> Area | None:
        if code not in communes:
            communes[code] = Area.objects.filter(level=Level.COMMUNE, code=code).first()
        return communes[code]

    def area_of(row: dict[str, Any]) -> Area | None:
        commune = commune_of(row["commune"])
        if commune is None or not row["hamlet"]:
            return commune
        key = (commune.pk, row["hamlet"])
        if key not in hamlets:
            hamlets[key] = Area.objects.filter(
                parent=commune, code=row["hamlet"]
            ).first()
        return hamlets[key]

    def check(line: int, row: dict[str, Any]) -> list[tabular.RowError]:
        errors = []
        commune = commune_of(row["commune"])
        if commune is None:
            return [
                tabular.RowError(
                    line,
                    str(CLUSTER_COLUMNS[0].label),
                    _("No commune has the code “%(code)s”.") % {"code": row["commune"]},
                )
            ]
        area = area_of(row)
        if area is None:
            errors.append(
                tabular.RowError(
                    line,
                    str(CLUSTER_COLUMNS[1].label),
                    _("%(commune)s has no %(hamlet)s with the code “%(code)s”.")
                    % {
                        "commune": commune,
                        "hamlet": hamlet_word(),
                        "code": row["hamlet"],
                    },
                )
            )
        elif actor is not None and not scope.can(
            actor, Capability.MANAGE_DEVICES, area
        ):
            errors.append(
                tabular.RowError(
                    line,
                    str(CLUSTER_COLUMNS[0].label),
                    _("You may not register clusters in %(area)s.") % {"area": area},
                )
            )
        old = existing.get(row["code"])
        if (
            old is not None
            and actor is not None
            and not scope.can(actor, Capability.MANAGE_DEVICES, old.area)
        ):
            errors.append(
                tabular.RowError(
                    line,
                    str(CLUSTER_COLUMNS[2].label),
                    _("The code “%(code)s” belongs to a cluster outside your area.")
                    % {"code": row["code"]},
                )
            )
        if row["code"] in seen:
            errors.append(
                tabular.RowError(
                    line,
                    str(CLUSTER_COLUMNS[2].label),
                    _("The code “%(code)s” is already used on line %(line)d.")
                    % {"code": row["code"], "line": seen[row["code"]]},
                )
            )
        seen.setdefault(row["code"], line)
        if (row["latitude"] is None) != (row["longitude"] is None):
            errors.append(
                tabular.RowError(
                    line,
                    str(CLUSTER_COLUMNS[4].label),
                    _("Give both latitude and longitude, or neither."),
                )
            )
        if also_check is not None:
            errors += also_check(line, row, old)
        return errors

    table = tabular.validate(tabular.read_rows(file), CLUSTER_COLUMNS, check)
    result = ImportResult()
    for line, row in table.rows:
        area = area_of(row)
        assert area is not None  # noqa: S101 - checked above
        commune = commune_of(row["commune"])
        station = default_station(commune)  # type: ignore[arg-type]
        fields = {
            name: row[name]
            for name in CLUSTER_FIELDS
            if name in row and name != "notes"
        }
        old = existing.get(row["code"])
        if old is not None:
            same = old.area_id == area.pk and all(
                getattr(old, k) == v for k, v in fields.items()
            )
            if same and old.state == row["state"]:
                result.unchanged += 1
                result.rows.append((line, old, "unchanged"))
                continue
            cluster = save_cluster(
                actor,
                station=station,
                area=area,
                code=row["code"],
                cluster=old,
                **fields,
            )
            result.updated += 1
            result.rows.append((line, cluster, "updated"))
        else:
            cluster = save_cluster(
                actor, station=station, area=area, code=row["code"], **fields
            )
            result.created += 1
            result.rows.append((line, cluster, "created"))
        if cluster.state != row["state"]:
            set_cluster_state(actor, cluster, row["state"])
    audit.record(
        "loudspeakers.import_clusters",
        actor,
        data={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
        object_repr=_("Loudspeaker cluster import"),
    )
    return result
