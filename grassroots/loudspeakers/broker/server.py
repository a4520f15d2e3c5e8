"""Run the embedded broker with our password and ACL files (``grassroots broker``).

amqtt as shipped replaces an existing session with the same client id
before it checks the password, so anyone could knock a cluster offline by
connecting with its id and a wrong password. :class:`CheckedBroker` checks
credentials first and closes a refused connection without touching the
session of the real device. When an account disappears from the files
(revoked, retired), its open connections are closed.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from amqtt.broker import Broker
from amqtt.errors import MQTTError
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.utils import gen_client_id

from .plugins import _Files

logger = logging.getLogger(__name__)


class _Snapshot(dict):
    """A dict whose iteration and ``items()`` go over a copy.

    amqtt iterates over its subscriptions while awaiting inside the loop (when
    delivering, and when a client connects); a device subscribing meanwhile
    raised "dictionary changed size during iteration": the message was lost for
    everyone, or the connecting device was dropped (seen with 200 simulated
    devices connecting at once in ``make run``).
    """

    def __iter__(self):
        return iter(list(super().keys()))

    def items(self):  # type: ignore[override]
        return list(super().items())


class CheckedBroker(Broker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._subscriptions = _Snapshot()

    async def _initialize_client_session(
        self, reader, writer, remote_address, remote_port
    ):
        handler, session = await BrokerProtocolHandler.init_from_connect(
            reader, writer, self.plugins_manager
        )
        if not await self._authenticate(session, None):  # type: ignore[arg-type]
            handler.attach(session, reader, writer)
            session.parent = 0
            try:
                await handler.mqtt_connack_authorize(False)
            finally:
                await writer.close()
            raise MQTTError(f"refused {session.username!r} from {remote_address}")
        if session.clean_session:
            if session.client_id:
                await self._delete_session(session.client_id)
            else:
                session.client_id = gen_client_id()
            session.parent = 0
        elif session.client_id in self._sessions:
            existing, _handler = self._sessions[session.client_id]
            for name in (
                "will_flag",
                "will_message",
                "will_topic",
                "will_qos",
                "keep_alive",
                "username",
                "password",
            ):
                setattr(existing, name, getattr(session, name))
            # Keep the will's retain flag of the new connection too.
            existing.will_retain = session.will_retain
            session = existing
            session.parent = 1
        else:
            session.parent = 0
        if session.keep_alive > 0:
            # amqtt's own grace, as Mosquitto's 1.5 × keepalive.
            session.keep_alive += max(1, session.keep_alive // 2)
        return handler, session

    def close_users(self, keep: set[str]) -> None:
        """Close the connections of users that no longer have an account."""
        for client_id, (session, handler) in list(self._sessions.items()):
            if session.username not in keep and session.transitions.is_connected():
                logger.warning("closing %s: its credentials were withdrawn", client_id)
                asyncio.ensure_future(handler.handle_connection_closed())


def config(host: str, port: int, directory: Path) -> dict[str, Any]:
    return {
        "listeners": {
            "default": {
                "type": "tcp",
                "bind": f"{host}:{port}",
                "max_connections": 20000,
            }
        },
        "plugins": {
            "grassroots.loudspeakers.broker.plugins.FileAuthPlugin": {
                "directory": str(directory)
            },
            "grassroots.loudspeakers.broker.plugins.FileAclPlugin": {
                "directory": str(directory)
            },
        },
    }


async def serve(
    host: str,
    port: int,
    directory: Path,
    stop: asyncio.Event,
    ready: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set."""
    broker = CheckedBroker(config(host, port, directory))
    files = _Files.get(str(directory))
    files.on_reload.append(broker.close_users)
    await broker.start()
    logger.info("embedded MQTT broker listening on %s:%s", host, port)
    if ready is not None:
        ready.set()
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except TimeoutError:
                files.maybe_reload()
    finally:
        files.on_reload.remove(broker.close_users)
        await broker.shutdown()
