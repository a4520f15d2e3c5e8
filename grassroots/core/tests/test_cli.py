import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from grassroots.areas.models import Area


def test_help_lists_the_project_commands_in_plain_words():
    result = subprocess.run(
        [sys.executable, "-m", "grassroots", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "import-units" in result.stdout and "import-hamlets" in result.stdout
    assert "Import provinces and communes from the official catalogue" in result.stdout


def test_dashed_names_run_the_command(db, capsys):
    call_command("import_units", province=[82])
    assert Area.objects.communes().count() == 102
    result = subprocess.run(
        [sys.executable, "-m", "grassroots", "import-hamlets", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "The whole file is checked first" in " ".join(result.stdout.split())


def _fresh_env(tmp_path) -> dict[str, str]:
    """The environment of a fresh checkout: no database made yet."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return {**env, "GRASSROOTS_DATA_DIR": str(tmp_path)}


def _fresh(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """Run ``grassroots ARGS`` as on a fresh checkout."""
    return subprocess.run(
        [sys.executable, "-m", "grassroots", *args],
        env=_fresh_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tts_normalize_needs_no_database(tmp_path):
    result = _fresh(tmp_path, "tts", "normalize", "UBND xã họp lúc 7h30 ngày 15/3")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Ủy ban nhân dân xã" in result.stdout and "bảy giờ ba mươi" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["load-demo"],
        ["run", "--devices", "0"],
        ["createsuperuser", "--no-input", "--username", "admin"],
        ["tts", "render", "Họp dân", "-o", "hop-dan.mp3"],
        # Django's own commands are not checked first; the error is explained.
        [
            "shell",
            "-c",
            "from grassroots.areas.models import Area; Area.objects.count()",
        ],
    ],
    ids=lambda args: args[0] if args[0] != "tts" else "tts-render",
)
def test_commands_that_need_the_database_say_to_migrate_first(tmp_path, args):
    result = _fresh(tmp_path, *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "run `grassroots migrate` first" in lines[0]


def test_a_province_asked_for_before_migrate_is_refused_in_one_line(tmp_path):
    result = _fresh(tmp_path, "tts", "normalize", "--province", "82", "Họp dân")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: The database is not set up yet: run `grassroots migrate` "
        "first (`make run` does it and loads the demo)."
    ]


def test_ctrl_c_stops_a_command_without_a_traceback(tmp_path):
    command = subprocess.Popen(
        # Waits for the text on standard input, which never comes.
        [sys.executable, "-m", "grassroots", "tts", "normalize", "-"],
        env=_fresh_env(tmp_path),
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1)  # not a timing assertion: Ctrl-C may come at any moment
        command.send_signal(signal.SIGINT)
        _, stderr = command.communicate(timeout=120)
    finally:
        command.kill()
    assert command.returncode == 130
    assert "Traceback" not in stderr


def test_the_settings_option_chooses_the_settings(tmp_path):
    result = _fresh(tmp_path, "diffsettings", "--settings", "grassroots.settings.test")
    assert result.returncode == 0, result.stderr
    assert "MD5PasswordHasher" in result.stdout


def test_a_wrong_setting_is_named_in_one_line_without_a_traceback(tmp_path):
    env = _fresh_env(tmp_path) | {"GRASSROOTS_BROADCAST_SLOTS": "25:00"}
    result = subprocess.run(
        [sys.executable, "-m", "grassroots", "check"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "GRASSROOTS_BROADCAST_SLOTS" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
