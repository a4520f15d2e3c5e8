"""Generators of the national data set that bench/dashboard.py times the dashboard on.

Each generator is one function ``generate_<what>(args, rng)`` listed in
:data:`GENERATORS`; it does nothing when its data is already there (so the
bench can be run again without ``--fresh``), and ``FRESH`` lists the models
``--fresh`` empties. Large tables go in with PostgreSQL's COPY
(:func:`copy_into`); on SQLite the same rows go through ``bulk_create``.
A later generator (the dissemination coverage table, programme items) is one
more function and one more line in GENERATORS.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from grassroots.areas.models import Area, Level
from grassroots.boards.models import Board, BoardChange, BoardState, Place
from grassroots.feedback.models import Category, Feedback
from grassroots.loudspeakers.models import (
    Cluster,
    ClusterChange,
    ClusterState,
    ClusterStatus,
    PlayEvent,
    Station,
)
from grassroots.training.models import (
    Attendance,
    Course,
    Official,
    Status,
    Topic,
    TrainingSession,
)
from grassroots.training.models import (
    Category as OfficialCategory,
)

D = datetime.date
TZ = datetime.timezone(datetime.timedelta(hours=7))
#: The generated history starts here; the bench's periods are 2025 and this year.
FIRST_DAY = D(2024, 1, 1)


def _days_until_today() -> int:
    return (timezone.localdate() - FIRST_DAY).days


def copy_into(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = 20000,
) -> int:
    """Insert ``rows`` (values of ``columns``, attnames) into the model's table.

    Every other column gets the field's default, as ``Model()`` would, so NOT
    NULL columns without a database default are filled. PostgreSQL: one COPY
    stream. Elsewhere: ``bulk_create`` in batches. Return the number of rows.
    """
    meta = model._meta
    fields = [
        f for f in meta.concrete_fields if not f.primary_key or f.attname in columns
    ]
    given = {name: i for i, name in enumerate(columns)}
    now = timezone.now()

    def default(field) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        value = field.get_default()
        if isinstance(value, list | dict):
            return field.get_db_prep_value(value, connection)
        return value

    defaults = [None if f.attname in given else default(f) for f in fields]
    picks = [(i, given[f.attname]) for i, f in enumerate(fields) if f.attname in given]
    count = 0
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {meta.db_table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    out = list(defaults)
                    for target, source in picks:
                        out[target] = row[source]
                    copy.write_row(out)
                    count += 1
        return count
    chunk = []
    for row in rows:
        chunk.append(model(**{name: row[i] for name, i in given.items()}))
        if len(chunk) >= batch:
            model.objects.bulk_create(chunk)
            count += len(chunk)
            chunk = []
    model.objects.bulk_create(chunk)
    return count + len(chunk)


def generate_training(args: argparse.Namespace, rng: random.Random) -> None:
    """A roster for every unit, courses per province, sessions and results 2024–2026."""
    if Official.objects.exists():
        return
    units = list(Area.objects.filter(is_active=True, level__lte=Level.HAMLET))
    officials = []
    for unit in units:
        count = args.people if unit.level <= Level.COMMUNE else 1
        for i in range(count):
            officials.append(
                Official(
                    area=unit,
                    code=f"B{i:03d}",
                    full_name=f"Nguyễn Văn {rng.randint(1, 99999)}",
                    category=OfficialCategory.COLLABORATOR
                    if unit.level == Level.HAMLET
                    else OfficialCategory.OFFICIAL,
                    needs_training=rng.random() < 0.95,
                    left_on=D(2025, 6, 30) if rng.random() < 0.03 else None,
                )
            )
    Official.objects.bulk_create(officials, batch_size=5000)
    ids_by_province: dict[str, list[int]] = {}
    for pk, path in Official.objects.values_list("pk", "area__path"):
        ids_by_province.setdefault(path.split("/", 1)[0], []).append(pk)
    attendances = []
    for province in Area.objects.provinces():
        courses = [
            Course.objects.create(area=province, title=f"Khóa {topic}", topic=topic)
            for topic in Topic.values
        ]
        members = ids_by_province.get(province.code, [])
        for month in range(0, 30, 3):
            start = D(2024 + month // 12, month % 12 + 1, 10)
            session = TrainingSession.objects.create(
                course=courses[month % len(courses)],
                area=province,
                starts_on=start,
                ends_on=start + datetime.timedelta(days=2),
                place="Hội trường",
                trainer="Giảng viên",
            )
            for pk in rng.sample(members, k=len(members) // 3):
                done = rng.random() < 0.85
                attendances.append(
                    Attendance(
                        session=session,
                        official_id=pk,
                        status=Status.COMPLETED if done else Status.ATTENDED,
                        completed_on=session.ends_on if done else None,
                    )
                )
    Attendance.objects.bulk_create(attendances, batch_size=5000)


def _hamlets_by_commune() -> list[tuple[Area, list[int]]]:
    hamlets: dict[int, list[int]] = {}
    for pk, parent in Area.objects.hamlets().active().values_list("pk", "parent_id"):
        hamlets.setdefault(parent, []).append(pk)
    communes = Area.objects.communes().active().order_by("path")
    return [(c, hamlets.get(c.pk, [])) for c in communes]


def generate_clusters(args: argparse.Namespace, rng: random.Random) -> None:
    """Stations in 97% of communes, ``--clusters`` clusters in their hamlets, with history.

    Installed between 2024 and now; 5% in maintenance and 3% retired since a
    later day; 70% of the active ones online.
    """
    if Cluster.objects.exists() or not args.clusters:
        return
    communes = [(c, h) for c, h in _hamlets_by_commune() if rng.random() < 0.97]
    Station.objects.bulk_create(
        [Station(commune=c, name=f"Đài truyền thanh {c.name}") for c, _h in communes],
        batch_size=5000,
    )
    stations = dict(Station.objects.values_list("commune_id", "pk"))
    span = _days_until_today()
    plan = []
    for n in range(args.clusters):
        commune, hamlets = communes[n % len(communes)]
        area = rng.choice(hamlets) if hamlets and rng.random() < 0.95 else commune.pk
        installed = FIRST_DAY + datetime.timedelta(days=int(span * rng.random() ** 2))
        roll = rng.random()
        state = (
            ClusterState.MAINTENANCE
            if roll < 0.05
            else ClusterState.RETIRED
            if roll < 0.08
            else ClusterState.ACTIVE
        )
        plan.append((commune.pk, area, installed, state))
    copy_into(
        Cluster,
        ["station_id", "area_id", "code", "name", "installed_on", "state"],
        (
            (stations[c], a, f"C{n:06d}", f"Cụm loa {n}", installed, state)
            for n, (c, a, installed, state) in enumerate(plan)
        ),
    )
    ids = dict(Cluster.objects.values_list("code", "pk"))
    history = []
    statuses = []
    now = timezone.now()
    for n, (commune, area, installed, state) in enumerate(plan):
        pk = ids[f"C{n:06d}"]
        if state == ClusterState.ACTIVE:
            history.append((pk, installed, None, state, area, commune))
            statuses.append((pk, rng.random() < 0.7, now))
        else:
            changed = installed + datetime.timedelta(
                days=rng.randint(0, (timezone.localdate() - installed).days)
            )
            history.append((pk, installed, changed, ClusterState.ACTIVE, area, commune))
            history.append((pk, changed, None, state, area, commune))
            statuses.append((pk, False, now))
    copy_into(
        ClusterChange,
        ["cluster_id", "effective_on", "ended_on", "state", "area_id", "commune_id"],
        history,
    )
    copy_into(ClusterStatus, ["cluster_id", "online", "since"], statuses)


def generate_boards(args: argparse.Namespace, rng: random.Random) -> None:
    """``--boards`` boards: about half at commune offices, the rest in hamlets, with history."""
    if Board.objects.exists() or not args.boards:
        return
    communes = _hamlets_by_commune()
    rng.shuffle(communes)
    at_office = min(len(communes), args.boards // 2)
    span = _days_until_today()
    plan = []
    for n in range(args.boards):
        commune, hamlets = communes[n % len(communes)]
        office = n < at_office
        area = commune.pk if office or not hamlets else rng.choice(hamlets)
        since = FIRST_DAY + datetime.timedelta(days=int(span * rng.random()))
        state = BoardState.ACTIVE if rng.random() < 0.9 else BoardState.MAINTENANCE
        place = Place.OFFICE if office else Place.PUBLIC
        plan.append((commune.pk, area, since, state, place))
    copy_into(
        Board,
        ["code", "name", "area_id", "place", "state", "state_since", "player_token"],
        (
            (f"BD{n:05d}", f"Bảng tin {n}", a, place, state, since, f"bench-{n}")
            for n, (_c, a, since, state, place) in enumerate(plan)
        ),
    )
    ids = dict(Board.objects.values_list("code", "pk"))
    history = []
    for n, (commune, area, since, state, place) in enumerate(plan):
        pk = ids[f"BD{n:05d}"]
        if state != BoardState.ACTIVE:
            history.append(
                (
                    pk,
                    since - datetime.timedelta(days=90),
                    BoardState.ACTIVE,
                    place,
                    area,
                    commune,
                )
            )
        history.append((pk, since, state, place, area, commune))
    copy_into(
        BoardChange,
        ["board_id", "effective_on", "state", "place", "area_id", "commune_id"],
        history,
    )


def generate_play_events(args: argparse.Namespace, rng: random.Random) -> None:
    """``--play-events`` proofs of play spread over the clusters and the months since 2024.

    Written with COPY in one stream; rows are built from a cheap counter
    rather than the random generator, so 10 million take minutes, not hours.
    """
    if PlayEvent.objects.exists() or not args.play_events:
        return
    clusters = list(Cluster.objects.values_list("pk", flat=True))
    if not clusters:
        return
    start = datetime.datetime.combine(FIRST_DAY, datetime.time(6), tzinfo=TZ)
    seconds = int((timezone.now() - start).total_seconds())
    kinds = ["finished"] * 8 + ["started", "failed"]
    count = args.play_events
    step = max(1, seconds // count)
    first = start.timestamp()

    def rows():
        for n in range(count):
            at = datetime.datetime.fromtimestamp(first + n * step, TZ)
            yield (
                clusters[(n * 7919) % len(clusters)],
                f"e{n}",
                kinds[n % 10],
                f"bulletin-{n // 2000}",
                "Bản tin",
                "schedule",
                at,
                at,
            )

    columns = [
        "cluster_id",
        "event_id",
        "kind",
        "item",
        "title",
        "source",
        "at",
        "received_at",
    ]
    with without_indexes(PlayEvent):
        copy_into(PlayEvent, columns, rows())


@contextlib.contextmanager
def without_indexes(model: type[models.Model]) -> Iterator[None]:
    """Drop the model's declared indexes and constraints for a bulk load, then rebuild.

    Keeping two B-trees keyed by cluster up to date row by row turns a COPY of
    millions of rows into random reads; building them afterwards is one sort.
    """
    if connection.vendor != "postgresql":
        yield
        return
    meta = model._meta
    with connection.schema_editor() as editor:
        for index in meta.indexes:
            editor.remove_index(model, index)
        for constraint in meta.constraints:
            editor.remove_constraint(model, constraint)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            for index in meta.indexes:
                editor.add_index(model, index)
            for constraint in meta.constraints:
                editor.add_constraint(model, constraint)


def generate_feedback(args: argparse.Namespace, rng: random.Random) -> None:
    """``--feedback`` citizen feedback items since 2024, 85% answered, most on time."""
    if Feedback.objects.exists() or not args.feedback:
        return
    categories = list(Category.objects.values_list("pk", flat=True))
    communes = list(Area.objects.communes().active().values_list("pk", flat=True))
    if not categories or not communes:
        return
    start = datetime.datetime.combine(FIRST_DAY, datetime.time(8), tzinfo=TZ)
    seconds = int((timezone.now() - start).total_seconds()) - 86400
    count = args.feedback
    step = max(1, seconds // count)
    day = datetime.timedelta(days=1)

    def rows():
        for n in range(count):
            received = start + datetime.timedelta(seconds=n * step)
            due = (received + 10 * day).date()
            roll = rng.random()
            answered = (
                None if roll < 0.15 else received + datetime.timedelta(days=roll * 14)
            )
            yield (
                f"B{n:09d}",
                categories[n % len(categories)],
                "Phản ánh thử nghiệm",
                "web",
                "received" if answered is None else "answered",
                communes[(n * 31) % len(communes)],
                received,
                due,
                answered,
                False,
            )

    copy_into(
        Feedback,
        [
            "code",
            "category_id",
            "description",
            "channel",
            "status",
            "area_id",
            "received_at",
            "due_date",
            "answered_at",
            "show_on_portal",
        ],
        rows(),
    )


#: The generators, in order (later ones may read what earlier ones wrote).
GENERATORS: list[Callable[[argparse.Namespace, random.Random], None]] = [
    generate_training,
    generate_clusters,
    generate_boards,
    generate_play_events,
    generate_feedback,
]

#: What ``--fresh`` empties, children first.
FRESH = [
    Attendance,
    TrainingSession,
    Course,
    Official,
    PlayEvent,
    ClusterStatus,
    ClusterChange,
    Cluster,
    Station,
    BoardChange,
    Board,
    Feedback,
]
