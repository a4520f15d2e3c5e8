import subprocess
import sys

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
