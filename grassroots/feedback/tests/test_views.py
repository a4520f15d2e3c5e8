"""The public form and tracking page: what a citizen does, and bad input refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .. import actions
from ..models import Feedback, Status
from .builders import DESCRIPTION, category, png_bytes, submit

pytestmark = pytest.mark.django_db


def form_data(tree, **extra):
    data = {
        "category": category().pk,
        "description": DESCRIPTION,
        "commune": tree.commune_a.pk,
        "hamlet": tree.hamlet_a1.pk,
        "address": "",
        "website": "",
    }
    data.update(extra)
    return data


def test_form_shows_communes_and_hamlets(client, place):
    response = client.get(reverse("feedback:submit"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Xã An Bình" in body and "Ấp Một" in body
    assert 'lang="vi"' in body


def test_the_map_shows_the_tile_servers_attribution(client, place, settings):
    settings.GRASSROOTS_MAP_TILES_URL = "https://tiles.example.vn/{z}/{x}/{y}.png"
    settings.GRASSROOTS_MAP_TILES_ATTRIBUTION = "© Bản đồ Đồng Tháp"
    body = client.get(reverse("feedback:submit")).content.decode()
    assert 'data-tiles="https://tiles.example.vn/{z}/{x}/{y}.png"' in body
    assert 'data-attribution="© Bản đồ Đồng Tháp"' in body


def test_citizen_submits_and_gets_a_code(client, place):
    photo = SimpleUploadedFile("o-ga.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("feedback:submit"),
        form_data(place, files=[photo], phone="0912 345 678", consent="on"),
    )
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert response["Location"] == f"/phan-anh/{item.code}/?new=1"
    assert item.area == place.commune_a and item.place == place.hamlet_a1
    assert item.phone == "0912345678"
    assert item.attachments.get().kind == "image"
    page = client.get(response["Location"])
    assert item.display_code in page.content.decode()
    assert "0912345678" not in page.content.decode()  # contact never shown


def test_honeypot_stores_nothing(client, place):
    response = client.post(
        reverse("feedback:submit"), form_data(place, website="http://spam")
    )
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_script_in_text_is_refused_with_a_message(client, place):
    response = client.post(
        reverse("feedback:submit"),
        form_data(
            place, description="Xin chào <script>alert(1)</script> mọi người nhé"
        ),
    )
    assert response.status_code == 400
    assert "HTML" in response.content.decode()
    assert not Feedback.objects.exists()


def test_oversized_file_is_refused(client, place, settings):
    settings.GRASSROOTS_FEEDBACK_MAX_FILE_BYTES = 1000
    big = SimpleUploadedFile("big.png", png_bytes((400, 400)), content_type="image/png")
    response = client.post(reverse("feedback:submit"), form_data(place, files=[big]))
    assert response.status_code == 400
    assert "big.png" in response.content.decode()
    assert not Feedback.objects.exists()


def test_file_pretending_to_be_a_photo_is_refused(client, place):
    fake = SimpleUploadedFile(
        "anh.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg"
    )
    response = client.post(reverse("feedback:submit"), form_data(place, files=[fake]))
    assert response.status_code == 400
    assert "anh.jpg" in response.content.decode()


def test_contact_needs_consent(client, place):
    response = client.post(reverse("feedback:submit"), form_data(place, email="a@b.vn"))
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_hamlet_must_belong_to_the_commune(client, place):
    response = client.post(
        reverse("feedback:submit"), form_data(place, hamlet=place.hamlet_b1.pk)
    )
    assert response.status_code == 400


def test_flood_from_one_address_is_refused(client, place, settings):
    settings.GRASSROOTS_FEEDBACK_RATE_ADDRESS = (3, 600)
    codes = []
    for n in range(4):
        response = client.post(
            reverse("feedback:submit"),
            form_data(
                place, description=f"{DESCRIPTION} Lần thứ {n} phản ánh việc này."
            ),
        )
        codes.append(response.status_code)
    assert codes == [302, 302, 302, 429]
    assert Feedback.objects.count() == 3


def test_flood_from_one_contact_is_refused(client, place, settings):
    settings.GRASSROOTS_FEEDBACK_RATE_CONTACT = (2, 3600)
    statuses = [
        client.post(
            reverse("feedback:submit"),
            form_data(
                place, email="a@b.vn", consent="on", description=f"{DESCRIPTION} {n}"
            ),
            REMOTE_ADDR=f"10.0.0.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_lookup_by_code_with_dash_and_lowercase(client, place):
    item = submit(place)
    code = f"{item.code[:5].lower()}-{item.code[5:].lower()}"
    response = client.get(reverse("feedback:lookup"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:track", args=[item.code])


def test_unknown_code_says_so_and_floods_are_stopped(client, place, settings):
    settings.GRASSROOTS_FEEDBACK_RATE_TRACK = (2, 600)
    first = client.get(reverse("feedback:lookup"), {"code": "AAAAA-BBBBB"})
    assert first.status_code == 404
    assert (
        "No feedback has this code" in first.content.decode()
        or "Không" in first.content.decode()
    )
    client.get(reverse("feedback:lookup"), {"code": "AAAAA-BBBBC"})
    assert (
        client.get(reverse("feedback:lookup"), {"code": "AAAAA-BBBBD"}).status_code
        == 429
    )


def test_tracking_page_shows_public_answer_not_notes(client, place, handler_a):
    item = submit(place)
    actions.add_note(handler_a, item, "Ghi chú nội bộ bí mật")
    actions.answer(handler_a, item, "Đã vá xong ổ gà.", public=True)
    body = client.get(reverse("feedback:track", args=[item.code])).content.decode()
    assert "Đã vá xong ổ gà." in body
    assert "bí mật" not in body


def test_citizen_reopens_from_the_tracking_page(client, place, handler_a):
    item = actions.answer(handler_a, submit(place), "Đã xử lý.")
    response = client.post(
        reverse("feedback:reopen", args=[item.code]), {"reason": "Ổ gà vẫn còn nguyên"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


def test_citizen_files_are_private_answer_files_public(client, place):
    photo = SimpleUploadedFile("o-ga.png", png_bytes(), content_type="image/png")
    client.post(reverse("feedback:submit"), form_data(place, files=[photo]))
    attachment = Feedback.objects.get().attachments.get()
    assert (
        client.get(reverse("feedback:attachment", args=[attachment.pk])).status_code
        == 404
    )


def test_errors_are_tied_to_their_inputs(client, place):
    response = client.post(
        reverse("feedback:submit"), form_data(place, description="ngắn")
    )
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_description_error id_description_help"' in body
    assert 'id="id_description_error"' in body


def test_unknown_tracking_page_explains_in_vietnamese(client, place):
    response = client.get("/phan-anh/AAAAA-BBBBB/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    assert "Không có phản ánh nào mang mã này" in response.content.decode()
