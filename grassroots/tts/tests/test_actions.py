"""Rendering: requested once, stored by hash, status that tells the truth."""

import hashlib
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from grassroots.accounts.models import AuditEntry
from grassroots.testing import make_user
from grassroots.tts import actions, speech
from grassroots.tts.models import Abbreviation, RenderedAudio, SpeechSettings, Status
from grassroots.tts.signals import audio_rendered

pytestmark = pytest.mark.django_db


def sha256(name):
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


class TestRequestRender:
    def test_same_text_and_voice_is_rendered_once(
        self, fake_engine, tree, django_capture_on_commit_callbacks
    ):
        """A second request for the same text returns the same ready audio."""
        with django_capture_on_commit_callbacks(execute=True):
            first = actions.request_render("Họp dân lúc 19:00.", area=tree.commune_a)
        first.refresh_from_db()
        assert first.status == Status.READY
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            second = actions.request_render("Họp dân lúc 19:00.", area=tree.commune_a)
        assert second.pk == first.pk and second.is_ready
        assert callbacks == []  # nothing queued
        assert len(fake_engine.calls) == 1
        assert fake_engine.calls[0][0] == "Họp dân lúc mười chín giờ."

    def test_files_are_stored_under_their_hash(self, fake_engine, tree):
        audio = actions.render_now("Thông báo cắt điện.", area=tree.province)
        assert audio.mp3.name == f"audio/{audio.mp3_sha256[:2]}/{audio.mp3_sha256}.mp3"
        assert audio.opus.name.endswith(f"{audio.opus_sha256}.opus")
        assert sha256(audio.mp3.name) == audio.mp3_sha256
        assert sha256(audio.opus.name) == audio.opus_sha256
        assert audio.mp3_bytes == default_storage.size(audio.mp3.name)
        assert audio.duration_ms > 3600  # chimes and gaps are counted
        assert audio.mp3_url.startswith("/media/audio/")

    def test_another_voice_or_setting_is_another_render(self, fake_engine, tree):
        a = actions.render_now("Thông báo.", area=tree.province, voice="north")
        b = actions.render_now("Thông báo.", area=tree.province, voice="south")
        c = actions.render_now("Thông báo.", area=tree.province, chimes=False)
        assert len({a.key, b.key, c.key}) == 3
        assert not c.chime_before and not c.chime_after

    def test_province_dictionary_changes_what_is_said(self, fake_engine, tree):
        Abbreviation.objects.create(
            province=tree.province, abbreviation="K.", spoken="khóm"
        )
        audio = actions.render_now("K. 3", area=tree.hamlet_a1)
        assert audio.spoken_text == "khóm ba."
        other = actions.render_now("K. 3", area=tree.other_commune)
        assert other.spoken_text != audio.spoken_text

    def test_province_settings_choose_voice_rate_and_loudness(self, fake_engine, tree):
        SpeechSettings.objects.create(
            province=tree.province, voice="north", rate=120, target_lufs=-18
        )
        audio = actions.render_now("Có 105 hộ.", area=tree.commune_b)
        assert (audio.voice, audio.rate, audio.target_lufs) == ("north", 120, -18)
        assert audio.spoken_text == "Có một trăm linh năm hộ."  # Northern forms
        assert audio.loudness_lufs == pytest.approx(-18, abs=1.5)

    def test_empty_huge_or_unreadable_text_is_refused(self, fake_engine):
        too_long = "x" * (speech.MAX_TEXT_CHARS + 1)
        for text in ("", "   ", too_long, "<b></b>", "!!! ...", "\x00"):
            with pytest.raises(ValidationError):
                actions.request_render(text)
        assert RenderedAudio.objects.count() == 0

    def test_unknown_voice_is_refused(self, fake_engine):
        with pytest.raises(ValidationError):
            actions.request_render("Thông báo.", voice="klingon")

    def test_staff_without_a_speaking_role_may_not_render(self, fake_engine, tree):
        viewer = make_user("viewer", tree.commune_a)
        with pytest.raises(PermissionDenied):
            actions.request_render("Thông báo.", area=tree.commune_a, actor=viewer)
        operator = make_user("operator", tree.commune_a)
        with pytest.raises(PermissionDenied):
            actions.request_render("Thông báo.", area=tree.commune_b, actor=operator)

    def test_request_by_staff_is_audited(self, fake_engine, tree):
        editor = make_user("editor", tree.commune_a)
        actions.request_render(
            "Thông báo.", area=tree.commune_a, actor=editor, enqueue=False
        )
        entry = AuditEntry.objects.get(action="tts.render_request")
        assert entry.actor == editor and entry.area_path == tree.commune_a.path
        assert entry.data["cached"] is False


class TestRender:
    def test_engine_failure_is_recorded_and_retried_on_request(self, fake_engine, tree):
        fake_engine.fail_with = RuntimeError("engine crashed")
        with pytest.raises(actions.RenderError, match="engine crashed"):
            actions.render_now("Thông báo.", area=tree.province)
        audio = RenderedAudio.objects.get()
        assert audio.status == Status.FAILED and "engine crashed" in audio.error
        fake_engine.fail_with = None
        again = actions.render_now("Thông báo.", area=tree.province)
        assert again.pk == audio.pk and again.is_ready and again.error == ""
        assert again.attempts == 2

    def test_missing_ffmpeg_gives_a_clear_error(self, fake_engine, tree, monkeypatch):
        real_which = shutil.which
        monkeypatch.setattr(
            shutil, "which", lambda n: None if n == "ffmpeg" else real_which(n)
        )
        with pytest.raises(actions.RenderError) as caught:
            actions.render_now("Thông báo.", area=tree.province)
        assert "ffmpeg" in str(caught.value)
        assert "apt-get install ffmpeg" in str(caught.value)

    def test_a_render_is_claimed_once(self, fake_engine, tree):
        audio = actions.request_render("Thông báo.", enqueue=False)
        actions.render(audio.pk)
        actions.render(audio.pk)  # a duplicate job finds nothing to do
        assert len(fake_engine.calls) == 1

    def test_a_stale_render_is_taken_again(self, fake_engine, tree):
        from datetime import timedelta

        from django.utils import timezone

        audio = actions.request_render("Thông báo.", enqueue=False)
        RenderedAudio.objects.filter(pk=audio.pk).update(
            status=Status.RENDERING,
            started_at=timezone.now() - actions.STALE_AFTER - timedelta(minutes=1),
        )
        assert actions.render(audio.pk).is_ready

    def test_signal_is_sent_after_commit(
        self, fake_engine, django_capture_on_commit_callbacks
    ):
        received = []

        def listener(sender, audio, **kwargs):
            received.append(audio.status)

        audio_rendered.connect(listener)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                actions.render_now("Thông báo.")
        finally:
            audio_rendered.disconnect(listener)
        assert received == [Status.READY]


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng not installed")
def test_real_espeak_and_ffmpeg_make_playable_files_at_the_target_loudness(tree):
    """Integration: espeak-ng, loudness, MP3 and Opus, decoded again by ffmpeg."""
    audio = actions.render_now(
        "Ủy ban nhân dân xã thông báo: do ảnh hưởng của lũ, mực nước sông Tiền "
        "lúc 7h sáng nay đạt 4,2 m. Đề nghị bà con chủ động gia cố bờ bao.",
        area=tree.province,
        chimes=False,
    )
    assert audio.engine.startswith("espeak-ng") and audio.voice == "vi-vn-x-south"
    assert audio.loudness_lufs == pytest.approx(-16, abs=1)
    assert audio.peak_db <= -1.5
    for name in (audio.mp3.name, audio.opus.name):
        probe = subprocess.run(  # noqa: S603 - fixed arguments
            [
                shutil.which("ffprobe") or "/usr/bin/ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                default_storage.path(name),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert float(probe.stdout) == pytest.approx(audio.duration_ms / 1000, abs=0.3)


def test_settings_and_dictionary_actions_are_scoped_and_audited(tree):
    province_operator = make_user("operator", tree.province)
    commune_operator = make_user("operator", tree.commune_a)
    actions.save_speech_settings(
        province_operator,
        tree.province,
        voice="vi",
        rate=150,
        pitch=50,
        target_lufs=-17,
        chime_before=False,
        chime_after=True,
    )
    assert SpeechSettings.objects.get(province=tree.province).voice == "vi"
    with pytest.raises(PermissionDenied):
        actions.save_speech_settings(
            commune_operator,
            tree.province,
            voice="vi",
            rate=150,
            pitch=50,
            target_lufs=-17,
            chime_before=False,
            chime_after=True,
        )
    with pytest.raises(ValidationError):
        actions.save_speech_settings(
            province_operator,
            tree.province,
            voice="vi",
            rate=150,
            pitch=50,
            target_lufs=-3,
            chime_before=False,
            chime_after=True,
        )
    entry = actions.save_abbreviation(
        province_operator, tree.province, abbreviation=" K. ", spoken="khóm"
    )
    assert entry.abbreviation == "K."
    with pytest.raises(ValidationError):
        actions.save_abbreviation(
            province_operator, tree.province, abbreviation="X", spoken=""
        )
    with pytest.raises(PermissionDenied):
        actions.save_abbreviation(
            commune_operator, tree.province, abbreviation="Y", spoken="y"
        )
    added = actions.install_default_abbreviations(province_operator, tree.province)
    assert added > 150
    assert actions.install_default_abbreviations(province_operator, tree.province) == 0
    actions.delete_abbreviation(province_operator, entry)
    codes = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "tts.settings_change",
        "tts.dictionary_add",
        "tts.dictionary_install",
        "tts.dictionary_delete",
    } <= codes


def test_missing_espeak_gives_a_clear_error_and_a_system_check(tree, monkeypatch):
    """An administrator reads which package to install, in the console and in checks."""
    from grassroots.tts.checks import speech_programs

    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda n: None if n == "espeak-ng" else real_which(n)
    )
    with pytest.raises(actions.RenderError) as caught:
        actions.render_now("Thông báo.", area=tree.province)
    assert "apt-get install espeak-ng" in str(caught.value)
    assert RenderedAudio.objects.get().status == Status.FAILED
    assert [w.id for w in speech_programs(None)] == ["tts.W001"]


def test_urgent_renders_jump_the_queue(
    fake_engine, monkeypatch, django_capture_on_commit_callbacks
):
    """An emergency bulletin's audio is queued with a higher huey priority."""
    from grassroots.tts import tasks

    queued = []
    monkeypatch.setattr(
        tasks, "render_audio", lambda pk, priority: queued.append((pk, priority))
    )
    with django_capture_on_commit_callbacks(execute=True):
        normal = actions.request_render("Thông báo họp dân.")
        urgent = actions.request_render("Khẩn cấp: sơ tán.", urgent=True)
    assert queued == [
        (normal.pk, tasks.NORMAL_PRIORITY),
        (urgent.pk, tasks.URGENT_PRIORITY),
    ]
    assert tasks.URGENT_PRIORITY > tasks.NORMAL_PRIORITY
