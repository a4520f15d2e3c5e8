"""The fleet's indicators, checked against a hand-built registry and its history.

Province P: commune A (hamlets a1, a2), commune B (b1, b2), and a dissolved
commune; province O: one commune.

- c1 in a1, installed 10/01/2024; c2 in a1, installed 01/06/2024;
- c3 in a2, installed 01/03/2025, retired from 15/09/2025;
- d1 in commune B itself, installed 01/02/2024, in maintenance from 10/05/2025;
- e1 in O's commune, installed 01/01/2024;
- x1 in the dissolved commune (never counted).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grassroots.indicators import registry, service, snapshots
from grassroots.indicators.models import Snapshot
from grassroots.loudspeakers import actions
from grassroots.loudspeakers.actions.registry import default_station
from grassroots.loudspeakers.models import ClusterChange, ClusterState
from grassroots.testing import make_area

D = datetime.date
YEAR = (D(2025, 1, 1), D(2025, 12, 31))


def register(area, code, installed_on):
    commune = area if area.level == 3 else area.parent
    return actions.save_cluster(
        None,
        station=default_station(commune),
        area=area,
        code=code,
        installed_on=installed_on,
    )


@pytest.fixture
def fleet(tree):
    dissolved = make_area(tree.province, is_active=False)
    clusters = {
        "c1": register(tree.hamlet_a1, "c1", D(2024, 1, 10)),
        "c2": register(tree.hamlet_a1, "c2", D(2024, 6, 1)),
        "c3": register(tree.hamlet_a2, "c3", D(2025, 3, 1)),
        "d1": register(tree.commune_b, "d1", D(2024, 2, 1)),
        "e1": register(tree.other_commune, "e1", D(2024, 1, 1)),
        "x1": register(dissolved, "x1", D(2024, 1, 1)),
    }
    actions.set_cluster_state(
        None, clusters["c3"], ClusterState.RETIRED, since=D(2025, 9, 15)
    )
    actions.set_cluster_state(
        None, clusters["d1"], ClusterState.MAINTENANCE, since=D(2025, 5, 10)
    )
    return clusters


def read(code, area, end):
    m = registry.get(code).compute(area, D(end.year, 1, 1), end)
    return m.numerator, m.denominator, m.value


def test_province_at_the_end_of_2025(tree, fleet):
    """Only A has an active cluster (B's is in maintenance); a1 alone is covered."""
    end = D(2025, 12, 31)
    assert read("ip_stations", tree.province, end) == (1, 2, Decimal("50.0"))
    assert read("clusters_per_station", tree.province, end) == (2, 1, Decimal("2.0"))
    assert read("hamlet_coverage", tree.province, end) == (1, 4, Decimal("25.0"))


def test_province_in_april_2025_reads_the_history(tree, fleet):
    """c3 not yet retired, d1 not yet in maintenance."""
    end = D(2025, 4, 30)
    assert read("ip_stations", tree.province, end) == (2, 2, Decimal("100.0"))
    assert read("clusters_per_station", tree.province, end) == (4, 2, Decimal("2.0"))
    assert read("hamlet_coverage", tree.province, end) == (2, 4, Decimal("50.0"))


def test_a_cluster_counts_from_its_installation_day(tree, fleet):
    assert read("ip_stations", tree.province, D(2024, 1, 9)) == (0, 2, Decimal("0.0"))
    end = D(2024, 1, 31)
    assert read("ip_stations", tree.province, end) == (1, 2, Decimal("50.0"))
    assert read("clusters_per_station", tree.province, end) == (1, 1, Decimal("1.0"))
    assert read("hamlet_coverage", tree.province, end) == (1, 4, Decimal("25.0"))


def test_communes_and_hamlets(tree, fleet):
    end = D(2025, 12, 31)
    assert read("ip_stations", tree.commune_a, end) == (1, 1, Decimal("100.0"))
    assert read("ip_stations", tree.commune_b, end) == (0, 1, Decimal("0.0"))
    assert read("clusters_per_station", tree.commune_b, end) == (0, 0, None)
    assert read("hamlet_coverage", tree.commune_a, end) == (1, 2, Decimal("50.0"))
    assert read("hamlet_coverage", tree.hamlet_a1, end) == (1, 1, Decimal("100.0"))
    assert read("hamlet_coverage", tree.hamlet_a2, end) == (0, 1, Decimal("0.0"))
    assert read("hamlet_coverage", tree.hamlet_a2, D(2025, 4, 30))[2] == 100


def test_the_whole_country_adds_every_province(tree, fleet):
    end = D(2025, 12, 31)
    assert read("ip_stations", None, end) == (2, 3, Decimal("66.7"))
    assert read("clusters_per_station", None, end) == (3, 2, Decimal("1.5"))
    assert read("hamlet_coverage", None, end) == (1, 4, Decimal("25.0"))
    for code in ("ip_stations", "clusters_per_station", "hamlet_coverage"):
        got = service.measure(registry.get(code), None, *YEAR)
        assert read(code, None, end)[:2] == (got.numerator, got.denominator)


def test_grouped_computation_gives_the_same_values(tree, fleet):
    areas = [
        tree.province,
        tree.commune_a,
        tree.commune_b,
        tree.other_province,
        tree.hamlet_a1,
        tree.hamlet_b2,
    ]
    for code in ("ip_stations", "clusters_per_station", "hamlet_coverage"):
        indicator = registry.get(code)
        for end in (D(2024, 12, 31), D(2025, 4, 30), D(2025, 12, 31)):
            many = indicator.compute_many(areas, D(2024, 1, 1), end)
            for area in areas:
                one = indicator.compute(area, D(2024, 1, 1), end)
                assert (many[area.pk].numerator, many[area.pk].denominator) == (
                    one.numerator,
                    one.denominator,
                ), (code, area, end)


def test_a_move_keeps_the_past(tree, fleet):
    """c2 moves to a2 today: a2 is covered now, not at the end of 2025."""
    c2 = fleet["c2"]
    actions.save_cluster(
        None,
        station=c2.station,
        area=tree.hamlet_a2,
        code="c2",
        cluster=c2,
        installed_on=c2.installed_on,
    )
    today = datetime.date.today()  # noqa: DTZ011 - the indicator's "today" is a date
    assert read("hamlet_coverage", tree.hamlet_a2, today)[:2] == (1, 1)
    assert read("hamlet_coverage", tree.hamlet_a2, D(2025, 12, 31))[:2] == (0, 1)


def test_a_corrected_installation_date_moves_the_start(tree, fleet):
    c1 = fleet["c1"]
    actions.save_cluster(
        None,
        station=c1.station,
        area=c1.area,
        code="c1",
        cluster=c1,
        installed_on=D(2023, 12, 1),
    )
    assert read("ip_stations", tree.commune_a, D(2023, 12, 31))[:2] == (1, 1)


def test_a_late_change_drops_the_snapshots_and_changes_the_past(tree, fleet):
    indicator = registry.get("ip_stations")
    snapshots.refresh(history=36, codes=["ip_stations"])
    stored = Snapshot.objects.filter(
        indicator="ip_stations", area=tree.province, month=D(2025, 11, 1)
    )
    assert stored.exists()
    got = service.measure(indicator, tree.province, D(2025, 11, 1), D(2025, 11, 30))
    assert (got.numerator, got.denominator) == (1, 2)
    actions.set_cluster_state(
        None, fleet["c1"], ClusterState.MAINTENANCE, since=D(2025, 11, 5)
    )
    actions.set_cluster_state(
        None, fleet["c2"], ClusterState.MAINTENANCE, since=D(2025, 11, 5)
    )
    assert not stored.exists()
    got = service.measure(indicator, tree.province, D(2025, 11, 1), D(2025, 11, 30))
    assert (got.numerator, got.denominator) == (0, 2)
    # The other province's snapshots are untouched.
    assert Snapshot.objects.filter(
        indicator="ip_stations", area=tree.other_province, month=D(2025, 11, 1)
    ).exists()


def test_a_change_cannot_be_dated_in_the_future_or_before_the_last_one(tree, fleet):
    with pytest.raises(ValidationError):
        actions.set_cluster_state(
            None, fleet["c1"], ClusterState.RETIRED, since=D(2099, 1, 1)
        )
    with pytest.raises(ValidationError):
        actions.set_cluster_state(
            None, fleet["c3"], ClusterState.ACTIVE, since=D(2025, 9, 1)
        )


def test_two_changes_on_one_day_leave_the_days_final_state(tree, fleet):
    c1 = fleet["c1"]
    actions.set_cluster_state(None, c1, ClusterState.MAINTENANCE)
    actions.set_cluster_state(None, c1, ClusterState.ACTIVE)
    entries = list(ClusterChange.objects.filter(cluster=c1).order_by("effective_on"))
    assert [e.state for e in entries][-1] == ClusterState.ACTIVE
    assert len({e.effective_on for e in entries}) == len(entries)


def test_the_map_shows_clusters_coloured_by_state(tree, fleet, django_user_model):
    from grassroots.indicators import maps

    for code, lat in (("c1", 10.45), ("d1", 10.5)):
        cluster = fleet[code]
        cluster.refresh_from_db()
        actions.save_cluster(
            None,
            station=cluster.station,
            area=cluster.area,
            code=code,
            cluster=cluster,
            latitude=lat,
            longitude=105.6,
        )
    admin = django_user_model.objects.create_superuser("root", "", "x-long-pass-1")
    layer = next(
        layer
        for layer in maps.layers(tree.province, admin)
        if layer["code"] == "clusters"
    )
    colours = {f["label"]: f["colour"] for f in layer["features"]}
    assert colours == {
        "c1": maps.STATUS_COLOURS["behind"],  # active but not online
        "d1": maps.STATUS_COLOURS["near"],  # maintenance
    }
