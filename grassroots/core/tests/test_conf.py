import ast
import dataclasses
import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grassroots import conf

ROOT = Path(__file__).resolve().parents[3]


def test_defaults_are_the_embedded_mode():
    config = conf.load({})
    assert config.private_broker and not config.database_url and not config.redis_url
    assert config.allowed_hosts == ["localhost", "127.0.0.1", "[::1]"]


def test_values_are_read_with_their_types():
    config = conf.load(
        {
            "DEBUG": "yes",
            "ALLOWED_HOSTS": "a.example, b.example",
            "GRASSROOTS_PORT": "9000",
            "MQTT_URL": "mqtt://broker:1883",
        }
    )
    assert config.debug is True
    assert config.allowed_hosts == ["a.example", "b.example"]
    assert config.http_port == 9000
    assert not config.private_broker


@pytest.mark.parametrize("env", [{"DEBUG": "maybe"}, {"GRASSROOTS_PORT": "eighty"}])
def test_a_wrong_value_names_the_variable(env):
    with pytest.raises(conf.ConfigError, match=next(iter(env))):
        conf.load(env)


def _settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    """Run ``code`` with Django set up from ``env`` in a fresh interpreter."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "MQTT_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "GRASSROOTS_DATA_DIR": str(ROOT / "var" / "test"), **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_servers_replace_the_embedded_defaults_when_their_urls_are_set():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='grassroots.settings.dev'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.HUEY['huey_class'], s.CACHES['default']['BACKEND'], s.GRASSROOTS_PRIVATE_BROKER, s.GRASSROOTS_MQTT_URL, s.GRASSROOTS_DEVICE_BROKER_URL)"
    )
    embedded = _settings({}, code)
    assert embedded.stdout.split() == [
        "django.db.backends.sqlite3",
        "huey.SqliteHuey",
        "django.core.cache.backends.filebased.FileBasedCache",
        "True",
        "mqtt://127.0.0.1:1885",
        "mqtt://127.0.0.1:1884",
    ], embedded.stderr
    servers = _settings(
        {
            "DATABASE_URL": "postgres://u@db:5432/gr",
            "REDIS_URL": "redis://cache:6379/1",
            "MQTT_URL": "mqtts://mq:8883",
        },
        code,
    )
    assert servers.stdout.split() == [
        "django.db.backends.postgresql",
        "huey.PriorityRedisHuey",
        "django.core.cache.backends.redis.RedisCache",
        "False",
        "mqtts://mq:8883",
        "mqtts://mq:8883",
    ], servers.stderr


def test_production_settings_pass_the_deploy_checks_with_no_warning():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grassroots",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DJANGO_SETTINGS_MODULE": "grassroots.settings.production",
            "SECRET_KEY": "x" * 20 + "7Hq2-kLm9_pZr4sVt8wYb3nCd6fGj1" + "y" * 10,
            "ALLOWED_HOSTS": "thongtin.dongthap.gov.vn",
            "GRASSROOTS_DATA_DIR": str(ROOT / "var" / "test"),
        },
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _settings(
        {"DJANGO_SETTINGS_MODULE": "grassroots.settings.production"},
        "import django; django.setup()",
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_links_follow_the_port_of_grassroots_run_until_a_public_address_is_set():
    assert conf.load({}).base_url == "http://127.0.0.1:8000"
    assert conf.load({"GRASSROOTS_PORT": "8713"}).base_url == "http://127.0.0.1:8713"
    listening_everywhere = {"GRASSROOTS_HOST": "0.0.0.0", "GRASSROOTS_PORT": "80"}  # noqa: S104
    assert conf.load(listening_everywhere).base_url == "http://127.0.0.1:80"
    assert conf.load({"GRASSROOTS_HOST": "::1"}).base_url == "http://[::1]:8000"
    public = {
        "GRASSROOTS_PORT": "8713",
        "GRASSROOTS_BASE_URL": "https://ttcs.example.vn",
    }
    assert conf.load(public).base_url == "https://ttcs.example.vn"


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "grassroots.settings.production",
    "SECRET_KEY": "x" * 20 + "7Hq2-kLm9_pZr4sVt8wYb3nCd6fGj1" + "y" * 10,
    "ALLOWED_HOSTS": "thongtin.dongthap.gov.vn",
}
CLIENT_ADDRESS = (
    "import django; django.setup();"
    "from django.test import RequestFactory; from axes.helpers import get_client_ip_address;"
    "r = RequestFactory().get('/', REMOTE_ADDR='192.0.2.1',"
    " HTTP_X_FORWARDED_FOR='203.0.113.5');"
    "print(get_client_ip_address(r))"
)


def test_production_trusts_a_forwarded_address_only_from_a_configured_proxy():
    unknown_peer = _settings(PRODUCTION, CLIENT_ADDRESS)
    assert unknown_peer.stdout.split() == ["192.0.2.1"], unknown_peer.stderr
    proxy = _settings(
        {**PRODUCTION, "GRASSROOTS_TRUSTED_PROXIES": "192.0.2.0/24"}, CLIENT_ADDRESS
    )
    assert proxy.stdout.split() == ["203.0.113.5"], proxy.stderr


def test_production_requires_the_second_factor_unless_told_otherwise():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.GRASSROOTS_REQUIRE_2FA)"
    )
    assert _settings(PRODUCTION, code).stdout.split() == ["True"]
    off = _settings({**PRODUCTION, "GRASSROOTS_REQUIRE_2FA": "0"}, code)
    assert off.stdout.split() == ["False"], off.stderr
    dev = _settings({"DJANGO_SETTINGS_MODULE": "grassroots.settings.dev"}, code)
    assert dev.stdout.split() == ["False"], dev.stderr


def test_private_files_inside_public_media_stop_the_checks(settings, tmp_path):
    from grassroots.core.checks import private_files_are_not_public

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GRASSROOTS_PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    [error] = private_files_are_not_public(None)
    assert error.id == "grassroots.E101"
    settings.GRASSROOTS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert private_files_are_not_public(None) == []


def test_broadcast_slots_are_times_of_day_sorted():
    config = conf.load({"GRASSROOTS_BROADCAST_SLOTS": "17:30, 06:00"})
    assert config.broadcast_slots == (datetime.time(6), datetime.time(17, 30))
    assert conf.load({}).broadcast_slots == (datetime.time(6), datetime.time(17))
    for bad in ("nonsense", "25:00", ","):
        with pytest.raises(conf.ConfigError, match="GRASSROOTS_BROADCAST_SLOTS"):
            conf.load({"GRASSROOTS_BROADCAST_SLOTS": bad})


def test_the_app_settings_are_the_django_settings(settings):
    """Every field of AppSettings is a Django setting, with its default."""
    from django.conf import settings as django_settings

    app = conf.AppSettings()
    for f in dataclasses.fields(app):
        name = f"GRASSROOTS_{f.name.upper()}"
        assert hasattr(django_settings, name), name
    assert settings.GRASSROOTS_FEEDBACK_RATE_TRACK == conf.Rate(60, 600)


def test_a_dotted_path_that_does_not_import_is_reported_at_start(settings):
    from grassroots.core.checks import dotted_paths_import

    assert conf.dotted_path_errors(settings) == []
    settings.GRASSROOTS_TTS_ENGINE = "grassroots.tts.engines.nowhere.Engine"
    settings.GRASSROOTS_FEEDBACK_NOTIFIERS = {"sms": "grassroots.feedback.notify.Nope"}
    errors = dotted_paths_import(None)
    assert {e.id for e in errors} == {"grassroots.E102"}
    assert len(errors) == 2
    assert "GRASSROOTS_TTS_ENGINE" in errors[0].msg
    assert "GRASSROOTS_FEEDBACK_NOTIFIERS" in errors[1].msg


def _settings_getattrs(tree: ast.AST) -> list[int]:
    """Return the lines that read a setting by name with getattr."""
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and node.args
        ):
            continue
        target = node.args[0]
        name = (
            target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
        )
        if name != "settings":
            continue
        literal = len(node.args) > 1 and isinstance(
            node.args[1], ast.Constant | ast.JoinedStr
        )
        if literal or len(node.args) > 2:
            found.append(node.lineno)
    return found


def test_no_module_reads_a_setting_with_getattr_and_its_own_default():
    """Settings come from grassroots/conf.py: a getattr with a default hides a typo."""
    offenders = []
    for path in [*(ROOT / "grassroots").rglob("*.py"), *(ROOT / "agent").rglob("*.py")]:
        if ".venv" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        offenders += [f"{path.relative_to(ROOT)}:{n}" for n in _settings_getattrs(tree)]
    assert offenders == []


def test_the_getattr_scan_finds_what_it_forbids():
    code = 'x = getattr(settings, "GRASSROOTS_MAP_ATTRIBUTION", "")\ny = getattr(django.conf.settings, f"GRASSROOTS_{n}")\nz = getattr(obj, "a", 1)\n'
    assert _settings_getattrs(ast.parse(code)) == [1, 2]
