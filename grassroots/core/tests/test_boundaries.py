"""House rules the import linter cannot see: one definition of "in service",
and SQL written by hand only on the app's own tables."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]

#: The modules that run SQL by hand, each on its own app's tables only
#: (bulk updates and probes too slow through the ORM at national scale).
RAW_SQL = {
    "accounts/checks.py",  # the audit table's append-only trigger
    "accounts/audit_triggers.py",  # the audit table's append-only triggers
    "accounts/management/commands/flush.py",  # lifts those triggers for a flush
    "core/backup.py",  # row counts of every table: the whole installation is backed up
    "core/health.py",  # SELECT 1: is the database up
    "bulletins/search.py",  # the bulletins' full-text index
    "core/views.py",  # SELECT 1: is the database up
    "dissemination/coverage.py",  # dissemination's own coverage rows
    "loudspeakers/actions/reports.py",  # cluster statuses
    "loudspeakers/selectors.py",  # play events
    "training/indicators.py",  # officials and their attendances
}
SQL_CALL = re.compile(r"cursor\.execute|\.raw\(|\.extra\(|RawSQL\(")


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_only_the_registry_knows_what_retired_means():
    """Other apps ask loudspeakers.selectors (in_service, is_in_service)."""
    offenders = [
        name
        for name, text in _sources()
        if "ClusterState.RETIRED" in text and not name.startswith("loudspeakers/")
    ]
    assert offenders == []


def test_sql_by_hand_stays_in_the_listed_modules():
    found = {name for name, text in _sources() if SQL_CALL.search(text)}
    assert found <= RAW_SQL, sorted(found - RAW_SQL)
    assert found == RAW_SQL  # a module that stopped needing it leaves the list


def test_play_ids_are_spelt_only_by_their_owner():
    """``bul:`` and ``live:`` ids are built and read by loudspeakers.playables."""
    spelt = re.compile(r"""["']f?(bul|live):""")
    offenders = [
        name
        for name, text in _sources()
        if name != "loudspeakers/playables.py" and spelt.search(text)
    ]
    assert offenders == []
