"""Every filter of every console list, given extreme values, answers without a 500.

The pages and their filters are discovered, not listed: every console URL
without arguments is fetched as a verified superuser, and every field of each
of its GET forms (Wagtail's filters, the calendar's date, the dashboards'
pickers) is then sent, one at a time, each value below.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from grassroots.testing import login_verified, make_user

#: Values that broke list pages: year 1 and 9999 (in both date formats),
#: negative and 20-digit numbers, and text where a number is expected.
EXTREMES = (
    "0001-01-01",
    "01/01/0001",
    "31/12/9999 23:59",
    "-1",
    "99999999999999999999",
    "-99999999999999999999",
)
#: Pages that are not lists (log out, forms that change things, pickers of
#: Wagtail's page tree, which this system does not use) or that stream files.
SKIP = (
    "console/logout/",
    "console/2fa/",
    "console/failwhale/",
    "console/test404/",
    "console/api/",
    "console/choose-",
    "console/block-preview/",
    "console/password_reset/",
    "console/login/",
    "console/jsi18n/",
    "console/sprite/",
    "console/dismissibles/",
)


class _GetForms(HTMLParser):
    """Collect the names of the fields of every form submitted with GET."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "get":
                self._depth += 1
        elif self._depth and tag in ("input", "select", "textarea"):
            name = attrs.get("name")
            kind = (attrs.get("type") or "").lower()
            if name and kind not in ("submit", "button", "file", "hidden"):
                self.names.add(name)
            elif name and kind == "hidden" and name not in ("csrfmiddlewaretoken",):
                self.names.add(name)

    def handle_endtag(self, tag):
        if tag == "form" and self._depth:
            self._depth -= 1


def console_lists() -> list[str]:
    """Return every console URL that takes no argument and is not in ``SKIP``."""

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    found = []
    for route in walk(get_resolver().url_patterns, ""):
        if not route.startswith("console/") or "<" in route or "^" in route:
            continue
        if route.startswith(SKIP) or route.endswith(("/new/", "/add/", ".json")):
            continue
        found.append("/" + route)
    return sorted(set(found))


def fields_of(html: str) -> set[str]:
    parser = _GetForms()
    parser.feed(html)
    return parser.names


@pytest.fixture
def root(tree, client):
    user = make_user("administrator", tree.province)
    user.is_superuser = True
    user.save()
    login_verified(client, user)
    return user


def test_the_discovery_finds_the_lists_and_their_filters(root, client):
    """Guard against a fuzzer that silently tests nothing."""
    urls = console_lists()
    assert "/console/audit/" in urls and "/console/broadcasts/calendar/" in urls
    page = client.get("/console/audit/").content.decode()
    assert len(fields_of(page)) >= 3
    calendar = client.get("/console/broadcasts/calendar/").content.decode()
    assert "date" in fields_of(calendar)


def test_no_filter_value_gives_a_server_error(root, client):
    failures = []
    client.raise_request_exception = False
    urls = console_lists()
    for url in urls:
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            assert page.status_code < 500, url
            continue
        names = fields_of(page.content.decode())
        if not names:
            continue
        # Wagtail's lists filter the same way on their lighter results/ URL.
        target = url + "results/" if url + "results/" in urls else url
        for name in sorted(names | {"p", "ordering"}):
            for value in EXTREMES:
                response = client.get(target, {name: value})
                if response.status_code >= 500:
                    failures.append(f"{url}?{name}={value}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    [
        "/console/audit/?at_from=01/01/0001",
        "/console/audit/?at_to=31/12/9999",
        "/console/bulletins/?published_from=0001-01-01",
        "/console/inbox/?received_at_from=01/01/0001",
        "/console/users/?last_login_from=0001-01-01",
        "/console/users/?group=99999999999999999999",
        "/console/broadcasts/calendar/?date=01/01/0001",
        "/console/training/sessions/?starts_on__year=-1",
        "/console/training/sessions/?starts_on__year=99999999999999999999",
        "/console/working-calendar/?date__year=-5",
        "/console/working-calendar/?date__year=99999999999999999999",
    ],
)
def test_each_reported_filter_is_refused_in_vietnamese(url, root, client):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Năm phải từ 1900 đến 2200" in body or "Số quá lớn" in body, url
