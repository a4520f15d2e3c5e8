"""Keep the Vietnamese catalogue of the staff console's third-party strings.

Wagtail, django-otp, django-axes, django-filter and django-taggit ship no (or an
almost empty) Vietnamese catalogue, so the console would be mostly English. Their
strings are translated once, in ``grassroots/locale/vi/LC_MESSAGES/``, which
``LOCALE_PATHS`` puts ahead of every app's own catalogue.

    .venv/bin/python scripts/console_catalogue.py sync     # add new msgids after an upgrade
    .venv/bin/python scripts/console_catalogue.py export [--all] [--start N] [--count N]
    .venv/bin/python scripts/console_catalogue.py apply FILE   # lines "ID translation" ("=" takes Wagtail's)
    .venv/bin/python scripts/console_catalogue.py check    # exit 1 if anything is missing

A development tool only (it needs polib, from the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "grassroots" / "locale" / "vi" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
# Packages without an English source catalogue: the newest of their locales
# gives the msgids.
OTHER_PACKAGES = ("django_otp", "axes", "django_filters", "taggit")

PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]"
    r"|\{[A-Za-z_0-9.]*\}|__[A-Z_]+__"
)
#: The comment of an entry that overrides a string Django itself translates
#: (wrongly or stalely): ``sync`` keeps it although Django's catalogue has one.
OVERRIDE = "django override"
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")
    import django

    django.setup()


def source_catalogues(domain: str) -> Iterator[tuple[str, Path, Path | None]]:
    """Yield (label, source .po, Django's own vi .po or None) in catalogue order.

    With a vi .po given, only the msgids that catalogue leaves untranslated are
    taken (Django's own Vietnamese is complete enough; Wagtail's is not).
    """
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("wagtail"):
            continue
        path = Path(config.path) / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            yield config.name, path, None
    if domain != "django":
        return
    import importlib

    for package in OTHER_PACKAGES:
        module = importlib.import_module(package)
        locale = Path(module.__file__).parent / "locale"
        english = locale / "en" / "LC_MESSAGES" / "django.po"
        if english.exists():
            yield package, english, None
            continue
        candidates = sorted(
            locale.glob("*/LC_MESSAGES/django.po"),
            key=lambda p: polib.pofile(str(p)).metadata.get("POT-Creation-Date", ""),
        )
        if candidates:
            yield package, candidates[-1], None
    import django

    django_dir = Path(django.__file__).parent
    own = [("django", django_dir / "conf")]
    for config in apps.get_app_configs():
        if config.name.startswith("django.contrib."):
            own.append((config.name, Path(config.path)))
    for label, base in own:
        english = base / "locale" / "en" / "LC_MESSAGES" / "django.po"
        vietnamese = base / "locale" / "vi" / "LC_MESSAGES" / "django.po"
        if english.exists():
            yield label, english, vietnamese if vietnamese.exists() else None


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def _translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags or entry.obsolete:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def wanted_entries(domain: str) -> list[tuple[str, polib.POEntry]]:
    """Return (label, source entry) for every msgid our catalogue must translate."""
    seen: set[tuple[str, str]] = set()
    result = []
    for label, path, vietnamese in source_catalogues(domain):
        done: set[tuple[str, str]] = set()
        if vietnamese is not None:
            done = {_key(e) for e in polib.pofile(str(vietnamese)) if _translated(e)}
        for entry in polib.pofile(str(path)):
            key = _key(entry)
            if entry.obsolete or not entry.msgid or key in seen or key in done:
                continue
            seen.add(key)
            result.append((label, entry))
    return result


def catalogue_path(domain: str) -> Path:
    return CATALOGUE_DIR / f"{domain}.po"


def load(domain: str) -> polib.POFile:
    path = catalogue_path(domain)
    return polib.pofile(str(path), wrapwidth=79) if path.exists() else new_po()


def new_po() -> polib.POFile:
    po = polib.POFile(wrapwidth=79)
    po.metadata = {
        "Project-Id-Version": "grassroots",
        "Language": "vi",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return po


def sync() -> None:
    """Rebuild each catalogue in source order, keeping every translation made."""
    for domain in DOMAINS:
        old = load(domain)
        header = old.header  # the glossary, written by hand
        existing = {_key(e): e for e in old if not e.obsolete}
        po = new_po()
        po.header = header
        for label, source in wanted_entries(domain):
            entry = polib.POEntry(
                msgctxt=source.msgctxt,
                msgid=source.msgid,
                msgid_plural=source.msgid_plural,
                comment=label,
            )
            kept = existing.pop(_key(source), None)
            if source.msgid_plural:
                entry.msgstr_plural = {0: kept.msgstr_plural.get(0, "") if kept else ""}
            else:
                entry.msgstr = kept.msgstr if kept else ""
            po.append(entry)
        for gone in existing.values():
            if gone.comment.startswith(OVERRIDE) and _translated(gone):
                po.append(gone)  # a Django string whose own Vietnamese is wrong
            elif _translated(gone):
                gone.obsolete = True
                po.append(gone)
        CATALOGUE_DIR.mkdir(parents=True, exist_ok=True)
        po.save(str(catalogue_path(domain)))
        missing = [e for e in po if not e.obsolete and not _translated(e)]
        print(f"{domain}: {len(po)} entries, {len(missing)} untranslated")


def wagtail_suggestions(domain: str) -> dict[tuple[str, str], str]:
    """Return the translations Wagtail's own (partial) vi catalogues offer."""
    suggestions = {}
    for _label, path, _ in source_catalogues(domain):
        vietnamese = Path(str(path).replace("/en/LC_MESSAGES/", "/vi/LC_MESSAGES/"))
        if "/en/LC_MESSAGES/" not in str(path) or not vietnamese.exists():
            continue
        for entry in polib.pofile(str(vietnamese)):
            if _translated(entry):
                text = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
                suggestions.setdefault(_key(entry), text)
    return suggestions


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\nt])", lambda m: {"n": "\n", "t": "\t"}.get(m[1], "\\"), text)


def export(everything: bool, start: int, count: int) -> None:
    """Print entries to translate, numbered D:N (domain initial, index)."""
    shown = 0
    for domain in DOMAINS:
        po = load(domain)
        suggestions = wagtail_suggestions(domain)
        for index, entry in enumerate(po):
            if entry.obsolete or index < start and domain == "django":
                continue
            if not everything and _translated(entry):
                continue
            if shown >= count:
                return
            shown += 1
            print(
                f"### {domain[-2:] if domain == 'djangojs' else 'dj'}:{index} [{entry.comment}]"
            )
            if entry.msgctxt:
                print(f"ctx: {entry.msgctxt}")
            print(f"en: {_escape(entry.msgid)}")
            if entry.msgid_plural:
                print(f"pl: {_escape(entry.msgid_plural)}")
            current = (
                entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
            )
            if current:
                print(f"vi: {_escape(current)}")
            suggestion = suggestions.get(_key(entry))
            if suggestion and suggestion != current:
                print(f"wagtail-vi: {_escape(suggestion)}")


def problems(entry: polib.POEntry, text: str) -> list[str]:
    """Return why ``text`` cannot stand for ``entry`` (placeholders, tags)."""
    found = []
    source = entry.msgid_plural or entry.msgid
    expected = sorted(PLACEHOLDER.findall(source))
    allowed = set(PLACEHOLDER.findall(entry.msgid)) | set(expected)
    got = sorted(PLACEHOLDER.findall(text))
    positional = [p for p in expected if not p.startswith(("%(", "{"))]
    if positional or not entry.msgid_plural:
        if got != expected:
            found.append(f"placeholders {got} != {expected}")
    elif not set(expected) <= set(got) or not set(got) <= allowed:
        found.append(f"placeholders {got} != {expected}")
    if sorted(TAG.findall(text)) != sorted(TAG.findall(source)):
        found.append("HTML tags differ")
    if text != text.strip() and source == source.strip():
        found.append("leading/trailing space")
    return found


def apply(path: Path) -> None:
    """Merge "ID translation" lines into the catalogues, refusing bad ones."""
    catalogues = {"dj": load("django"), "js": load("djangojs")}
    applied = 0
    failed = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        ident, _, text = line.strip().partition(" ")
        domain, _, index = ident.partition(":")
        try:
            entry = catalogues[domain][int(index)]
        except (KeyError, ValueError, IndexError):
            print(f"{path}:{number}: unknown id {ident!r}")
            failed += 1
            continue
        text = _unescape(text.strip())
        if text == "=":
            text = wagtail_suggestions("django" if domain == "dj" else "djangojs").get(
                _key(entry), ""
            )
        # Keep the spaces the source starts or ends with ("Status: ").
        if text:
            source = entry.msgid
            text = source[: len(source) - len(source.lstrip())] + text.strip()
            text += source[len(source.rstrip()) :]
        issues = problems(entry, text) if text else ["empty"]
        if issues:
            print(f"{path}:{number}: {ident} {entry.msgid[:60]!r}: {'; '.join(issues)}")
            failed += 1
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        applied += 1
    for domain, po in catalogues.items():
        po.save(str(catalogue_path("django" if domain == "dj" else "djangojs")))
    print(f"applied {applied}, refused {failed}")


def check() -> int:
    """Report untranslated entries and broken placeholders; return the count."""
    bad = 0
    for domain in DOMAINS:
        po = load(domain)
        wanted = {_key(e) for _, e in wanted_entries(domain)}
        have = {_key(e) for e in po if not e.obsolete}
        for ctx, msgid in sorted(wanted - have):
            print(f"{domain}: not in catalogue (run sync): {ctx}|{msgid[:70]!r}")
            bad += 1
        for entry in po:
            if entry.obsolete:
                continue
            if not _translated(entry):
                print(f"{domain}: untranslated: {entry.msgid[:70]!r}")
                bad += 1
                continue
            text = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
            for issue in problems(entry, text):
                print(f"{domain}: {entry.msgid[:60]!r}: {issue}")
                bad += 1
    for message in app_conflicts():
        print(message)
        bad += 1
    print(f"{bad} problem(s)")
    return bad


def app_conflicts() -> list[str]:
    """Return msgids our apps translate differently from this catalogue.

    LOCALE_PATHS wins over the apps' own catalogues, so a different translation
    in an app would silently never show: align it, or give the app's string a
    context (pgettext) of its own.
    """
    ours = {}
    for entry in load("django"):
        if not entry.obsolete and _translated(entry):
            ours[_key(entry)] = _text(entry)
    found = []
    for path in sorted((ROOT / "grassroots").glob("*/locale/vi/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)):
            theirs = ours.get(_key(entry))
            if theirs is not None and _translated(entry) and _text(entry) != theirs:
                found.append(
                    f"{path.relative_to(ROOT)}: {entry.msgid!r} is {_text(entry)!r}"
                    f" there but {theirs!r} in the console catalogue"
                )
    return found


def _text(entry: polib.POEntry) -> str:
    return entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("sync")
    exporting = commands.add_parser("export")
    exporting.add_argument("--all", action="store_true")
    exporting.add_argument("--start", type=int, default=0)
    exporting.add_argument("--count", type=int, default=10_000)
    applying = commands.add_parser("apply")
    applying.add_argument("file", type=Path)
    commands.add_parser("check")
    args = parser.parse_args()
    _setup_django()
    if args.command == "sync":
        sync()
    elif args.command == "export":
        export(args.all, args.start, args.count)
    elif args.command == "apply":
        apply(args.file)
    else:
        sys.exit(1 if check() else 0)


if __name__ == "__main__":
    main()
