"""The console speaks Vietnamese: Wagtail's strings included, whatever the browser.

Wagtail ships an almost empty Vietnamese catalogue; ours, in
``grassroots/locale/vi`` (LOCALE_PATHS), translates every string of every
installed Wagtail app. A Wagtail upgrade that adds strings fails
``test_every_wagtail_string_has_a_vietnamese_translation`` with their list:
run ``scripts/console_catalogue.py sync``, translate, ``apply``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from wagtail.users.models import UserProfile

from grassroots.accounts.models import User
from grassroots.accounts.roles import Role
from grassroots.testing import PASSWORD, make_user

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}")


def _entries(path: Path) -> dict[tuple[str, str], polib.POEntry]:
    return {
        (e.msgctxt or "", e.msgid): e
        for e in polib.pofile(str(path))
        if e.msgid and not e.obsolete
    }


def _text(entry: polib.POEntry) -> str:
    if "fuzzy" in entry.flags:
        return ""
    return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr


def _wagtail_catalogues(domain: str) -> list[Path]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("wagtail"):
            path = Path(config.path) / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
            if path.exists():
                found.append(path)
    return found


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_wagtail_string_has_a_vietnamese_translation(domain):
    sources = _wagtail_catalogues(domain)
    assert sources, "no Wagtail catalogue found"
    ours = _entries(CATALOGUE / f"{domain}.po")
    missing = []
    for source in sources:
        for key, entry in _entries(source).items():
            if key in ours and _text(ours[key]).strip():
                continue
            missing.append(f"{source.parts[-5]}: {entry.msgid[:80]!r}")
    assert not missing, (
        f"{len(missing)} Wagtail string(s) without Vietnamese in "
        f"grassroots/locale/vi/LC_MESSAGES/{domain}.po (run "
        "scripts/console_catalogue.py sync, then translate):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_translations_keep_every_placeholder(domain):
    """A lost %(name)s would turn a page into a server error."""
    broken = []
    for entry in _entries(CATALOGUE / f"{domain}.po").values():
        text = _text(entry)
        source = entry.msgid_plural or entry.msgid
        if text and not set(PLACEHOLDER.findall(source)) <= set(
            PLACEHOLDER.findall(text)
        ):
            broken.append(f"{entry.msgid!r} -> {text!r}")
    assert not broken, "\n".join(broken)


def test_our_apps_agree_with_the_console_catalogue():
    """LOCALE_PATHS wins, so an app's different translation would never show."""
    ours = {k: _text(e) for k, e in _entries(CATALOGUE / "django.po").items()}
    package = Path(settings.LOCALE_PATHS[0]).parent
    disagreements = []
    for path in sorted(package.glob("*/locale/vi/LC_MESSAGES/django.po")):
        for key, entry in _entries(path).items():
            theirs = ours.get(key)
            if theirs and _text(entry) and _text(entry) != theirs:
                disagreements.append(
                    f"{path.parts[-5]}: {entry.msgid!r} is {_text(entry)!r} there, "
                    f"{theirs!r} in grassroots/locale (use the same words, or "
                    "pgettext with a context of your own)"
                )
    assert not disagreements, "\n".join(disagreements)


class _VisibleText(HTMLParser):
    """Collect what a person sees or hears: text, placeholders, labels, titles."""

    ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-w-tooltip-content"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _visible(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def _menu_labels(html: str) -> str:
    """Return the side menu's labels (Wagtail renders the menu from JSON props)."""
    match = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S)
    assert match, "no side menu on the page"
    labels: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            labels.extend(
                v for k, v in node.items() if k == "label" and isinstance(v, str)
            )
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(match.group(1)))
    return " | ".join(labels)


def _english_in(text: str, phrases: list[str]) -> list[str]:
    return [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


# Known English strings of the pages a commune administrator opens, with the
# Vietnamese that must replace them.
PAGES = {
    "/console/": (
        ["Dashboard", "Search all pages", "editor guide", "Account"],
        ["Trang tổng quan", "Tìm trong mọi trang", "Tài khoản"],
    ),
    "/console/users/": (
        ["Users", "Add a user", "Add user", "Username", "Last login", "Active"],
        ["Người dùng", "Tên đăng nhập", "Đăng nhập gần nhất", "Đang hoạt động"],
    ),
    "/console/areas/": (
        ["Areas", "Import hamlets", "Name", "code", "units below", "True", "False"],
        ["Đơn vị hành chính", "Nhập danh sách ấp", "Mã", "Đơn vị trực thuộc"],
    ),
    "/console/roles/": (
        ["Roles", "User", "Role", "Area", "granted", "Add", "Search"],
        ["Phân quyền", "Người dùng", "Vai trò", "Địa bàn", "Ngày giao", "Tìm kiếm"],
    ),
    "/console/audit/": (
        ["Audit log", "When", "Who", "Action", "Channel", "logged in", "console"],
        ["Nhật ký hệ thống", "Thời điểm", "Người thực hiện", "Thao tác", "Kênh"],
    ),
    "/console/account/": (
        [
            "Profile",
            "Name and Email",
            "First Name",
            "Profile picture",
            "Preferred language",
            "Current time zone",
            "Theme preferences",
            "Save",
        ],
        ["Hồ sơ", "Họ tên và email", "Ngôn ngữ ưa dùng", "Múi giờ hiện tại", "Lưu"],
    ),
}
MENU = (
    ["Search", "Areas", "Settings", "Users", "Roles", "Audit log", "Help", "Log out"],
    [
        "Đơn vị hành chính",
        "Cài đặt",
        "Người dùng",
        "Phân quyền",
        "Đăng xuất",
    ],
)
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def commune_admin(tree, client):
    user = make_user(Role.ADMINISTRATOR, tree.commune_a, username="xa.quantri")
    make_user(Role.EDITOR, tree.commune_a, username="xa.bientap")
    client.post(
        "/console/login/",
        {"username": "xa.quantri", "password": PASSWORD},
        **ENGLISH_BROWSER,
    )
    return user


def test_the_sign_in_page_is_vietnamese_even_for_an_english_browser(client, db):
    page = _visible(client.get("/console/login/", **ENGLISH_BROWSER).content.decode())
    english = ["Sign in", "Password", "Enter password", "Forgotten password?"]
    assert _english_in(page, english + ["Remember me", "Sign in to Wagtail"]) == []
    for vietnamese in ["Đăng nhập", "Mật khẩu", "Quên mật khẩu?", "Ghi nhớ đăng nhập"]:
        assert vietnamese in page


def test_a_wrong_password_is_explained_in_vietnamese(client, db):
    response = client.post(
        "/console/login/", {"username": "ai.do", "password": "sai"}, **ENGLISH_BROWSER
    )
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


@pytest.mark.parametrize("url", list(PAGES))
def test_console_pages_show_no_english(commune_admin, client, url):
    response = client.get(url, **ENGLISH_BROWSER)
    assert response.status_code == 200
    html = response.content.decode()
    text = _visible(html)
    english, vietnamese = PAGES[url]
    assert _english_in(text, english) == [], text
    for words in vietnamese:
        assert words in text, f"{words!r} missing on {url}"
    menu = _menu_labels(html)
    assert _english_in(menu, MENU[0]) == [], menu
    assert all(words in menu for words in MENU[1]), menu


def test_the_user_edit_page_shows_no_english(commune_admin, client):
    editor = User.objects.get(username="xa.bientap")
    html = client.get(f"/console/users/edit/{editor.pk}/", **ENGLISH_BROWSER)
    text = _visible(html.content.decode())
    english = ["Password confirmation", "Leave blank if not changing.", "Account"]
    assert _english_in(text, english + ["Roles", "Save", "Username"]) == []
    for words in ["Xác nhận mật khẩu", "Để trống nếu không đổi.", "Tài khoản", "Lưu"]:
        assert words in text


def test_the_javascript_catalogue_is_vietnamese(commune_admin, client):
    body = client.get("/console/jsi18n/", **ENGLISH_BROWSER).content.decode()
    for english, vietnamese in [("Pin toolbar", "Ghim thanh công cụ"), ("Save", "Lưu")]:
        assert f'"{english}": {json.dumps(vietnamese)}' in body


def test_an_official_can_choose_english_in_the_account_settings(commune_admin, client):
    profile = UserProfile.get_for_user(commune_admin)
    profile.preferred_language = "en"
    profile.save()
    page = _visible(client.get("/console/").content.decode())
    assert "Dashboard" in page and "Trang tổng quan" not in page
    profile.preferred_language = ""
    profile.save()
    assert "Trang tổng quan" in _visible(client.get("/console/").content.decode())


def test_the_language_cookie_chooses_english_and_a_forged_one_is_ignored(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Forgotten password?" in client.get("/console/login/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-<script>"
    assert "Quên mật khẩu?" in client.get("/console/login/").content.decode()


@pytest.mark.browser
def test_a_commune_administrator_sees_a_vietnamese_console_in_chromium(
    tree, live_server, browser, artifacts_dir
):
    make_user(Role.ADMINISTRATOR, tree.commune_a, username="xa.quantri")
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", "xa.quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")
    page.get_by_role("button", name="Cài đặt").click()
    page.get_by_role("link", name="Nhật ký hệ thống").wait_for()
    page.wait_for_timeout(400)  # let the flyout finish sliding in
    page.screenshot(path=f"{artifacts_dir}/i18n_console_menu.png")
    text = page.inner_text("body")
    assert _english_in(text, MENU[0] + ["Dashboard", "Account"]) == [], text
    assert "Phân quyền" in text and "Trang tổng quan" in page.title()
    assert "Wagtail" not in page.title()
    context.close()
