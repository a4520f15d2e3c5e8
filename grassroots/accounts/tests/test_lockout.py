"""Login lockout: forwarded addresses count only through a configured proxy."""

from django.test import override_settings

from grassroots.accounts import client_address
from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.testing import PASSWORD, make_user


def login(client, username, password=PASSWORD, **meta):
    return client.post(
        "/console/login/", {"username": username, "password": password}, **meta
    )


def test_a_spoofed_forwarded_header_gives_no_fresh_guesses(tree, client):
    make_user(Role.EDITOR, tree.commune_a, username="bientap")
    for n in range(5):
        login(
            client,
            "bientap",
            "sai-mat-khau",
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    locked = login(
        client, "bientap", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert locked.status_code == 429


@override_settings(GRASSROOTS_TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_configured_proxy_the_client_is_the_last_address_it_added(
    tree, client
):
    make_user(Role.EDITOR, tree.commune_a, username="bientap")
    for n in range(5):
        # The attacker writes any header it likes; the proxy appends the real one.
        login(
            client,
            "bientap",
            "sai-mat-khau",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        )
    locked = login(
        client,
        "bientap",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7",
    )
    assert locked.status_code == 429
    colleague = login(
        client, "bientap", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert colleague.status_code == 302
    entry = AuditEntry.objects.filter(action="account.login").latest("id")
    assert entry.ip_address == "198.51.100.8"


@override_settings(GRASSROOTS_LOGIN_ACCOUNT_FAILURE_LIMIT=8)
def test_an_account_locks_after_failures_from_many_addresses(tree, client):
    make_user(Role.EDITOR, tree.commune_a, username="bientap")
    for n in range(8):
        login(client, "bientap", "sai-mat-khau", REMOTE_ADDR=f"192.0.2.{n + 1}")
    # Even the right password, from an address that never failed.
    locked = login(client, "bientap", REMOTE_ADDR="198.51.100.50")
    assert locked.status_code == 429
    other = make_user(Role.EDITOR, tree.commune_a, username="khac")
    assert login(client, other.username, REMOTE_ADDR="192.0.2.1").status_code == 302


def test_addresses_are_read_the_same_way_everywhere(rf, settings):
    settings.GRASSROOTS_TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    direct = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address.of(direct) == "192.0.2.1"
    chained = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8, 10.0.0.9"
    )
    assert client_address.of(chained) == "5.6.7.8"
    garbled = rf.get("/", REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address.of(garbled) == "::1"
    only_proxies = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.0.0.3")
    assert client_address.of(only_proxies) == "10.0.0.3"
