"""Production: behind nginx over HTTPS; every secret comes from the environment.

``grassroots check --deploy`` passes with no warning on these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from grassroots import conf

from .base import *  # noqa: F403
from .base import CONFIG

if not CONFIG.secret_key or len(CONFIG.secret_key) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters in "
        "production (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if CONFIG.debug:
    raise ImproperlyConfigured("DEBUG must be off in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# nginx serves /media/ from MEDIA_ROOT; Django never does in production.
GRASSROOTS_SERVE_MEDIA = False
# The client address comes from X-Forwarded-For only when nginx (on this
# machine by default) passed the request on: anyone else could write any
# address there and get fresh login attempts with each.
GRASSROOTS_TRUSTED_PROXIES = conf.networks(
    "GRASSROOTS_TRUSTED_PROXIES",
    ["127.0.0.1", "::1"] if CONFIG.trusted_proxies is None else CONFIG.trusted_proxies,
)
# Everyone who can broadcast, approve or administer enrols a second factor,
# unless GRASSROOTS_REQUIRE_2FA=0 says otherwise.
GRASSROOTS_REQUIRE_2FA = CONFIG.require_second_factor is not False
