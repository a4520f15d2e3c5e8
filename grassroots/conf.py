"""The typed configuration schema: every ``GRASSROOTS_*`` and app setting.

:class:`Config` is read once from the environment at start-up. Every value has
a default for the embedded mode (one machine, no servers to set up): SQLite,
huey on SQLite, a private Mosquitto started by ``grassroots run``. Setting
``DATABASE_URL``, ``REDIS_URL`` or ``MQTT_URL`` swaps in a server run
elsewhere. :class:`AppSettings` holds the apps' own settings, which are not
read from the environment (a deployment's settings module overrides them).

``grassroots/settings/base.py`` turns both into Django settings named
``GRASSROOTS_<NAME>``; code reads ``settings.GRASSROOTS_<NAME>`` (typed by
django-stubs from that module), never ``getattr(settings, name, default)``:
a test forbids it. ``docs/configuration.md`` lists every variable; keep the
two in step.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import NamedTuple

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """Raised when an environment variable holds a value of the wrong kind."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no; got {raw!r}")


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number; got {raw!r}") from exc


def slots(name: str, raw: str) -> tuple[datetime.time, ...]:
    """Return "06:00,17:00" as sorted times, or raise naming the variable."""
    try:
        found = sorted({datetime.time.fromisoformat(part) for part in _list(raw)})
    except ValueError as exc:
        raise ConfigError(
            f"{name} must list times of day (06:00,17:00); got {raw!r}"
        ) from exc
    if not found:
        raise ConfigError(f"{name} must list at least one time of day; got {raw!r}")
    return tuple(found)


def networks(name: str, values: list[str]) -> list[str]:
    """Return ``values`` as normalised networks, or raise naming the variable."""
    import ipaddress

    try:
        return [str(ipaddress.ip_network(v, strict=False)) for v in values]
    except ValueError as exc:
        raise ConfigError(
            f"{name} must list IP addresses or networks (10.0.0.0/8); {exc}"
        ) from exc


@dataclass(frozen=True)
class Config:
    """Deployment settings; the environment variable is the field name in capitals.

    ``env`` names the variable where it differs from the field name.
    """

    debug: bool = field(default=False, metadata={"env": "DEBUG"})
    secret_key: str = field(default="", metadata={"env": "SECRET_KEY"})
    allowed_hosts: list[str] = field(
        default_factory=lambda: ["localhost", "127.0.0.1", "[::1]"],
        metadata={"env": "ALLOWED_HOSTS"},
    )
    csrf_trusted_origins: list[str] = field(
        default_factory=list, metadata={"env": "CSRF_TRUSTED_ORIGINS"}
    )
    database_url: str = field(default="", metadata={"env": "DATABASE_URL"})
    redis_url: str = field(default="", metadata={"env": "REDIS_URL"})
    mqtt_url: str = field(default="", metadata={"env": "MQTT_URL"})
    data_dir: Path = field(
        default=BASE_DIR / "var", metadata={"env": "GRASSROOTS_DATA_DIR"}
    )
    media_root: Path | None = field(default=None, metadata={"env": "MEDIA_ROOT"})
    media_url: str = field(default="/media/", metadata={"env": "MEDIA_URL"})
    #: Citizens' files and bulletins' attachments: never under MEDIA_ROOT, served
    #: only through views that check who asks (nginx: X-Accel-Redirect).
    private_media_root: Path | None = field(
        default=None, metadata={"env": "PRIVATE_MEDIA_ROOT"}
    )
    private_files_accel: str = field(
        default="", metadata={"env": "GRASSROOTS_PRIVATE_FILES_ACCEL"}
    )
    media_storage: str = field(
        default="django.core.files.storage.FileSystemStorage",
        metadata={"env": "MEDIA_STORAGE"},
    )
    static_root: Path | None = field(default=None, metadata={"env": "STATIC_ROOT"})
    base_url: str = field(
        default="http://127.0.0.1:8000", metadata={"env": "GRASSROOTS_BASE_URL"}
    )
    http_host: str = field(default="127.0.0.1", metadata={"env": "GRASSROOTS_HOST"})
    http_port: int = field(default=8000, metadata={"env": "GRASSROOTS_PORT"})
    #: The private broker's listeners (docs/loudspeakers.md#the-broker): devices
    #: on ``mqtt_port`` (and ``mqtt_tls_port`` with a certificate), the
    #: installation's own processes on ``mqtt_service_port`` (loopback only).
    mqtt_port: int = field(default=1884, metadata={"env": "GRASSROOTS_MQTT_PORT"})
    mqtt_service_port: int = field(
        default=1885, metadata={"env": "GRASSROOTS_MQTT_SERVICE_PORT"}
    )
    mqtt_bind: str = field(
        default="127.0.0.1", metadata={"env": "GRASSROOTS_MQTT_BIND"}
    )
    mqtt_tls_port: int = field(
        default=8883, metadata={"env": "GRASSROOTS_MQTT_TLS_PORT"}
    )
    mqtt_tls_cert: Path | None = field(
        default=None, metadata={"env": "GRASSROOTS_MQTT_TLS_CERT"}
    )
    mqtt_tls_key: Path | None = field(
        default=None, metadata={"env": "GRASSROOTS_MQTT_TLS_KEY"}
    )
    mqtt_tls_ca: Path | None = field(
        default=None, metadata={"env": "GRASSROOTS_MQTT_TLS_CA"}
    )
    email_url: str = field(default="file:", metadata={"env": "EMAIL_URL"})
    default_from_email: str = field(
        default="hethongthongtin@localhost", metadata={"env": "DEFAULT_FROM_EMAIL"}
    )
    #: None: the mode's default (off in embedded mode, on in production).
    require_second_factor: bool | None = field(
        default=None, metadata={"env": "GRASSROOTS_REQUIRE_2FA"}
    )
    #: Proxies whose X-Forwarded-For is believed (addresses or networks); None:
    #: the mode's default (none in embedded mode, this machine in production).
    trusted_proxies: list[str] | None = field(
        default=None, metadata={"env": "GRASSROOTS_TRUSTED_PROXIES"}
    )
    log_level: str = field(default="INFO", metadata={"env": "GRASSROOTS_LOG_LEVEL"})
    tts_engine: str = field(
        default="grassroots.tts.engines.espeak.EspeakEngine",
        metadata={"env": "GRASSROOTS_TTS_ENGINE"},
    )
    mqtt_topic_root: str = field(
        default="gr", metadata={"env": "GRASSROOTS_MQTT_TOPIC_ROOT"}
    )
    device_heartbeat_s: int = field(
        default=30, metadata={"env": "GRASSROOTS_DEVICE_HEARTBEAT_S"}
    )
    device_offline_alert_s: int = field(
        default=600, metadata={"env": "GRASSROOTS_DEVICE_OFFLINE_ALERT_S"}
    )
    broker_files_dir: Path | None = field(
        default=None, metadata={"env": "GRASSROOTS_BROKER_FILES_DIR"}
    )
    signing_keys_dir: Path | None = field(
        default=None, metadata={"env": "GRASSROOTS_SIGNING_KEYS_DIR"}
    )
    cap_keys_dir: Path | None = field(
        default=None, metadata={"env": "GRASSROOTS_CAP_KEYS_DIR"}
    )
    broker_reload_command: str = field(
        default="", metadata={"env": "GRASSROOTS_BROKER_RELOAD_COMMAND"}
    )
    broker_hook_token: str = field(
        default="", metadata={"env": "GRASSROOTS_BROKER_HOOK_TOKEN"}
    )
    #: A bearer token Prometheus sends to /metrics; without one, loopback only.
    metrics_token: str = field(default="", metadata={"env": "GRASSROOTS_METRICS_TOKEN"})
    #: A device whose clock is further off than this raises an alarm.
    clock_offset_alarm_s: int = field(
        default=5, metadata={"env": "GRASSROOTS_CLOCK_OFFSET_ALARM_S"}
    )
    gateway_share_group: str = field(
        default="", metadata={"env": "GRASSROOTS_GATEWAY_SHARE_GROUP"}
    )
    device_broker_url: str = field(
        default="", metadata={"env": "GRASSROOTS_DEVICE_BROKER_URL"}
    )
    map_tiles_url: str = field(default="", metadata={"env": "GRASSROOTS_MAP_TILES_URL"})
    #: The communes' daily broadcast slots, local time, sorted.
    broadcast_slots: tuple[datetime.time, ...] = field(
        default=(datetime.time(6), datetime.time(17)),
        metadata={"env": "GRASSROOTS_BROADCAST_SLOTS"},
    )
    map_tiles_attribution: str = field(
        default="", metadata={"env": "GRASSROOTS_MAP_TILES_ATTRIBUTION"}
    )
    #: The stream server of live broadcasts (Icecast, docs/live.md): its port
    #: and address, the address devices reach it at, and where its
    #: configuration and passwords are written.
    stream_port: int = field(default=8010, metadata={"env": "GRASSROOTS_STREAM_PORT"})
    stream_bind: str = field(
        default="127.0.0.1", metadata={"env": "GRASSROOTS_STREAM_BIND"}
    )
    stream_url: str = field(default="", metadata={"env": "GRASSROOTS_STREAM_URL"})
    stream_dir: Path | None = field(
        default=None, metadata={"env": "GRASSROOTS_STREAM_DIR"}
    )
    stream_hook_url: str = field(
        default="", metadata={"env": "GRASSROOTS_STREAM_HOOK_URL"}
    )
    #: The citizen app (docs/citizen.md): the contact push services may write
    #: to about our pushes (VAPID ``sub``), and the hosts (or domain suffixes)
    #: a subscription's endpoint may name, so the server posts nowhere else.
    push_contact: str = field(
        default="mailto:hethongthongtin@localhost",
        metadata={"env": "GRASSROOTS_PUSH_CONTACT"},
    )
    push_endpoint_hosts: list[str] = field(
        default_factory=lambda: [
            "fcm.googleapis.com",
            "updates.push.services.mozilla.com",
            "push.apple.com",
            "notify.windows.com",
        ],
        metadata={"env": "GRASSROOTS_PUSH_ENDPOINT_HOSTS"},
    )
    #: SMS over SMPP 3.4 (the carrier's SMS centre); empty host: SMS is logged.
    smpp_host: str = field(default="", metadata={"env": "GRASSROOTS_SMPP_HOST"})
    smpp_port: int = field(default=2775, metadata={"env": "GRASSROOTS_SMPP_PORT"})
    smpp_system_id: str = field(
        default="", metadata={"env": "GRASSROOTS_SMPP_SYSTEM_ID"}
    )
    smpp_password: str = field(default="", metadata={"env": "GRASSROOTS_SMPP_PASSWORD"})
    #: The brand name (alphanumeric sender) the carrier registered.
    smpp_source_addr: str = field(
        default="", metadata={"env": "GRASSROOTS_SMPP_SOURCE_ADDR"}
    )
    #: Zalo ZNS template messages; empty token: Zalo messages are logged.
    zns_url: str = field(
        default="https://business.openapi.zalo.me/message/template",
        metadata={"env": "GRASSROOTS_ZNS_URL"},
    )
    zns_access_token: str = field(
        default="", metadata={"env": "GRASSROOTS_ZNS_ACCESS_TOKEN"}
    )
    zns_template_id: str = field(
        default="", metadata={"env": "GRASSROOTS_ZNS_TEMPLATE_ID"}
    )

    @property
    def media_dir(self) -> Path:
        return self.media_root or self.data_dir / "media"

    @property
    def private_media_dir(self) -> Path:
        return self.private_media_root or self.data_dir / "private"

    @property
    def static_dir(self) -> Path:
        return self.static_root or self.data_dir / "static"

    @property
    def private_broker(self) -> bool:
        """Return True when ``grassroots run`` starts the broker (no MQTT_URL)."""
        return not self.mqtt_url

    @property
    def mqtt_tls(self) -> bool:
        """Return True when the broker has a certificate: devices then use TLS."""
        return bool(self.mqtt_tls_cert and self.mqtt_tls_key)


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Return the configuration read from ``environ`` (default: the process's)."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Config):
        name = f.metadata["env"]
        if name not in environ:
            continue
        raw = environ[name]
        kind = str(f.type)
        if kind in ("bool", "bool | None"):
            values[f.name] = _bool(name, raw)
        elif kind == "int":
            values[f.name] = _int(name, raw)
        elif kind.startswith("tuple[datetime.time"):
            values[f.name] = slots(name, raw)
        elif kind.startswith("list"):
            values[f.name] = _list(raw)
        elif "Path" in kind:
            values[f.name] = Path(raw).expanduser().resolve() if raw else f.default
        else:
            values[f.name] = raw
    config = Config(**values)  # type: ignore[arg-type]
    if "GRASSROOTS_BASE_URL" not in environ:
        config = replace(config, base_url=_local_url(config))
    return config


def _local_url(config: Config) -> str:
    """Where `grassroots run` listens: the links' address until a public one is set.

    E-mails, device audio and feeds then follow GRASSROOTS_HOST and
    GRASSROOTS_PORT instead of pointing at port 8000 whatever the port.
    """
    host = config.http_host
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.http_port}"


class Rate(NamedTuple):
    """At most ``limit`` events in ``seconds`` (a rate limit)."""

    limit: int
    seconds: int


def _notifiers() -> dict[str, str]:
    return {
        "email": "grassroots.feedback.notify.EmailNotifier",
        "sms": "grassroots.feedback.notify.smpp.SmppSmsNotifier",
        "zalo": "grassroots.feedback.notify.zns.ZnsNotifier",
    }


@dataclass(frozen=True)
class AppSettings:
    """The apps' settings, not read from the environment.

    Each is the Django setting ``GRASSROOTS_<FIELD IN CAPITALS>``, set in
    ``grassroots/settings/base.py`` from these defaults; a deployment's
    settings module (or a test's ``settings`` fixture) overrides it there.
    """

    #: "mqtt" publishes to devices through the broker; "memory" keeps the
    #: messages for tests.
    device_plane: str = "mqtt"
    #: Media is served by Django only in embedded mode; nginx serves it in
    #: production.
    serve_media: bool = True
    #: Login failures for one user name from any addresses before lock-out.
    login_account_failure_limit: int = 20
    #: Largest accepted bulletin attachment of a kind ("audio", "image",
    #: "video", "document"), in bytes, over the defaults of bulletins/files.py.
    attachment_limits: dict[str, int] = field(default_factory=dict)
    #: Minutes an indicator snapshot stays provisional (docs/indicators.md).
    indicators_provisional_minutes: int = 5
    #: The DejaVu fonts of the PDF reports.
    pdf_font_dir: Path = Path("/usr/share/fonts/truetype/dejavu")
    #: Feedback (docs/feedback.md): a citizen may reopen an answered item
    #: for this many days, this many times.
    feedback_reopen_days: int = 15
    feedback_max_reopens: int = 3
    #: Reopenings per address.
    feedback_rate_reopen: Rate = Rate(10, 3600)
    #: Attachments on the public form and the Open311 ``media`` field.
    feedback_max_files: int = 5
    feedback_max_file_bytes: int = 10 * 1024 * 1024
    feedback_max_total_bytes: int = 25 * 1024 * 1024
    #: Submissions per address and per contact. Mobile carriers put many phones
    #: behind one address, so the per-address limit is generous.
    feedback_rate_address: Rate = Rate(20, 600)
    feedback_rate_contact: Rate = Rate(5, 3600)
    #: Tracking-code look-ups per address, so codes cannot be tried in bulk.
    feedback_rate_track: Rate = Rate(60, 600)
    feedback_duplicate_window_days: int = 30
    #: Channel name → dotted path of its notifier class (feedback/notify).
    feedback_notifiers: dict[str, str] = field(default_factory=_notifiers)
    #: The channel that tells a citizen who gave only a phone number: "sms"
    #: or "zalo".
    feedback_phone_channel: str = "sms"
    #: The province code whose communes receive feedback; empty: the only
    #: province in the database.
    feedback_jurisdiction: str = ""
    #: A located report goes to the nearest commune centre within this many
    #: kilometres.
    feedback_max_distance_km: float = 8.0


#: The Django settings that name a class or function by its dotted path,
#: checked at start (``grassroots check``, ``run``, ``migrate``).
DOTTED_PATH_SETTINGS = ("GRASSROOTS_TTS_ENGINE", "GRASSROOTS_FEEDBACK_NOTIFIERS")


def dotted_path_errors(settings: object) -> list[str]:
    """Return one line for each dotted-path setting that does not import."""
    from django.utils.module_loading import import_string

    problems = []
    for name in DOTTED_PATH_SETTINGS:
        value = getattr(settings, name)
        paths = value.values() if isinstance(value, Mapping) else [value]
        for path in paths:
            try:
                import_string(path)
            except ImportError as exc:
                problems.append(f"{name}: {path!r} does not import ({exc})")
    return problems
