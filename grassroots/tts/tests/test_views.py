"""The console: preview with polling, the voice page, the dictionary pages."""

import pytest

from grassroots.accounts.models import AuditEntry
from grassroots.testing import make_user
from grassroots.tts.forms import PREVIEW_MAX_CHARS
from grassroots.tts.models import Abbreviation, RenderedAudio, SpeechSettings

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def operator(tree, client):
    user = make_user("operator", tree.commune_a)
    client.force_login(user)
    return user


def post_preview(client, text, **extra):
    data = {"text": text, "voice": "south", "rate": "145", "chimes": "on", **extra}
    return client.post("/console/speech/", data, **HTMX)


class TestPreview:
    def test_page_shows_the_form_and_the_province(self, fake_engine, operator, client):
        response = client.get("/console/speech/")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="text"' in body and "Tỉnh Thử Nghiệm" in body
        assert "core/vendor/htmx.min.js" in body

    def test_spoken_form_follows_the_text(self, fake_engine, operator, client):
        response = client.post(
            "/console/speech/spoken/",
            {"text": "UBND xã họp lúc 7h30", "voice": "south"},
            **HTMX,
        )
        assert (
            "Ủy ban nhân dân xã họp lúc bảy giờ ba mươi phút"
            in response.content.decode()
        )
        assert client.get("/console/speech/spoken/").status_code == 405

    def test_listen_queues_then_polling_shows_the_player(
        self, fake_engine, operator, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            response = post_preview(client, "Họp dân lúc 19:00.")
        audio = RenderedAudio.objects.get()
        body = response.content.decode()
        assert f'hx-get="/console/speech/audio/{audio.key}/"' in body
        assert 'hx-trigger="every 1s"' in body
        from grassroots.tts import actions

        actions.render(audio.pk)
        body = client.get(
            f"/console/speech/audio/{audio.key}/", **HTMX
        ).content.decode()
        assert 'data-status="ready"' in body and "<audio" in body
        assert audio.key[:8] not in body or "hx-get" not in body  # polling stopped
        assert f"{RenderedAudio.objects.get().mp3_sha256}" in body

    def test_a_job_waiting_too_long_says_the_worker_may_be_down(
        self, fake_engine, operator, client, django_capture_on_commit_callbacks
    ):
        from datetime import timedelta

        from django.utils import timezone

        with django_capture_on_commit_callbacks(execute=False):
            post_preview(client, "Thông báo.")
        audio = RenderedAudio.objects.get()
        url = f"/console/speech/audio/{audio.key}/"
        assert "worker" not in client.get(url).content.decode()
        RenderedAudio.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        assert "worker" in client.get(url).content.decode()
        # Without JavaScript, "check again" shows the whole page with the status.
        page = client.get(f"/console/speech/?audio={audio.key}").content.decode()
        assert "<html" in page and 'data-status="queued"' in page

    def test_failure_is_shown_with_its_reason(
        self, fake_engine, operator, client, django_capture_on_commit_callbacks
    ):
        fake_engine.fail_with = RuntimeError("engine is down")
        with django_capture_on_commit_callbacks(execute=True):
            post_preview(client, "Thông báo.")
        audio = RenderedAudio.objects.get()
        body = client.get(f"/console/speech/audio/{audio.key}/").content.decode()
        assert 'data-status="failed"' in body and "engine is down" in body

    def test_without_htmx_the_whole_page_comes_back(
        self, fake_engine, operator, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/console/speech/",
                {"text": "Thông báo.", "voice": "south", "rate": "145"},
            )
        body = response.content.decode()
        assert response.status_code == 200 and "<html" in body
        assert 'data-status="queued"' in body  # rendered once the request committed
        assert RenderedAudio.objects.get().is_ready

    @pytest.mark.parametrize(
        ("text", "extra"),
        [
            ("", {}),
            ("x" * (PREVIEW_MAX_CHARS + 1), {}),
            ("Thông báo.", {"voice": "klingon"}),
            ("Thông báo.", {"rate": "abc"}),
            ("Thông báo.", {"rate": "5000"}),
            ("<b></b>", {}),
        ],
    )
    def test_bad_input_is_an_error_not_a_render(
        self, fake_engine, operator, client, text, extra
    ):
        response = post_preview(client, text, **extra)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        assert RenderedAudio.objects.count() == 0

    def test_script_in_the_text_is_shown_as_text(self, fake_engine, operator, client):
        response = client.post(
            "/console/speech/spoken/",
            {"text": "Họp <img src=x onerror=alert(1)> dân", "voice": "south"},
        )
        assert "<img" not in response.content.decode()

    def test_unknown_audio_is_not_found(self, fake_engine, operator, client):
        assert client.get("/console/speech/audio/" + "0" * 64 + "/").status_code == 404
        assert client.get("/console/speech/audio/nope/").status_code == 404

    def test_staff_without_a_speaking_role_are_refused(self, fake_engine, tree, client):
        client.force_login(make_user("feedback_handler", tree.commune_a))
        assert client.get("/console/speech/").status_code in (302, 403)
        assert client.post("/console/speech/spoken/", {"text": "x"}).status_code in (
            302,
            403,
        )
        assert RenderedAudio.objects.count() == 0


class TestVoicePage:
    def data(self, **changes):
        return {
            "voice": "vi",
            "rate": "150",
            "pitch": "50",
            "target_lufs": "-18",
            "chime_before": "on",
            **changes,
        }

    def test_province_operator_sets_the_voice(self, tree, client):
        client.force_login(make_user("operator", tree.province))
        assert (
            "Tỉnh Thử Nghiệm" in client.get("/console/speech-voice/").content.decode()
        )
        response = client.post("/console/speech-voice/", self.data())
        assert response.status_code == 302
        chosen = SpeechSettings.objects.get(province=tree.province)
        assert (chosen.voice, chosen.target_lufs, chosen.chime_after) == (
            "vi",
            -18,
            False,
        )
        assert AuditEntry.objects.filter(action="tts.settings_change").exists()

    def test_out_of_range_loudness_is_refused(self, tree, client):
        client.force_login(make_user("operator", tree.province))
        response = client.post("/console/speech-voice/", self.data(target_lufs="0"))
        assert response.status_code == 200
        assert not SpeechSettings.objects.exists()

    def test_province_viewer_reads_but_cannot_change(self, tree, client):
        client.force_login(make_user("viewer", tree.province))
        body = client.get("/console/speech-voice/").content.decode()
        assert "disabled" in body
        assert client.post("/console/speech-voice/", self.data()).status_code in (
            302,
            403,
        )
        assert not SpeechSettings.objects.exists()

    def test_commune_staff_and_other_provinces_are_out_of_reach(self, tree, client):
        client.force_login(make_user("operator", tree.commune_a))
        assert client.get("/console/speech-voice/").status_code in (302, 403)
        client.force_login(make_user("operator", tree.province))
        other = tree.other_province.pk
        body = client.get(f"/console/speech-voice/?province={other}").content.decode()
        assert "Tỉnh Khác" not in body  # falls back to the user's own province


class TestDictionaryPages:
    def test_province_operator_adds_an_entry(self, tree, client):
        client.force_login(make_user("operator", tree.province))
        response = client.post(
            "/console/speech-dictionary/new/",
            {
                "province": tree.province.pk,
                "abbreviation": "K.",
                "spoken": "khóm",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        assert Abbreviation.objects.get().spoken == "khóm"
        assert AuditEntry.objects.filter(action="tts.dictionary_add").exists()
        response = client.post(
            "/console/speech-dictionary/new/",
            {
                "province": tree.province.pk,
                "abbreviation": "K.",
                "spoken": "x",
                "is_active": "on",
            },
        )
        assert response.status_code == 200  # duplicate: the form says so
        assert Abbreviation.objects.count() == 1

    def test_commune_operator_cannot_add(self, tree, client):
        client.force_login(make_user("operator", tree.commune_a))
        response = client.post(
            "/console/speech-dictionary/new/",
            {"province": tree.province.pk, "abbreviation": "K.", "spoken": "khóm"},
        )
        assert response.status_code in (302, 403)
        assert not Abbreviation.objects.exists()

    def test_other_province_entry_is_not_found(self, tree, client):
        entry = Abbreviation.objects.create(
            province=tree.other_province, abbreviation="X", spoken="x"
        )
        client.force_login(make_user("operator", tree.province))
        assert (
            client.get(f"/console/speech-dictionary/edit/{entry.pk}/").status_code
            == 404
        )

    def test_install_shipped_entries(self, tree, client):
        client.force_login(make_user("operator", tree.province))
        assert (
            "UBND" in client.get("/console/speech-dictionary-install/").content.decode()
        )
        client.post("/console/speech-dictionary-install/")
        assert Abbreviation.objects.filter(province=tree.province).count() > 150
