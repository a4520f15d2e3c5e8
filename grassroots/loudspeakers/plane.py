"""The device plane: how the web process and jobs publish to devices.

``publish(topic, message, qos=…, retain=…)`` goes to the backend named by
``GRASSROOTS_DEVICE_PLANE``: ``"mqtt"`` keeps one connection per process to
the broker (reconnecting by itself, queueing QoS 1 messages meanwhile);
``"memory"`` keeps messages in a list for unit tests. Actions publish with
:func:`publish_on_commit` so nothing reaches a device for a change that was
rolled back; emergencies publish at once. Every message is sealed for its
topic with the installation's keys (``signing``) on its way out: devices act
on nothing else.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from grassroots_agent.protocol import MAX_MESSAGE_BYTES, Topics, encode
from grassroots_agent.signing import body_of

from . import credentials, signing

logger = logging.getLogger(__name__)

#: Messages paho keeps while the broker is away (QoS 1 only).
MAX_QUEUED = 100_000


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    qos: int
    retain: bool

    def json(self) -> Any:
        """Return the message under its seal (not checked: tests read what was sent)."""
        return json.loads(body_of(self.payload)) if self.payload else None


class Plane(Protocol):
    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int,
        retain: bool,
        wait_s: float | None,
    ) -> bool: ...

    def close(self) -> None: ...


class MemoryPlane:
    """Keeps what was published, in order; tests read ``messages``."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    def publish(self, topic, payload, *, qos, retain, wait_s=None) -> bool:
        with self.lock:
            self.messages.append(Message(topic, payload, qos, retain))
        return True

    def close(self) -> None:
        pass

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class MqttPlane:
    """One paho-mqtt connection for the process, logged in as the web service account."""

    def __init__(self, url: str | None = None, username: str = credentials.WEB):
        import paho.mqtt.client as mqtt

        parsed = urlparse(url or settings.GRASSROOTS_MQTT_URL)
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=f"{username}-{threading.get_native_id()}-{id(self):x}",
            clean_session=True,
        )
        self.client.username_pw_set(
            parsed.username or username,
            parsed.password or credentials.service_password(username),
        )
        if parsed.scheme in ("mqtts", "ssl"):
            self.client.tls_set()
        self.client.max_queued_messages_set(MAX_QUEUED)
        self.client.reconnect_delay_set(1, 5)
        self.client.on_connect = self._on_connect
        self.client.connect_async(
            parsed.hostname or "127.0.0.1",
            parsed.port or (8883 if parsed.scheme in ("mqtts", "ssl") else 1883),
            keepalive=60,
        )
        self.client.loop_start()

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.error("the broker refused the web process's login: %s", reason_code)

    def publish(self, topic, payload, *, qos, retain, wait_s=None) -> bool:
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        if wait_s:
            try:
                info.wait_for_publish(wait_s)
            except (RuntimeError, ValueError):
                return False
            return info.is_published()
        return info.rc == 0 or qos > 0

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


_planes: dict[str, Plane] = {}
_lock = threading.Lock()


def get_plane() -> Plane:
    """Return this process's plane, created on first use."""
    name = settings.GRASSROOTS_DEVICE_PLANE
    with _lock:
        plane = _planes.get(name)
        if plane is None:
            if name == "memory":
                plane = MemoryPlane()
            elif name == "mqtt":
                plane = MqttPlane()
            else:
                plane = import_string(name)()
            _planes[name] = plane
        return plane


def reset() -> None:
    """Close and forget every plane (tests that switch brokers)."""
    with _lock:
        for plane in _planes.values():
            plane.close()
        _planes.clear()


def topics() -> Topics:
    return Topics(settings.GRASSROOTS_MQTT_TOPIC_ROOT)


def publish(
    topic: str,
    message: dict[str, Any] | bytes | None,
    *,
    qos: int = 1,
    retain: bool = False,
    wait_s: float | None = None,
) -> bool:
    """Seal and publish now; ``None`` clears a retained message.

    ``message`` is a protocol message, or one already encoded (bytes). Return
    False if the broker did not confirm it within ``wait_s``.
    """
    if message is None:
        payload = b""
    else:
        body = message if isinstance(message, bytes) else encode(message)
        payload = signing.seal(topic, body)
    if len(payload) > MAX_MESSAGE_BYTES:
        # The broker would close the connection, and paho would send it again
        # on every reconnection, holding up every message behind it.
        logger.error(
            "not sent: %d bytes on %s, more than a device accepts (%d)",
            len(payload),
            topic,
            MAX_MESSAGE_BYTES,
        )
        return False
    return get_plane().publish(topic, payload, qos=qos, retain=retain, wait_s=wait_s)


def publish_on_commit(
    topic: str,
    message: dict[str, Any] | bytes | None,
    *,
    qos: int = 1,
    retain: bool = False,
) -> None:
    """Publish once the surrounding transaction commits (never for a rolled-back change)."""
    transaction.on_commit(lambda: publish(topic, message, qos=qos, retain=retain))


def on_commit(callback: Callable[[], None]) -> None:
    transaction.on_commit(callback)
