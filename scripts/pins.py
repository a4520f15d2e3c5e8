"""Check requirements/constraints.txt: it installs on every Python we promise, and is safe.

    python scripts/pins.py resolve   # the pins resolve on each supported Python
    python scripts/pins.py audit     # no pin has a known vulnerability with a fix

``resolve`` asks uv to resolve the project (the agent and the dev extra) for
each Python the README names, as pip would install it there: wheels only (but for
the pure-Python sources of ``SOURCE_ONLY``), for Linux x86_64 with Debian
12's C library, markers evaluated for that
Python (pip evaluates them for the Python running it, so ``pip install
--dry-run --python-version`` misses them). It fails when a pin has no wheel
for that Python or needs a newer one (give it a marker or an older release),
when that Python needs a package that has no pin, and when a pin is needed
on none of them.

``audit`` runs pip-audit with PyPI's advisory data over every pin. A
vulnerability with a fixed release fails; one with no fix yet is printed.
Where PyPI gives no advisory data for a release (this workplace's mirror
serves only each project's latest page) it says so in one line.

Both use PyPI (or ``PIP_INDEX_URL``), never this machine's pip configuration,
so they answer here as on a stock machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
BIN = Path(sys.executable).parent
#: The Pythons the README names: Debian 12, Ubuntu 24.04, Debian 13.
PYTHONS = ("3.11.2", "3.12.3", "3.13.5")
#: Debian 12's glibc: a wheel that needs a newer one does not install there.
PLATFORM = "x86_64-manylinux_2_36"
#: The project's own packages, installed from this checkout.
OURS = {"grassroots", "grassroots-agent"}
#: Pure-Python packages published only as a source archive, each with why it is
#: needed: they build anywhere without a compiler, so they are allowed as
#: sources; every other package must come as a wheel.
SOURCE_ONLY = {
    # pywebpush's message encryption (RFC 8188/8291); no release has a wheel.
    "http-ece": "pywebpush",
}


def pins(text: str) -> list[Requirement]:
    """Return the pins of a constraints file (``name==version``, maybe a marker)."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            found.append(Requirement(line))
    return found


def environment(python: str) -> dict[str, str]:
    """Return the marker environment of CPython ``python`` on Linux x86_64."""
    return {
        "python_version": ".".join(python.split(".")[:2]),
        "python_full_version": python,
        "implementation_name": "cpython",
        "implementation_version": python,
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_version": "",
    }


def pins_for(requirements: Iterable[Requirement], python: str) -> dict[str, str]:
    """Return {name: version} of the pins whose marker holds on ``python``."""
    env = environment(python)
    chosen = {}
    for req in requirements:
        if req.marker is None or req.marker.evaluate(env):
            (spec,) = req.specifier
            chosen[canonicalize_name(req.name)] = spec.version
    return chosen


def compare(resolved: Mapping[str, str], pinned: Mapping[str, str]) -> list[str]:
    """Return what is wrong between a resolution and the pins for one Python."""
    problems = []
    for name, version in sorted(resolved.items()):
        if name in OURS:
            continue
        if name not in pinned:
            problems.append(
                f"{name}=={version} is installed but has no pin: add it to "
                "requirements/constraints.txt (with a marker if only this Python needs it)"
            )
        elif pinned[name] != version:
            problems.append(f"{name} resolves to {version}, pinned {pinned[name]}")
    return problems


def _uv(python: str, constraints: Path) -> tuple[dict[str, str] | None, str]:
    """Resolve the project for ``python``; return ({name: version}, '') or (None, why)."""
    with tempfile.TemporaryDirectory() as tmp:
        wanted = Path(tmp) / "project.in"
        wanted.write_text(f"-e {ROOT / 'agent'}\n-e {ROOT}[dev]\n")
        out = Path(tmp) / "resolved.txt"
        command = [
            str(BIN / "uv"),
            "pip",
            "compile",
            "--quiet",
            "--no-config",
            "--no-header",
            "--no-annotate",
            "--system-certs",
            "--python-version",
            python,
            "--python-platform",
            PLATFORM,
            "--only-binary",
            ":all:",
            *[arg for name in sorted(SOURCE_ONLY) for arg in ("--no-binary", name)],
            "--constraint",
            str(constraints),
            str(wanted),
            "--output-file",
            str(out),
        ]
        if os.environ.get("PIP_INDEX_URL"):
            command += ["--index-url", os.environ["PIP_INDEX_URL"]]
        # uv reads none of pip's configuration; it must not read its own either.
        env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
        result = subprocess.run(  # noqa: S603 - our own command line
            command, capture_output=True, text=True, env=env, check=False
        )
        if result.returncode != 0:
            return None, result.stderr.strip()
        resolved = {}
        for line in out.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-e")):
                req = Requirement(line)
                (spec,) = req.specifier
                resolved[canonicalize_name(req.name)] = spec.version
        return resolved, ""


def resolve(constraints: Path = CONSTRAINTS) -> int:
    requirements = pins(constraints.read_text())
    used: set[tuple[str, str]] = set()
    failed = False
    for python in PYTHONS:
        resolved, why = _uv(python, constraints)
        if resolved is None:
            print(f"Python {python}: the pins do not install:\n{why}")
            failed = True
            continue
        problems = compare(resolved, pins_for(requirements, python))
        for problem in problems:
            print(f"Python {python}: {problem}")
        failed |= bool(problems)
        used |= set(resolved.items())
    if not failed:
        unused = sorted(
            f"{r.name}{r.specifier}"
            for r in requirements
            if (canonicalize_name(r.name), next(iter(r.specifier)).version) not in used
        )
        for pin in unused:
            print(f"{pin} is needed on none of Python {', '.join(PYTHONS)}: remove it")
        failed = bool(unused)
    if not failed:
        print(f"Pins: install on Python {', '.join(PYTHONS)}")
    return 1 if failed else 0


def layers(requirements: Iterable[Requirement]) -> list[list[str]]:
    """Split the pins into lists with one version of each package (pip-audit wants that)."""
    result: list[list[str]] = []
    for req in requirements:
        line = f"{req.name}{req.specifier}"
        for layer in result:
            if not any(Requirement(x).name.lower() == req.name.lower() for x in layer):
                layer.append(line)
                break
        else:
            result.append([line])
    return result


def verdict(report: Mapping) -> tuple[list[str], list[str], list[str]]:
    """Read pip-audit's JSON: return (fixable, unfixed, skipped) lines."""
    fixable, unfixed, skipped = [], [], []
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            skipped.append(dep["skip_reason"])
            continue
        name, version = dep["name"], dep["version"]
        for vuln in dep.get("vulns", []):
            ids = ", ".join([vuln["id"], *vuln.get("aliases", [])])
            if vuln.get("fix_versions"):
                fixes = ", ".join(vuln["fix_versions"])
                fixable.append(f"{name} {version}: {ids}; fixed in {fixes}")
            else:
                unfixed.append(f"{name} {version}: {ids}; no fixed release yet")
    return fixable, unfixed, skipped


#: What pip-audit's traceback says when PyPI cannot be reached at all.
NETWORK_ERRORS = ("ConnectionError", "ProxyError", "MaxRetryError", "ReadTimeout")


class Unreachable(Exception):
    """PyPI did not answer: nothing could be audited."""


def _pip_audit(lines: list[str], cache: Path) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write("\n".join(lines) + "\n")
        requirements.flush()
        result = subprocess.run(  # noqa: S603 - our own command line
            [
                str(BIN / "pip-audit"),
                "--requirement",
                requirements.name,
                "--no-deps",
                "--disable-pip",
                "--vulnerability-service",
                "pypi",
                "--format",
                "json",
                "--progress-spinner",
                "off",
                "--cache-dir",
                str(cache),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        return json.loads(result.stdout)
    except ValueError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        if any(word in result.stderr for word in NETWORK_ERRORS):
            raise Unreachable(last[:200]) from None
        raise SystemExit(f"pip-audit failed: {last}") from None


def audit(constraints: Path = CONSTRAINTS) -> int:
    cache = ROOT / "var" / "pip-audit-cache"
    fixable, unfixed, skipped = [], [], []
    for layer in layers(pins(constraints.read_text())):
        try:
            report = _pip_audit(layer, cache)
        except Unreachable as exc:
            print(
                f"pip-audit: PyPI cannot be reached ({exc}); the pins were not audited"
            )
            return 0
        found = verdict(report)
        fixable += found[0]
        unfixed += found[1]
        skipped += found[2]
    for line in fixable:
        print(f"Vulnerable pin: {line}: raise the pin in requirements/constraints.txt")
    for line in unfixed:
        print(f"Known vulnerability, no fix yet: {line}")
    audited = sum(len(layer) for layer in layers(pins(constraints.read_text())))
    if skipped and len(skipped) == audited:
        print(
            f"pip-audit: PyPI gave no advisory data for any of the {audited} pins "
            f"here (e.g. {skipped[0]}); they were not audited"
        )
    elif skipped:
        print(f"pip-audit: not audited: {'; '.join(skipped)}")
    else:
        print(f"pip-audit: {audited} pins, {len(fixable)} with a fixed vulnerability")
    return 1 if fixable else 0


def main(argv: list[str]) -> int:
    commands = {"resolve": resolve, "audit": audit}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__.split("\n\n")[0])
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
