"""``grassroots check``: the broker's program, certificates and cluster codes."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db.utils import DatabaseError


@checks.register()
def broker_setup(app_configs, **kwargs):
    """The private broker needs Mosquitto; TLS needs a readable certificate and key."""
    from . import brokerfiles

    problems = []
    if settings.GRASSROOTS_PRIVATE_BROKER and brokerfiles.mosquitto_binary() is None:
        # A warning: everything but the device plane works (migrations, the site).
        problems.append(
            checks.Warning(brokerfiles.MISSING_MOSQUITTO, id="loudspeakers.W002")
        )
    cert, key = settings.GRASSROOTS_MQTT_TLS_CERT, settings.GRASSROOTS_MQTT_TLS_KEY
    if bool(cert) != bool(key):
        problems.append(
            checks.Error(
                "GRASSROOTS_MQTT_TLS_CERT and GRASSROOTS_MQTT_TLS_KEY go together: "
                "set both or neither.",
                id="loudspeakers.E003",
            )
        )
    for name, path in (
        ("GRASSROOTS_MQTT_TLS_CERT", cert),
        ("GRASSROOTS_MQTT_TLS_KEY", key),
        ("GRASSROOTS_MQTT_TLS_CA", settings.GRASSROOTS_MQTT_TLS_CA),
    ):
        if path and not os.access(path, os.R_OK):
            problems.append(
                checks.Error(f"{name}: cannot read {path}.", id="loudspeakers.E004")
            )
    device_url = urlparse(settings.GRASSROOTS_DEVICE_BROKER_URL)
    if (
        cert
        and key
        and (
            device_url.scheme != "mqtts"
            or device_url.hostname in ("127.0.0.1", "localhost", "::1")
        )
    ):
        problems.append(
            checks.Warning(
                "The broker has a certificate, but devices are told to connect "
                "without TLS or to this machine's loopback address.",
                hint="Set GRASSROOTS_DEVICE_BROKER_URL to mqtts://NAME-IN-THE-CERTIFICATE:"
                f"{settings.GRASSROOTS_MQTT_TLS_PORT}",
                id="loudspeakers.W001",
            )
        )
    return problems


@checks.register(checks.Tags.database)
def cluster_codes(app_configs, **kwargs):
    """Refuse cluster codes that are reserved for the broker's own accounts, or malformed.

    Only rows older than the rules can have one; the broker files leave them
    out, so such a cluster cannot connect until it is registered again.
    """
    from .models import Cluster
    from .models.registry import check_code

    bad = []
    try:
        for code in Cluster.objects.values_list("code", flat=True).iterator():
            try:
                check_code(code)
            except ValidationError:
                bad.append(code)
    except DatabaseError:
        return []  # not migrated yet
    if not bad:
        return []
    return [
        checks.Error(
            f"{len(bad)} cluster code(s) are reserved for the broker's own accounts "
            f"or malformed: {', '.join(sorted(bad)[:20])}. The broker refuses them.",
            hint="Register each device again under a new code, move its credentials "
            "to it, and retire the old cluster (a code never changes).",
            id="loudspeakers.E001",
        )
    ]
