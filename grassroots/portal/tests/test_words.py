"""The portal speaks plain Vietnamese: a search hint, no technical words."""

import re
from html import unescape

import pytest

from grassroots.bulletins.tests.builders import make_published

#: Words a citizen should never read on the portal.
TECHNICAL = ["JSON", "API", "None", "True", "False", "RRULE", "SHA-256", "GRASSROOTS_"]


@pytest.fixture
def published(tree, people):
    return make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Lịch tiêm chủng tháng 12",
        targets=[tree.hamlet_a1],
    )


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    attributes = " ".join(
        re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]*)"', html)
    )
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + attributes)


def test_search_offers_a_vietnamese_hint(client, tree, published):
    for url in ["/", "/tim-kiem/?q=tiem+chung"]:
        html = client.get(url).content.decode()
        assert 'placeholder="Nhập từ khóa, ví dụ: lịch tiêm chủng"' in html, url


def test_no_technical_word_on_the_portal(client, tree, published):
    for url in [
        "/",
        f"/khu-vuc/{tree.commune_a.url_path}/",
        f"/khu-vuc/{tree.hamlet_a1.url_path}/",
        "/tim-kiem/?q=tiem+chung",
        published.get_absolute_url(),
    ]:
        text = _visible(client.get(url).content.decode())
        found = [w for w in TECHNICAL if re.search(rf"\b{re.escape(w)}", text)]
        assert not found, (url, found)
        assert "thôn" not in text.lower().split(), url
