"""The public portal: pages, feeds, the public API, caching, through real HTTP."""

import re
from datetime import timedelta

import pytest
from defusedxml import ElementTree
from django.utils import timezone

from grassroots.bulletins import actions
from grassroots.bulletins.tests.builders import make_bulletin, make_published, pdf_bytes

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_titles(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]


@pytest.fixture
def published(tree, people):
    return make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Lịch tiêm chủng tháng 12",
        targets=[tree.hamlet_a1],
    )


def test_the_pages_work_without_javascript(client, tree, published):
    for url in [
        "/",
        f"/khu-vuc/{tree.province.url_path}/",
        f"/khu-vuc/{tree.commune_a.url_path}/",
        f"/khu-vuc/{tree.hamlet_a1.url_path}/",
        "/chuyen-muc/y-te/",
        "/tim-kiem/?q=tiem+chung",
        published.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # One script only: the service worker's registration (the app, offline
        # reading); everything on the page is there without it.
        assert html.count("<script") == 1, url
        assert "citizen/register.js" in html, url
        assert 'lang="vi"' in html


def test_a_bulletin_shows_where_it_belongs(client, tree, people, published):
    assert (
        published.title
        in client.get(f"/khu-vuc/{tree.hamlet_a1.url_path}/").content.decode()
    )
    assert (
        published.title
        in client.get(f"/khu-vuc/{tree.commune_a.url_path}/").content.decode()
    )
    assert (
        published.title
        in client.get(f"/khu-vuc/{tree.province.url_path}/").content.decode()
    )
    # The sibling hamlet and the other commune do not carry it.
    assert (
        published.title
        not in client.get(f"/khu-vuc/{tree.hamlet_a2.url_path}/").content.decode()
    )
    assert (
        published.title
        not in client.get(f"/khu-vuc/{tree.commune_b.url_path}/").content.decode()
    )


def test_drafts_and_unknown_things_are_not_found(client, tree, people):
    draft = make_bulletin(people.editor_a, tree.commune_a, title="Nháp bí mật")
    assert client.get(f"/ban-tin/{draft.pk}/").status_code == 404
    assert "Nháp bí mật" not in client.get("/").content.decode()
    assert client.get("/khu-vuc/99/99999/").status_code == 404
    assert client.get("/chuyen-muc/khong-co/").status_code == 404
    assert client.get("/ban-tin/999999/").status_code == 404


def test_withdrawal_removes_it_from_the_portal_at_once(
    client, tree, people, published, committed
):
    url = published.get_absolute_url()
    home = f"/khu-vuc/{tree.commune_a.url_path}/"
    assert published.title in client.get(home).content.decode()  # now cached
    with committed():
        actions.withdraw(people.approver_a, published, reason="Sai ngày")
    assert published.title not in client.get(home).content.decode()
    gone = client.get(url)
    assert gone.status_code == 410
    assert published.title not in gone.content.decode()


def test_a_new_bulletin_appears_despite_the_cache(client, tree, people, committed):
    page = f"/khu-vuc/{tree.commune_a.url_path}/"
    client.get(page)
    with committed():
        fresh = make_published(
            people.editor_a, people.approver_a, tree.commune_a, title="Tin mới nhất"
        )
    assert fresh.title in client.get(page).content.decode()


def test_pages_carry_an_etag_and_answer_304(client, published):
    first = client.get("/")
    assert first["Cache-Control"].startswith("public")
    etag = first["ETag"]
    again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_the_audio_and_files_are_served_only_while_public(client, tree, people):
    import io

    from grassroots.bulletins import files

    data = pdf_bytes()
    bulletin = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        attachments=[
            (files.prepare(io.BytesIO(data), "kh.pdf", len(data)), "Kế hoạch")
        ],
    )
    attachment = bulletin.attachments.get()
    url = f"/ban-tin/{bulletin.pk}/tep/{attachment.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == data
    assert url in client.get(bulletin.get_absolute_url()).content.decode()
    actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    assert client.get(url).status_code == 404


def test_feeds_per_area_and_per_category(client, tree, people, published):
    flood = make_published(
        people.province_editor,
        people.province_approver,
        tree.province,
        title="Cảnh báo lũ",
        category="thien-tai",
        level="emergency",
    )
    everything = feed_titles(client.get("/feed/"))
    assert published.title in everything
    assert "[Khẩn cấp] Cảnh báo lũ" in everything or any(
        "Cảnh báo lũ" in t for t in everything
    )
    in_b = feed_titles(client.get(f"/khu-vuc/{tree.commune_b.url_path}/feed/"))
    assert any("Cảnh báo lũ" in t for t in in_b) and published.title not in in_b
    disasters = feed_titles(client.get("/chuyen-muc/thien-tai/feed/"))
    assert len(disasters) == 1 and "Cảnh báo lũ" in disasters[0]
    both = feed_titles(
        client.get(f"/khu-vuc/{tree.commune_a.url_path}/feed/?chuyen-muc=y-te")
    )
    assert both == [published.title]
    assert flood.pk


def test_search_ignores_diacritics_and_filters(client, tree, people, published):
    html = client.get("/tim-kiem/", {"q": "lich tiem chung"}).content.decode()
    assert published.title in html
    html = client.get(
        "/tim-kiem/", {"q": "lich tiem chung", "muc-do": "emergency"}
    ).content.decode()
    assert published.title not in html
    bad = client.get("/tim-kiem/", {"tu-ngay": "not-a-date"})
    assert bad.status_code == 200
    assert 'role="alert"' in bad.content.decode()


class TestPublicApi:
    def test_lists_are_paginated_and_filtered(self, client, tree, people):
        for n in range(3):
            make_published(
                people.editor_a, people.approver_a, tree.commune_a, title=f"Tin số {n}"
            )
        page = client.get("/api/v1/public/bulletins", {"page_size": 2}).json()
        assert page["count"] == 3 and page["pages"] == 2 and len(page["results"]) == 2
        assert page["next"].endswith("page=2") or "page=2" in page["next"]
        item = page["results"][0]
        assert set(item) >= {
            "id",
            "title",
            "url",
            "level",
            "attachments",
            "target_areas",
        }
        found = client.get("/api/v1/public/bulletins", {"q": "tin so 1"}).json()
        assert [r["title"] for r in found["results"]] == ["Tin số 1"]
        none = client.get(
            "/api/v1/public/bulletins", {"area": tree.commune_b.url_path}
        ).json()
        assert none["count"] == 0

    def test_etag_and_304(self, client, published):
        first = client.get("/api/v1/public/bulletins")
        assert first.status_code == 200
        assert "public" in first["Cache-Control"]
        again = client.get("/api/v1/public/bulletins", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304

    def test_one_bulletin_then_gone(self, client, people, published):
        url = f"/api/v1/public/bulletins/{published.uid}"
        assert client.get(url).json()["title"] == published.title
        actions.withdraw(people.approver_a, published, reason="Nhầm")
        from django.core.cache import cache

        cache.clear()
        gone = client.get(url)
        assert gone.status_code == 410
        assert gone.json()["code"] == "no_longer_in_force"

    @pytest.mark.parametrize(
        "params, status, code",
        [
            ({"area": "99/1"}, 404, "unknown_area"),
            ({"category": "khong-co"}, 400, "unknown_category"),
            ({"level": "urgent"}, 422, "invalid"),
            ({"page": "0"}, 422, "invalid"),
            ({"page_size": "1000"}, 422, "invalid"),
            ({"since": "hôm qua"}, 422, "invalid"),
        ],
    )
    def test_bad_filters_are_refused_with_a_code(
        self, client, db, params, status, code
    ):
        response = client.get("/api/v1/public/bulletins", params)
        assert response.status_code == status
        assert response.json()["code"] == code

    def test_the_openapi_document_describes_it(self, client):
        schema = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/public/bulletins" in schema["paths"]
        assert "/api/v1/bulletins/exchange/{external_id}" in schema["paths"]


def test_expired_bulletins_leave_lists_even_before_the_worker(client, tree, people):
    bulletin = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Hết hạn sớm",
        valid_until=timezone.now() + timedelta(minutes=2),
    )
    from grassroots.bulletins.models import Bulletin

    Bulletin.objects.filter(pk=bulletin.pk).update(
        valid_until=timezone.now() - timedelta(minutes=1)
    )
    assert "Hết hạn sớm" not in client.get("/").content.decode()
    assert re.search("Hết hạn sớm", client.get("/feed/").content.decode()) is None


def test_every_bulletin_with_a_recording_has_a_listen_button(
    client, tree, people, published, settings, tmp_path
):
    import io

    from grassroots.bulletins import files
    from grassroots.bulletins.tests.builders import wav_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GRASSROOTS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    data = wav_bytes()
    spoken = make_published(
        people.editor_a,
        people.approver_a,
        tree.commune_a,
        title="Thông báo có bản đọc",
        attachments=[
            (files.prepare(io.BytesIO(data), "doc.wav", len(data)), "Bản đọc")
        ],
    )
    html = client.get("/").content.decode()
    audio = spoken.attachments.get()
    listen = re.findall(r'<a class="button listen" href="([^"]+)"', html)
    # One "Nghe" button: the bulletin with a recording, not the one without.
    assert len(listen) == 1 and listen[0].endswith(f"/{audio.pk}/")
    assert ">Nghe</a>" in html
    assert client.get(listen[0]).status_code == 200
