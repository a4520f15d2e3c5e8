import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from grassroots.accounts import audit
from grassroots.accounts.middleware import AuditContextMiddleware
from grassroots.accounts.models import AuditEntry
from grassroots.testing import PASSWORD, make_user


def test_an_entry_records_who_what_when_where_and_which_object(tree):
    user = make_user("administrator", tree.commune_a)
    request = RequestFactory().post("/console/areas/", REMOTE_ADDR="203.0.113.7")

    def view(request):
        return audit.record("areas.create_hamlet", user, tree.hamlet_a1, data={"x": 1})

    entry = AuditContextMiddleware(view)(request)
    assert (entry.actor, entry.actor_name, entry.ip_address, entry.source) == (
        user,
        user.username,
        "203.0.113.7",
        "console",
    )
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "areas.area",
        str(tree.hamlet_a1.pk),
        "Ấp Một",
    )
    assert entry.area_path == tree.hamlet_a1.path and entry.data == {"x": 1}


def test_entries_cannot_be_changed_or_deleted_through_the_orm(tree):
    entry = audit.record("test.action", None, tree.province)
    entry.action = "forged"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_the_database_itself_refuses_to_rewrite_an_entry(tree):
    entry = audit.record("test.action", None, tree.province)
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE accounts_auditentry SET action = 'forged' WHERE id = %s", [entry.pk]
        )
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"


def test_logins_and_failed_logins_are_recorded_with_their_address(tree, client):
    user = make_user("editor", tree.commune_a, username="bientap")
    client.post(
        "/console/login/",
        {"username": "bientap", "password": "wrong"},
        REMOTE_ADDR="198.51.100.9",
    )
    client.post(
        "/console/login/",
        {"username": "bientap", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    failed = AuditEntry.objects.get(action="account.login_failed")
    login = AuditEntry.objects.get(action="account.login")
    assert (failed.object_repr, failed.ip_address) == ("bientap", "198.51.100.9")
    assert (login.actor, login.ip_address, login.area_path) == (
        user,
        "198.51.100.9",
        tree.commune_a.path,
    )


def test_a_lost_trigger_is_reported_by_the_system_checks(db):
    from grassroots.accounts.checks import audit_log_is_append_only

    assert audit_log_is_append_only(None) == []
    with connection.cursor() as cursor:
        suffix = " ON accounts_auditentry" if connection.vendor == "postgresql" else ""
        cursor.execute("DROP TRIGGER accounts_auditentry_no_update" + suffix)
    assert [e.id for e in audit_log_is_append_only(None)] == ["grassroots.E001"]


def _refused(sql, params=()):
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, list(params))


def test_the_database_itself_refuses_to_delete_entries(tree):
    entry = audit.record("test.action", None, tree.province)
    _refused("DELETE FROM accounts_auditentry WHERE id = %s", [entry.pk])
    _refused("DELETE FROM accounts_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no TRUNCATE statement"
)
def test_postgresql_refuses_to_truncate_the_log(tree):
    entry = audit.record("test.action", None, tree.province)
    _refused("TRUNCATE accounts_auditentry")
    _refused("TRUNCATE accounts_auditentry CASCADE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_restores_the_guards(tree):
    from django.core.management import call_command

    from grassroots.accounts import audit_triggers

    audit.record("test.action", None, tree.province)
    before = set(audit_triggers.present(connection))
    # As the test teardown does: no post_migrate (it would recreate rows with
    # new ids, which the next serialized test then clashes with).
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not AuditEntry.objects.exists()
    assert set(audit_triggers.present(connection)) == before
    assert "accounts_auditentry_no_delete" in before


def test_a_lost_delete_trigger_is_reported_by_the_system_checks(db):
    from grassroots.accounts.checks import audit_log_is_append_only

    assert audit_log_is_append_only(None) == []
    with connection.cursor() as cursor:
        suffix = " ON accounts_auditentry" if connection.vendor == "postgresql" else ""
        cursor.execute("DROP TRIGGER accounts_auditentry_no_delete" + suffix)
    assert [e.id for e in audit_log_is_append_only(None)] == ["grassroots.E001"]
