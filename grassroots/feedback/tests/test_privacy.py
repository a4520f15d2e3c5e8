"""Citizens' personal data and files: only the area's feedback handlers and administrators."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from PIL import Image

from grassroots.accounts.roles import Role
from grassroots.bulletins.tests.builders import jpeg_with_gps
from grassroots.testing import make_user

from ..abuse import CheckedFile
from ..models import Attachment
from .builders import submit

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "Nguyễn Thị Hoa", "0912345678", "hoa@example.vn"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GRASSROOTS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.GRASSROOTS_PRIVATE_FILES_ACCEL = ""
    return tmp_path


@pytest.fixture
def item(place):
    photo = CheckedFile("IMG_0001.jpg", "image/jpeg", "image", 0, jpeg_with_gps())
    return submit(
        place,
        citizen_name=NAME,
        phone=PHONE,
        email=EMAIL,
        consent=True,
        files=[photo],
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.OPERATOR])
def test_other_roles_see_the_item_but_not_who_sent_it(role, item, place, client):
    client.force_login(make_user(role, place.commune_a))
    page = client.get(f"/console/feedback/{item.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert item.description[:30] in body
    for private in (NAME, PHONE, EMAIL, "IMG_0001.jpg"):
        assert private not in body, private
    photo = item.attachments.get()
    refused = client.get(f"/console/feedback/file/{photo.pk}/")
    assert refused.status_code in (302, 403, 404) and not refused.get(
        "X-Accel-Redirect"
    )
    assert client.get(photo.file.url).status_code in (403, 404)
    found = client.get(f"/console/feedback/?q={PHONE}").content.decode()
    assert item.display_code not in found


@pytest.mark.parametrize("role", [Role.FEEDBACK_HANDLER, Role.ADMINISTRATOR])
def test_handlers_and_administrators_of_the_area_see_everything(
    role, item, place, client
):
    client.force_login(make_user(role, place.commune_a))
    body = client.get(f"/console/feedback/{item.pk}/").content.decode()
    for private in (NAME, PHONE, EMAIL, "IMG_0001.jpg"):
        assert private in body, private
    photo = item.attachments.get()
    response = client.get(f"/console/feedback/file/{photo.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(photo.file.url).status_code == 200
    found = client.get(f"/console/feedback/?q={PHONE}").content.decode()
    assert item.display_code in found


def test_a_handler_of_another_commune_sees_nothing_of_it(item, place, client):
    client.force_login(make_user(Role.FEEDBACK_HANDLER, place.commune_b))
    assert client.get(f"/console/feedback/{item.pk}/").status_code == 404
    photo = item.attachments.get()
    assert client.get(photo.file.url).status_code in (403, 404)


def test_photos_lose_their_gps_and_are_never_under_public_media(item, private_root):
    photo = item.attachments.get()
    data = photo.file.open("rb").read()
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert 0x8825 not in exif and 0x010F not in exif
    assert item.code not in photo.file.name and "IMG_0001" not in photo.file.name
    assert not list((private_root / "media").rglob("*.jp*g"))
    assert list((private_root / "private").rglob("*.jpg"))


def test_public_media_does_not_serve_private_files(item, client):
    photo = item.attachments.get()
    assert client.get(django_settings.MEDIA_URL + photo.file.name).status_code == 404


def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(
    item, place, client, settings
):
    settings.GRASSROOTS_PRIVATE_FILES_ACCEL = "/_private/"
    client.force_login(make_user(Role.FEEDBACK_HANDLER, place.commune_a))
    photo = item.attachments.get()
    response = client.get(f"/console/feedback/file/{photo.pk}/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{photo.file.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert not response.content


def test_heic_photos_are_kept_as_jpeg_without_metadata(place):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (64, 48), "blue")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (10.0, 27.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="HEIF", exif=exif.tobytes())
    heic = CheckedFile("IMG_0002.heic", "image/heic", "image", 0, buffer.getvalue())
    item = submit(place, files=[heic])
    photo = item.attachments.get()
    assert photo.content_type == "image/jpeg" and photo.file.name.endswith(".jpg")
    with Image.open(photo.file.open("rb")) as stored:
        assert 0x8825 not in stored.getexif()


def test_a_public_answers_file_stays_downloadable_by_citizens(place, client):
    from .. import actions

    item = submit(place)
    handler = make_user(Role.FEEDBACK_HANDLER, place.commune_a)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    actions.answer(
        handler,
        item,
        "Đã sửa xong.",
        public=True,
        files=[
            CheckedFile("ket-qua.pdf", "application/pdf", "document", len(pdf), pdf)
        ],
    )
    answer_file = Attachment.objects.get(is_public=True)
    response = client.get(f"/phan-anh/tep/{answer_file.pk}/")
    assert response.status_code == 200
