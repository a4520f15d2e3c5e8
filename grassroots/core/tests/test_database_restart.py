"""After a PostgreSQL restart each process's next request gets a working connection.

Production settings hand connections out of a pool; without a check on
checkout, the first request after a restart got a connection the server had
closed, and ``/healthz`` answered 503 (seen in ``bench/soak.py``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

import grassroots.settings

pytestmark = pytest.mark.django_db(transaction=True)


def _production_database() -> dict:
    """The ``default`` database of the settings every mode shares, pool included."""
    path = Path(grassroots.settings.__file__).with_name("base.py")
    spec = importlib.util.spec_from_file_location("grassroots.settings._base", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DATABASES["default"]


def test_a_pooled_connection_cut_by_the_server_is_replaced_on_checkout():
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's; SQLite opens a file per connection")
    given = _production_database()
    assert "pool" in given["OPTIONS"]
    pooled = ConnectionHandler(
        {"default": {**given, "NAME": connection.settings_dict["NAME"]}}
    )["default"]
    try:
        with pooled.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [pid] = cursor.fetchone()
        pooled.close()  # back to the pool, as at the end of a request
        with connection.cursor() as cursor:  # the restart, for this one connection
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        with pooled.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [fresh] = cursor.fetchone()
        assert fresh != pid
    finally:
        pooled.close()
        pooled.close_pool()
