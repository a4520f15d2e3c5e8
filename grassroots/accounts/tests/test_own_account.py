"""One's own account page and the e-mailed password link save through ``actions``.

Tried as an attacker would: fields the page does not offer, another
account's id, a wrong current password, a weak password. Whatever is
refused leaves the account as it was and no audit entry; whatever is saved
is audited, and the password is never in the log.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from wagtail.users.models import UserProfile

from grassroots.accounts import actions
from grassroots.accounts.models import AuditEntry, User
from grassroots.accounts.roles import Role
from grassroots.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW = "Mật-khẩu-mới-rất-dài-2026"
URL = "/console/account/"


@pytest.fixture
def clerk(tree):
    return make_user(Role.EDITOR, tree.hamlet_a1, username="clerk")


@pytest.fixture
def other(tree):
    return make_user(Role.EDITOR, tree.hamlet_a1, username="other")


def _form(**extra) -> dict[str, str]:
    """The account page's own fields, as the browser posts them."""
    return {
        "name_email-first_name": "Thị Hoa",
        "name_email-last_name": "Nguyễn",
        "name_email-email": "hoa@example.vn",
        "locale-preferred_language": "vi",
        "locale-current_time_zone": "Asia/Ho_Chi_Minh",
        "theme-theme": "system",
        "theme-contrast": "system",
        "theme-density": "default",
        **extra,
    }


def _entries(user: User, action: str):
    return AuditEntry.objects.filter(action=action, object_id=str(user.pk))


def test_names_email_and_language_are_saved_through_the_action(client, clerk):
    client.force_login(clerk)
    response = client.post(URL, _form(**{"locale-preferred_language": "en"}))
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.first_name, clerk.last_name) == ("Thị Hoa", "Nguyễn")
    assert clerk.email == "hoa@example.vn"
    assert UserProfile.get_for_user(clerk).preferred_language == "en"
    [entry] = _entries(clerk, "account.own_change")
    assert entry.actor == clerk
    assert set(entry.data["fields"]) >= {"first_name", "email", "preferred_language"}
    assert entry.area_path == clerk.area.path


def test_fields_the_page_does_not_offer_are_not_changed(client, clerk, tree):
    client.force_login(clerk)
    before = set(clerk.groups.values_list("name", flat=True))
    forged = {
        name: value
        for field, value in [
            ("is_superuser", "on"),
            ("is_staff", "on"),
            ("is_active", ""),
            ("groups", "1"),
            ("area", str(tree.province.pk)),
            ("username", "root"),
            ("role", Role.ADMINISTRATOR),
        ]
        for name in (field, f"name_email-{field}", f"locale-{field}")
    }
    assert client.post(URL, _form(**forged)).status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_superuser and clerk.is_active and not clerk.is_staff
    assert clerk.area == tree.hamlet_a1 and clerk.username == "clerk"
    assert set(clerk.groups.values_list("name", flat=True)) == before
    assert list(clerk.role_assignments.values_list("role", "area")) == [
        (Role.EDITOR, tree.hamlet_a1.pk)
    ]
    [entry] = _entries(clerk, "account.own_change")
    assert set(entry.data["fields"]) <= set(
        actions.OWN_FIELDS + actions.OWN_PREFERENCES
    )


def test_another_accounts_id_changes_only_ones_own(client, clerk, other):
    client.force_login(clerk)
    forged = {"id": other.pk, "pk": other.pk, "user": other.pk, "user_id": other.pk}
    assert client.post(f"{URL}?id={other.pk}", _form(**forged)).status_code == 302
    other.refresh_from_db()
    assert other.first_name != "Thị Hoa" and other.email != "hoa@example.vn"
    assert not _entries(other, "account.own_change").exists()
    clerk.refresh_from_db()
    assert clerk.first_name == "Thị Hoa"


def test_a_wrong_current_password_changes_nothing(client, clerk):
    client.force_login(clerk)
    response = client.post(
        URL,
        _form(
            **{
                "password-old_password": "không-phải-nó",
                "password-new_password1": NEW,
                "password-new_password2": NEW,
            }
        ),
    )
    assert response.status_code == 200
    assert "Mật khẩu cũ" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD) and clerk.first_name != "Thị Hoa"
    assert not AuditEntry.objects.filter(actor=clerk).exclude(action="account.login")


def test_a_weak_password_is_refused_in_vietnamese(client, clerk):
    client.force_login(clerk)
    response = client.post(
        URL,
        _form(
            **{
                "password-old_password": PASSWORD,
                "password-new_password1": "12345678",
                "password-new_password2": "12345678",
            }
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mật khẩu này quá ngắn" in page or "quá phổ biến" in page, page
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_a_password_change_is_audited_without_the_password(client, clerk):
    client.force_login(clerk)
    response = client.post(
        URL,
        _form(
            **{
                "password-old_password": PASSWORD,
                "password-new_password1": NEW,
                "password-new_password2": NEW,
            }
        ),
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW)
    assert client.get("/console/").status_code == 200, "still signed in"
    assert _entries(clerk, "account.password_change").count() == 1
    logged = json.dumps(list(AuditEntry.objects.values("data", "object_repr")))
    assert NEW not in logged and PASSWORD not in logged


def test_the_actions_refuse_what_is_not_ones_own_to_change(clerk, tree):
    for forged in ({"area": tree.province}, {"is_superuser": True}, {"username": "x"}):
        with pytest.raises(ValidationError):
            actions.update_own_account(clerk, **forged)
    with pytest.raises(ValidationError):
        actions.update_own_account(clerk, preferred_language="xx")
    with pytest.raises(ValidationError):
        actions.change_own_password(clerk, current_password="sai", new_password=NEW)
    with pytest.raises(ValidationError):
        actions.change_own_password(
            clerk, current_password=PASSWORD, new_password="123"
        )
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD) and clerk.area == tree.hamlet_a1
    assert not AuditEntry.objects.filter(actor=clerk).exclude(action="account.login")


def test_the_emailed_link_sets_the_password_through_the_action(client, clerk):
    clerk.email = "clerk@example.vn"
    clerk.save()
    client.post("/console/password_reset/", {"email": "clerk@example.vn"})
    [message] = mail.outbox
    link = re.search(r"/console/password_reset/confirm/[^\s]+/", message.body)
    assert link, message.body
    form = client.get(link.group(0), follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW)
    assert _entries(clerk, "account.password_reset").count() == 1


def test_error_reports_never_show_the_posted_passwords(rf, clerk):
    """Django's error reports hide the POST of the account page (as Wagtail's)."""
    from grassroots.accounts.own_account import OwnAccountView

    request = rf.post(URL, _form(**{"password-new_password1": NEW}))
    request.user = clerk
    OwnAccountView.as_view()(request)
    assert request.sensitive_post_parameters == "__ALL__"


def test_a_new_picture_replaces_the_old_through_the_action(
    client, clerk, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.feedback.tests.builders import png_bytes

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    client.force_login(clerk)
    for name in ("mot.png", "hai.png"):
        picture = SimpleUploadedFile(name, png_bytes(), content_type="image/png")
        response = client.post(URL, _form(**{"avatar-avatar": picture}))
        assert response.status_code == 302
    avatar = UserProfile.get_for_user(clerk).avatar
    assert "hai" in avatar.name
    assert [p.name for p in tmp_path.rglob("*.png")] == [avatar.name.split("/")[-1]]
    entries = _entries(clerk, "account.own_change")
    assert ["avatar" in e.data["fields"] for e in entries] == [True, True]


def test_an_account_made_without_names_or_email_changes_only_its_password(
    client, clerk
):
    """Administrators may leave names and e-mail empty; the page does not ask for them."""
    assert clerk.email == "" and clerk.first_name == ""
    client.force_login(clerk)
    response = client.post(
        URL,
        _form(
            **{
                "name_email-first_name": "",
                "name_email-last_name": "",
                "name_email-email": "",
                "password-old_password": PASSWORD,
                "password-new_password1": NEW,
                "password-new_password2": NEW,
            }
        ),
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW)
    changed = [e.data["fields"] for e in _entries(clerk, "account.own_change")]
    assert not set().union(*changed) & set(actions.OWN_FIELDS)
