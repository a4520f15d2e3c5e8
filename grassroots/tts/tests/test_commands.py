"""``grassroots tts normalize`` and ``grassroots tts render``."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from grassroots.tts.models import RenderedAudio

pytestmark = pytest.mark.django_db


def run(*args, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("tts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_normalize_prints_the_spoken_form():
    out, _ = run("normalize", "UBND xã: 7h30 ngày 15/3/2025")
    assert out.strip() == (
        "Ủy ban nhân dân xã: bảy giờ ba mươi phút ngày mười lăm tháng ba "
        "năm hai ngàn không trăm hai mươi lăm."
    )


def test_normalize_with_northern_voice_and_stdin(monkeypatch):
    out, _ = run(
        "normalize", "--voice", "north", stdin="105 hộ", monkeypatch=monkeypatch
    )
    assert out.strip() == "một trăm linh năm hộ."


def test_render_writes_the_mp3_and_says_its_hash(fake_engine, tmp_path):
    target = tmp_path / "thong-bao.mp3"
    _, err = run("render", "Thông báo cắt điện.", "-o", str(target), "--no-chimes")
    audio = RenderedAudio.objects.get()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == audio.mp3_sha256
    assert audio.mp3_sha256 in err and not audio.chime_before


def test_render_from_a_file_to_opus(fake_engine, tmp_path):
    source = tmp_path / "ban-tin.txt"
    source.write_text("Lịch tiêm vắc xin.", encoding="utf-8")
    target = tmp_path / "ban-tin.opus"
    run("render", "-f", str(source), "-o", str(target))
    assert target.read_bytes()[:4] == b"OggS"


@pytest.mark.parametrize(
    "args",
    [
        ["render", "Thông báo.", "-o", "out.wav"],
        ["render", "Thông báo.", "-o", "out.mp3", "--voice", "klingon"],
        ["render", "", "-o", "out.mp3"],
        ["normalize", "x", "--province", "99"],
        ["render", "-f", "/nonexistent.txt", "-o", "out.mp3"],
    ],
)
def test_bad_input_is_a_plain_error(fake_engine, args):
    with pytest.raises(CommandError):
        run(*args)
    assert RenderedAudio.objects.count() == 0
