import time

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from grassroots.accounts.models import AuditEntry
from grassroots.accounts.roles import Role
from grassroots.accounts.tests.test_actions import code_for
from grassroots.testing import PASSWORD, make_user


def login(client, username, password=PASSWORD, ip="192.0.2.1"):
    return client.post(
        "/console/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_the_console_speaks_vietnamese_by_default(client, db):
    page = client.get("/console/login/").content.decode()
    assert "Đăng nhập" in page


def test_five_wrong_passwords_lock_the_account_for_that_address(tree, client):
    make_user(Role.EDITOR, tree.commune_a, username="bientap")
    for _ in range(5):
        login(client, "bientap", "sai-mat-khau")
    locked = login(client, "bientap")  # even the right password, now
    assert locked.status_code == 429
    assert "15 phút" in locked.content.decode()
    other_address = login(client, "bientap", ip="192.0.2.99")
    assert other_address.status_code == 302


def _enrolled_operator(tree):
    """Return an operator who enrolled a device earlier (its codes not yet used)."""
    user = make_user(Role.OPERATOR, tree.commune_a, username="phatthanh")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_with_a_device_the_console_asks_for_the_code_after_the_password(tree, client):
    user, device = _enrolled_operator(tree)
    login(client, "phatthanh")
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/console/2fa/"
    )
    wrong = client.post("/console/2fa/", {"token": "000000", "next": "/console/"})
    assert "Mã sai" in wrong.content.decode()
    time.sleep(1.1)  # django-otp slows guessing: one second after a wrong code
    device.refresh_from_db()
    response = client.post(
        "/console/2fa/", {"token": code_for(device), "next": "/console/"}
    )
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200
    assert AuditEntry.objects.filter(action="account.2fa_verified", actor=user).exists()


@override_settings(GRASSROOTS_REQUIRE_2FA=True)
def test_when_required_broadcasters_must_enrol_and_others_need_not(tree, client):
    make_user(Role.OPERATOR, tree.commune_a, username="phatthanh")
    make_user(Role.EDITOR, tree.commune_a, username="bientap")
    login(client, "phatthanh")
    response = client.get("/console/")
    assert response["Location"].startswith("/console/2fa/setup/")
    assert "quét mã" in client.get(response["Location"]).content.decode()
    client.logout()
    login(client, "bientap")
    assert client.get("/console/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/console/audit/new/", "/console/audit/1/", "/console/audit/1/delete/"]
)
def test_the_audit_log_cannot_be_edited_even_by_a_superuser(
    path, tree, client, django_user_model
):
    client.force_login(
        django_user_model.objects.create_superuser("root", "r@example.org", "x")
    )
    refused = (302, 403, 404, 405)  # Wagtail answers a refusal with a redirect home
    assert client.get(path).status_code in refused
    response = client.post(path, {"action": "forged"})
    assert response.status_code in refused
    if response.status_code == 302:
        assert response["Location"] == "/console/"
    assert not AuditEntry.objects.filter(action="forged").exists()


def test_administrators_read_and_filter_the_audit_log_of_their_area(tree, client):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
    make_user(Role.EDITOR, tree.commune_a, username="nguoi-a")
    make_user(Role.EDITOR, tree.commune_b, username="nguoi-b")
    client.force_login(admin)
    page = client.get("/console/audit/?action=role.grant").content.decode()
    assert "nguoi-a" in page and "nguoi-b" not in page


def test_an_english_browser_still_gets_vietnamese_until_english_is_chosen(tree, client):
    admin = make_user(Role.ADMINISTRATOR, tree.commune_a)
    client.force_login(admin)
    page = client.get(
        "/console/areas/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert "Đơn vị hành chính" in page
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "en"
    profile.save()
    assert "Areas" in client.get("/console/areas/").content.decode()
