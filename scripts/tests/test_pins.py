"""scripts/pins.py: markers per Python, unpinned packages, and pip-audit's verdict."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pins  # noqa: E402

CONSTRAINTS = """\
Django==5.2.19
async-timeout==5.0.1; python_full_version < "3.11.3"
soupsieve==2.10; python_full_version < "3.11.5"
soupsieve==4.1.3; python_full_version >= "3.11.5"
"""


def test_markers_are_read_for_each_python_not_the_one_running():
    requirements = pins.pins(CONSTRAINTS)
    assert pins.pins_for(requirements, "3.11.2") == {
        "django": "5.2.19",
        "async-timeout": "5.0.1",
        "soupsieve": "2.10",
    }
    assert pins.pins_for(requirements, "3.13.5") == {
        "django": "5.2.19",
        "soupsieve": "4.1.3",
    }


def test_a_package_that_only_one_python_pulls_in_must_have_a_pin():
    pinned = pins.pins_for(pins.pins(CONSTRAINTS), "3.12.3")
    resolved = {"django": "5.2.19", "soupsieve": "4.1.3", "async-timeout": "5.0.1"}
    assert pins.compare(resolved, pinned) == [
        "async-timeout==5.0.1 is installed but has no pin: add it to "
        "requirements/constraints.txt (with a marker if only this Python needs it)"
    ]
    del resolved["async-timeout"]
    assert pins.compare({**resolved, "grassroots": "0.1.0"}, pinned) == []


def test_pip_audit_gets_one_version_of_each_package_at_a_time():
    assert pins.layers(pins.pins(CONSTRAINTS)) == [
        ["Django==5.2.19", "async-timeout==5.0.1", "soupsieve==2.10"],
        ["soupsieve==4.1.3"],
    ]


REPORT = {
    "dependencies": [
        {
            "name": "django",
            "version": "5.2.19",
            "vulns": [
                {
                    "id": "PYSEC-2099-1",
                    "aliases": ["CVE-2099-1"],
                    "fix_versions": ["5.2.20"],
                },
                {"id": "GHSA-xxxx", "aliases": [], "fix_versions": []},
            ],
        },
        {"name": "soupsieve", "version": "2.10", "vulns": []},
        {
            "name": "private-thing",
            "skip_reason": "Dependency not found on PyPI and could not be audited",
        },
    ],
    "fixes": [],
}


def test_a_vulnerability_with_a_fixed_release_fails_the_audit(monkeypatch, capsys):
    monkeypatch.setattr(pins, "_pip_audit", lambda lines, cache: REPORT)
    assert pins.audit() == 1
    out = capsys.readouterr().out
    assert (
        "Vulnerable pin: django 5.2.19: PYSEC-2099-1, CVE-2099-1; fixed in 5.2.20"
        in out
    )
    assert "Known vulnerability, no fix yet: django 5.2.19: GHSA-xxxx" in out
    assert "not audited: Dependency not found on PyPI" in out


def test_a_vulnerability_with_no_fix_yet_is_shown_but_does_not_fail(
    monkeypatch, capsys
):
    unfixed = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.19",
                "vulns": [{"id": "GHSA-xxxx", "aliases": [], "fix_versions": []}],
            }
        ]
    }
    monkeypatch.setattr(pins, "_pip_audit", lambda lines, cache: unfixed)
    assert pins.audit() == 0
    assert "no fixed release yet" in capsys.readouterr().out


def test_without_pypi_the_audit_says_so_in_one_line(monkeypatch, capsys):
    def offline(lines, cache):
        raise pins.Unreachable("ConnectionError: pypi.org")

    monkeypatch.setattr(pins, "_pip_audit", offline)
    assert pins.audit() == 0
    assert capsys.readouterr().out.splitlines() == [
        "pip-audit: PyPI cannot be reached (ConnectionError: pypi.org); "
        "the pins were not audited"
    ]
