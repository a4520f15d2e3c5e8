"""Files are judged by their content, limited in size, and made safe."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from grassroots.bulletins import files
from grassroots.bulletins.models import AttachmentKind

from .builders import jpeg_with_gps, pdf_bytes, png_bytes, wav_bytes


def prepare(data: bytes, name: str):
    return files.prepare(io.BytesIO(data), name, len(data))


def test_the_content_decides_not_the_name():
    prepared = prepare(png_bytes((40, 30)), "report.pdf")
    assert prepared.kind == AttachmentKind.IMAGE
    assert prepared.file.name.endswith((".jpg", ".png"))


def test_a_program_renamed_as_audio_is_refused_with_the_reason():
    with pytest.raises(ValidationError) as refused:
        prepare(b"MZ\x90\x00" + b"\x00" * 200, "bai-hat.mp3")
    message = refused.value.messages[0]
    assert "bai-hat.mp3" in message
    # In the user's language (Vietnamese by default): it says the content is checked.
    assert "kiểm tra nội dung tệp" in message


def test_html_is_not_an_attachment():
    with pytest.raises(ValidationError):
        prepare(b"<html><script>alert(1)</script></html>", "thong-bao.pdf")


def test_a_fake_mp3_with_a_real_header_is_refused():
    with pytest.raises(ValidationError):
        prepare(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"junk" * 100, "tin.mp3")


def test_real_audio_is_accepted_with_its_duration():
    prepared = prepare(wav_bytes(0.5), "loa.wav")
    assert prepared.kind == AttachmentKind.AUDIO
    assert prepared.duration_s == pytest.approx(0.5, abs=0.05)


def test_images_are_resized_and_stripped_of_metadata():
    from PIL import Image

    big = prepare(png_bytes((3200, 1600)), "anh.png")
    assert max(big.width, big.height) == files.IMAGE_MAX_SIDE_PX
    photo = prepare(jpeg_with_gps(), "anh.jpg")
    reopened = Image.open(io.BytesIO(photo.file.read()))
    assert not reopened.getexif()


def test_a_damaged_image_is_refused():
    data = png_bytes((50, 50))
    with pytest.raises(ValidationError):
        prepare(data[: len(data) // 2], "anh.png")


def test_a_truncated_pdf_is_refused_and_a_whole_one_accepted():
    data = pdf_bytes()
    assert prepare(data, "kh.pdf").kind == AttachmentKind.DOCUMENT
    with pytest.raises(ValidationError):
        prepare(data[:200], "kh.pdf")


def test_files_over_the_limit_are_refused_with_sizes():
    with override_settings(GRASSROOTS_ATTACHMENT_LIMITS={"audio": 1000}):
        with pytest.raises(ValidationError) as refused:
            prepare(wav_bytes(0.5), "dai.wav")
    assert "1000" in refused.value.messages[0] or "KB" in refused.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        prepare(b"", "rong.pdf")
