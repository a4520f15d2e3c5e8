"""Settings shared by every mode; values that vary come from ``grassroots.conf``."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url

from grassroots import conf

CONFIG = conf.load()
APP = conf.AppSettings()
BASE_DIR = conf.BASE_DIR
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = CONFIG.data_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _persistent_secret_key() -> str:
    """Return a key generated on first start and kept in the data directory.

    Embedded mode needs no setup, yet no key may live in the repository.
    """
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key or _persistent_secret_key()
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    # Our apps come first so that their templates override Wagtail's.
    "grassroots.core",
    "grassroots.areas",
    "grassroots.accounts",
    "grassroots.accounts.wagtail_users.WagtailUsersAppConfig",
    "grassroots.tts",
    "grassroots.training",
    "grassroots.indicators",
    "grassroots.bulletins",
    "grassroots.portal",
    "grassroots.loudspeakers",
    "grassroots.feedback",
    "grassroots.boards",
    "grassroots.emergencies",
    "grassroots.dissemination",
    "grassroots.broadcasts",
    "grassroots.live",
    "grassroots.cap",
    "grassroots.citizen",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django and third parties
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "grassroots.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "grassroots.accounts.middleware.AuditContextMiddleware",
    "grassroots.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
ASGI_APPLICATION = "grassroots.asgi.application"
WSGI_APPLICATION = "grassroots.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the data directory unless DATABASE_URL names a server.
if CONFIG.database_url:
    DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI every request runs in its own thread, so persistent
        # per-thread connections pile up until PostgreSQL refuses more; a
        # pool per process shares a few instead.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # A connection is checked as the pool hands it out: after a database
        # restart the first request of each process gets a fresh one instead
        # of an error (measured: /healthz failed twice in bench/soak.py).
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": 8,
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "grassroots.sqlite3"),
            # WAL lets the web, worker and gateway processes read while one writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured (shared by every process), else one per process.
if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
            "KEY_PREFIX": "grassroots",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# Background jobs: huey on SQLite by default, on Redis when REDIS_URL is set.
if CONFIG.redis_url:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "grassroots",
        "url": CONFIG.redis_url,
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "grassroots",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        # SQLite is polled: at least once a second, so a revoked device secret
        # reaches the broker within seconds (huey's default waits up to 10 s).
        "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 1.0},
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "wagtailadmin_home"

# Login rate limit: 5 failures per user name and address, or 20 for a user
# name from any addresses, then 15 minutes out (accounts/lockout.py). The
# address is X-Forwarded-For's only behind a trusted proxy (client_address.py).
AXES_FAILURE_LIMIT = 5
GRASSROOTS_LOGIN_ACCOUNT_FAILURE_LIMIT = APP.login_account_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "grassroots.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "grassroots.accounts.client_address.of"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
GRASSROOTS_TRUSTED_PROXIES = conf.networks(
    "GRASSROOTS_TRUSTED_PROXIES", CONFIG.trusted_proxies or []
)

OTP_TOTP_ISSUER = "Thông tin cơ sở"
GRASSROOTS_REQUIRE_2FA = bool(CONFIG.require_second_factor)

# Language and time: Vietnamese first, English available; dd/mm/yyyy.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "grassroots_language"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["grassroots.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.static_dir
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = CONFIG.media_url
MEDIA_ROOT = CONFIG.media_dir
# Private files (citizens' photos, bulletins' attachments) live apart from
# MEDIA_ROOT and are served by views that check who asks (core/private_files.py);
# with GRASSROOTS_PRIVATE_FILES_ACCEL (e.g. "/_private/") nginx sends the bytes.
GRASSROOTS_PRIVATE_MEDIA_ROOT = CONFIG.private_media_dir
GRASSROOTS_PRIVATE_FILES_ACCEL = CONFIG.private_files_accel
STORAGES = {
    "default": {"BACKEND": CONFIG.media_storage},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads above this size go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Wagtail: the staff console.
WAGTAIL_SITE_NAME = "Hệ thống thông tin cơ sở"
WAGTAILADMIN_BASE_URL = CONFIG.base_url
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Wagtail's date widgets take Python's strftime codes, not Django's.
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatar from Gravatar: nothing is loaded from another site at run time.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_USER_LOGIN_FORM = "grassroots.accounts.forms.LoginForm"
WAGTAILADMIN_COMMENTS_ENABLED = True
# Approved bulletins are published by our action (status, audit, channels).
WAGTAIL_FINISH_WORKFLOW_ACTION = "grassroots.bulletins.workflow.finish_workflow"


def _email_settings(url: str) -> dict[str, object]:
    """Return Django e-mail settings for ``console:``, ``file:PATH`` or ``smtp://``."""
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path or str(DATA_DIR / "mail"),
        }
    if parsed.scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme in {"smtp", "smtps"}:
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true"},
        }
    raise conf.ConfigError(f"EMAIL_URL has an unknown scheme: {url!r}")


globals().update(_email_settings(CONFIG.email_url))
#: Where file-based e-mails go (only with EMAIL_URL=file:…).
EMAIL_FILE_PATH: str = globals().get("EMAIL_FILE_PATH", "")
DEFAULT_FROM_EMAIL = CONFIG.default_from_email
SERVER_EMAIL = CONFIG.default_from_email

# The device plane (MQTT). Without MQTT_URL, `grassroots run` starts a private
# Mosquitto: the web and gateway processes reach its service listener (loopback).
GRASSROOTS_MQTT_URL = CONFIG.mqtt_url or f"mqtt://127.0.0.1:{CONFIG.mqtt_service_port}"
GRASSROOTS_PRIVATE_BROKER = CONFIG.private_broker
# The listeners of `grassroots broker` (docs/loudspeakers.md#the-broker).
GRASSROOTS_MQTT_PORT = CONFIG.mqtt_port
GRASSROOTS_MQTT_SERVICE_PORT = CONFIG.mqtt_service_port
GRASSROOTS_MQTT_BIND = CONFIG.mqtt_bind
GRASSROOTS_MQTT_TLS_PORT = CONFIG.mqtt_tls_port
GRASSROOTS_MQTT_TLS_CERT = CONFIG.mqtt_tls_cert
GRASSROOTS_MQTT_TLS_KEY = CONFIG.mqtt_tls_key
# The certificate authority devices must trust (put into their credentials files).
GRASSROOTS_MQTT_TLS_CA = CONFIG.mqtt_tls_ca
GRASSROOTS_BASE_URL = CONFIG.base_url
GRASSROOTS_HTTP_HOST = CONFIG.http_host
GRASSROOTS_HTTP_PORT = CONFIG.http_port
# Text-to-speech: the engine class (see grassroots/tts/engines/).
GRASSROOTS_TTS_ENGINE = CONFIG.tts_engine
GRASSROOTS_MQTT_TOPIC_ROOT = CONFIG.mqtt_topic_root
# "mqtt" publishes through the broker; "memory" keeps messages for tests.
GRASSROOTS_DEVICE_PLANE = APP.device_plane
GRASSROOTS_DEVICE_HEARTBEAT_S = CONFIG.device_heartbeat_s
GRASSROOTS_DEVICE_OFFLINE_ALERT_S = CONFIG.device_offline_alert_s
GRASSROOTS_BROKER_FILES_DIR = CONFIG.broker_files_dir or DATA_DIR / "mqtt"
GRASSROOTS_BROKER_RELOAD_COMMAND = CONFIG.broker_reload_command
# The Ed25519 keys that seal every message to devices (generated on first use).
GRASSROOTS_SIGNING_KEYS_DIR = CONFIG.signing_keys_dir or DATA_DIR / "signing"
# The RSA key and self-signed certificate that sign outgoing CAP messages.
GRASSROOTS_CAP_KEYS_DIR = CONFIG.cap_keys_dir or DATA_DIR / "cap"
GRASSROOTS_BROKER_HOOK_TOKEN = CONFIG.broker_hook_token
GRASSROOTS_METRICS_TOKEN = CONFIG.metrics_token
GRASSROOTS_CLOCK_OFFSET_ALARM_S = CONFIG.clock_offset_alarm_s
# Where long-running processes leave their heartbeat (grassroots status, /metrics).
GRASSROOTS_RUN_DIR = DATA_DIR / "run"
GRASSROOTS_GATEWAY_SHARE_GROUP = CONFIG.gateway_share_group
# The broker address written into device configurations (as devices reach it):
# the private broker's device listener (TLS when it has a certificate), or MQTT_URL.
GRASSROOTS_DEVICE_BROKER_URL = CONFIG.device_broker_url or (
    (
        f"mqtts://127.0.0.1:{CONFIG.mqtt_tls_port}"
        if CONFIG.mqtt_tls
        else f"mqtt://127.0.0.1:{CONFIG.mqtt_port}"
    )
    if CONFIG.private_broker
    else CONFIG.mqtt_url
)
# Map tiles (e.g. https://tile.example.vn/{z}/{x}/{y}.png); maps work without.
GRASSROOTS_MAP_TILES_URL = CONFIG.map_tiles_url
GRASSROOTS_BROADCAST_SLOTS = CONFIG.broadcast_slots
GRASSROOTS_MAP_TILES_ATTRIBUTION = CONFIG.map_tiles_attribution
# The citizen app: Web Push and the SMS / Zalo channels (docs/citizen.md).
GRASSROOTS_PUSH_CONTACT = CONFIG.push_contact
GRASSROOTS_PUSH_ENDPOINT_HOSTS = CONFIG.push_endpoint_hosts
#: Tests only: endpoints over plain HTTP (a local push service).
GRASSROOTS_PUSH_ALLOW_HTTP = False
GRASSROOTS_PUSH_KEYS_DIR = DATA_DIR / "webpush"
GRASSROOTS_SMPP = {
    "host": CONFIG.smpp_host,
    "port": CONFIG.smpp_port,
    "system_id": CONFIG.smpp_system_id,
    "password": CONFIG.smpp_password,
    "source_addr": CONFIG.smpp_source_addr,
}
GRASSROOTS_ZNS = {
    "url": CONFIG.zns_url,
    "access_token": CONFIG.zns_access_token,
    "template_id": CONFIG.zns_template_id,
}
# Live broadcasts (docs/live.md): our own Icecast, its files and passwords in
# GRASSROOTS_STREAM_DIR; devices reach it at GRASSROOTS_STREAM_URL, and it asks
# the web process (GRASSROOTS_STREAM_HOOK_URL) whether a listener's token is good.
GRASSROOTS_STREAM_PORT = CONFIG.stream_port
GRASSROOTS_STREAM_BIND = CONFIG.stream_bind
GRASSROOTS_STREAM_URL = CONFIG.stream_url or f"http://127.0.0.1:{CONFIG.stream_port}"
GRASSROOTS_STREAM_DIR = CONFIG.stream_dir or DATA_DIR / "icecast"
GRASSROOTS_STREAM_HOOK_URL = (
    CONFIG.stream_hook_url or f"http://127.0.0.1:{CONFIG.http_port}"
)
# Media is served by Django only in embedded mode; nginx serves it in production.
GRASSROOTS_SERVE_MEDIA = APP.serve_media
# The apps' settings (grassroots/conf.py, AppSettings).
GRASSROOTS_ATTACHMENT_LIMITS = APP.attachment_limits
GRASSROOTS_INDICATORS_PROVISIONAL_MINUTES = APP.indicators_provisional_minutes
GRASSROOTS_PDF_FONT_DIR = APP.pdf_font_dir
GRASSROOTS_FEEDBACK_REOPEN_DAYS = APP.feedback_reopen_days
GRASSROOTS_FEEDBACK_MAX_REOPENS = APP.feedback_max_reopens
GRASSROOTS_FEEDBACK_RATE_REOPEN = APP.feedback_rate_reopen
GRASSROOTS_FEEDBACK_MAX_FILES = APP.feedback_max_files
GRASSROOTS_FEEDBACK_MAX_FILE_BYTES = APP.feedback_max_file_bytes
GRASSROOTS_FEEDBACK_MAX_TOTAL_BYTES = APP.feedback_max_total_bytes
GRASSROOTS_FEEDBACK_RATE_ADDRESS = APP.feedback_rate_address
GRASSROOTS_FEEDBACK_RATE_CONTACT = APP.feedback_rate_contact
GRASSROOTS_FEEDBACK_RATE_TRACK = APP.feedback_rate_track
GRASSROOTS_FEEDBACK_DUPLICATE_WINDOW_DAYS = APP.feedback_duplicate_window_days
GRASSROOTS_FEEDBACK_NOTIFIERS = APP.feedback_notifiers
GRASSROOTS_FEEDBACK_PHONE_CHANNEL = APP.feedback_phone_channel
GRASSROOTS_FEEDBACK_JURISDICTION = APP.feedback_jurisdiction
GRASSROOTS_FEEDBACK_MAX_DISTANCE_KM = APP.feedback_max_distance_km

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # Wagtail logs every edit and publish; our audit log records them.
        "wagtail": {"level": "WARNING"},
        "transitions": {"level": "WARNING"},
    },
}
