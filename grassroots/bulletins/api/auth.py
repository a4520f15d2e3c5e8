"""Peer systems authenticate with an API key: ``Authorization: Bearer`` or ``X-API-Key``."""

from __future__ import annotations

from ninja.security import APIKeyHeader, HttpBearer

from .. import actions
from ..models import ApiKey


class KeyBearer(HttpBearer):
    def authenticate(self, request, token):
        return _key(request, token)


class KeyHeader(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return _key(request, key)


def _key(request, secret: str | None) -> ApiKey | None:
    key = actions.authenticate(secret or "")
    if key is not None:
        request.peer = key.peer
    return key


PEER_AUTH = [KeyBearer(), KeyHeader()]
