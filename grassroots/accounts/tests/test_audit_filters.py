"""The audit log filters by action and channel names, and by a date range."""

from __future__ import annotations

import re

from grassroots.accounts import audit
from grassroots.accounts.models import Source
from grassroots.accounts.roles import Role
from grassroots.testing import PASSWORD, make_user


def _admin_client(tree, client):
    make_user(Role.ADMINISTRATOR, tree.commune_a, username="xa.quantri")
    client.post("/console/login/", {"username": "xa.quantri", "password": PASSWORD})
    return client


def _rows(response) -> str:
    """Return the listing's rows (not the keyboard-shortcuts table)."""
    assert response.status_code == 200
    bodies = re.findall(r"<tbody.*?</tbody>", response.content.decode(), re.S)
    return "".join(b for b in bodies if "keyboard" not in b)


def test_the_filters_offer_actions_and_channels_by_name(tree, client):
    page = _admin_client(tree, client).get("/console/audit/").content.decode()
    assert '<option value="role.grant">' in page
    assert re.search(r'<option value="command">\s*Dòng lệnh', page)
    assert "Từ ngày" in page and "Đến ngày" in page


def test_the_log_filters_by_action_and_date_range(tree, client):
    admin = _admin_client(tree, client)
    with audit.acting_as(audit.Origin(source=Source.COMMAND)):
        audit.record("role.grant", None, tree.commune_a, object_repr="Giao thử")
    only_grants = _rows(admin.get("/console/audit/?action=role.grant"))
    assert "Giao thử" in only_grants and "Bảng điều khiển" not in only_grants
    by_channel = _rows(admin.get("/console/audit/?source=command"))
    assert "Giao thử" in by_channel and "Bảng điều khiển" not in by_channel
    past = _rows(admin.get("/console/audit/?at_from=2000-01-01&at_to=2000-01-31"))
    assert "Giao thử" not in past
    assert "Giao thử" in _rows(admin.get("/console/audit/?at_from=2000-01-01"))


def test_a_malformed_filter_is_refused_politely(tree, client):
    admin = _admin_client(tree, client)
    for query in ["action=<b>x</b>", "at_from=2026-99-99", "source=<b>x</b>"]:
        response = admin.get(f"/console/audit/?{query}")
        assert response.status_code == 200, query
        assert "<b>x</b>" not in response.content.decode()
