"""The ``grassroots`` command: every management command under one name.

``grassroots import-units --province 82`` runs the ``import_units`` command;
dashes and underscores are the same. ``grassroots`` alone, or ``--help``,
lists this project's own commands in plain words; ``grassroots help --all``
adds Django's and Wagtail's.
"""

from __future__ import annotations

import os
import sys

PROJECT_PREFIX = "grassroots."


def _project_commands() -> dict[str, str]:
    """Return this project's commands and the first sentence of their help."""
    from django.core.management import get_commands, load_command_class

    commands: dict[str, str] = {}
    for name, app in sorted(get_commands().items()):
        if not app.startswith(PROJECT_PREFIX) and name not in {
            "migrate",
            "createsuperuser",
            "check",
        }:
            continue
        command = load_command_class(app, name)
        first = (command.help or "").split(". ")[0].strip().rstrip(".")
        commands[name.replace("_", "-")] = first
    return commands


def _print_help() -> None:
    import django

    django.setup()
    print("grassroots — the grassroots information system (hệ thống thông tin cơ sở)\n")
    print(
        "Usage: grassroots COMMAND [options]     (grassroots COMMAND --help for its options)\n"
    )
    print("Commands:")
    commands = _project_commands()
    width = max(len(n) for n in commands)
    for name, text in commands.items():
        print(f"  {name.ljust(width)}  {text}")
    print("\nDjango's and Wagtail's own commands too: grassroots help --all")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.dev")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "grassroots"
    args = argv[1:]
    if not args or args in (["--help"], ["-h"], ["help"]):
        _print_help()
        return
    if args[:2] == ["help", "--all"]:
        argv = [argv[0], "help"]
    elif not args[0].startswith("-"):
        argv[1] = args[0].replace("-", "_")
        if args[0] == "help" and len(args) > 1:
            argv[2] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
