"""The ``grassroots`` command: every management command under one name.

``grassroots import-units --province 82`` runs the ``import_units`` command;
dashes and underscores are the same. ``grassroots`` alone, or ``--help``,
lists this project's own commands in plain words; ``grassroots help --all``
adds Django's and Wagtail's.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

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
    from grassroots.conf import ConfigError

    try:
        _main(argv)
    except KeyboardInterrupt:
        sys.exit(130)  # Ctrl-C is how a person stops a command: no traceback
    except ConfigError as exc:
        # A wrong environment variable is the operator's to fix: name it, no traceback.
        _refuse(f"Configuration error: {exc}. Fix it in the environment and run again.")


def _main(argv: list[str] | None) -> None:
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
    import django
    from django.core.management import execute_from_command_line
    from django.core.management.base import CommandParser, handle_default_options
    from django.db import DatabaseError

    from grassroots.core import schema

    # As Django's own start-up does: --settings and --pythonpath count before
    # setup, which the database check below needs.
    early = CommandParser(add_help=False, allow_abbrev=False)
    early.add_argument("--settings")
    early.add_argument("--pythonpath")
    handle_default_options(early.parse_known_args(args[1:])[0])
    django.setup()
    command = argv[1] if len(argv) > 1 else ""
    if _needs_database(command, args):
        message = schema.problem()
        if message is not None:
            _refuse(message)
    try:
        execute_from_command_line(argv)
    except DatabaseError:
        # Django's and Wagtail's commands are not checked before they run.
        message = schema.problem(migrations=command != "migrate")
        if message is None:
            raise  # the database is ready: a real error, with its traceback
        _refuse(message)


def _needs_database(name: str, args: list[str]) -> bool:
    """Whether command ``name`` must find the database migrated before it starts.

    This project's commands, and Django's that check migrations themselves
    (``createsuperuser``, ``changepassword``), are checked first, so they say
    what to run instead of failing halfway; a command of ours that works
    without the database says so with ``requires_database = False``.
    """
    from django.core.management import get_commands, load_command_class

    app = get_commands().get(name)
    if app is None or "-h" in args or "--help" in args:
        return False
    command = load_command_class(app, name)
    if app.startswith(PROJECT_PREFIX):
        return getattr(command, "requires_database", True)
    return command.requires_migrations_checks


def _refuse(message: str) -> NoReturn:
    sys.stderr.write(message + "\n")
    sys.exit(1)
