"""Bulletins' attachments: never at a public address until the bulletin is out."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from grassroots.bulletins import actions, files
from grassroots.bulletins.models import Attachment
from grassroots.testing import make_user

from .builders import content, make_people, pdf_bytes, wav_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GRASSROOTS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def _with_files(people, tree, **kwargs):
    audio = files.prepare(io.BytesIO(wav_bytes()), "doc.wav")
    pdf = files.prepare(io.BytesIO(pdf_bytes()), "quyet-dinh.pdf")
    return actions.create_bulletin(
        people.editor_a,
        content(
            tree.commune_a,
            title="Tin có tệp",
            attachments=[(audio, "Bản đọc"), (pdf, "Quyết định")],
            **kwargs,
        ),
    )


def test_a_drafts_files_are_only_in_the_console_of_its_area(tree, client, roots):
    people = make_people(tree)
    draft = _with_files(people, tree)
    pdf = draft.attachments.get(kind="document")
    assert not list((roots / "media").rglob("*.pdf"))
    assert list((roots / "private").rglob("*.pdf"))
    assert client.get(pdf.file.url).status_code in (302, 404)  # anonymous
    assert client.get(f"/ban-tin/{draft.pk}/tep/{pdf.pk}/").status_code == 404
    client.force_login(make_user("editor", tree.commune_b))
    assert client.get(pdf.file.url).status_code == 404
    client.force_login(people.editor_a)
    mine = client.get(pdf.file.url)
    assert mine.status_code == 200 and b"%PDF" in b"".join(mine.streaming_content)


def test_a_removed_attachment_is_gone_for_everyone(tree, client):
    people = make_people(tree)
    draft = _with_files(people, tree)
    pdf = draft.attachments.get(kind="document")
    url = pdf.file.url
    actions.update_bulletin(
        people.editor_a,
        draft,
        content(tree.commune_a, title="Tin không còn tệp"),
        replace_attachments=True,
    )
    assert not Attachment.objects.filter(pk=pdf.pk).exists()
    client.force_login(people.editor_a)
    assert client.get(url).status_code == 404


def test_devices_fetch_the_audio_of_a_published_bulletin_only(tree, client, settings):
    from grassroots.broadcasts import compiler
    from grassroots.broadcasts.models import ProgrammeItem, Source

    people = make_people(tree)
    bulletin = _with_files(people, tree)
    item = ProgrammeItem(
        area=tree.commune_a, title="x", source=Source.BULLETIN, bulletin=bulletin
    )
    actions.submit(people.editor_a, bulletin)
    actions.approve(people.approver_a, bulletin)
    audio = compiler.audio_of(item)
    assert audio["url"].startswith(settings.GRASSROOTS_BASE_URL)
    path = audio["url"][len(settings.GRASSROOTS_BASE_URL) :]
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"RIFF"
    actions.withdraw(people.approver_a, bulletin, reason="Nhầm")
    assert client.get(path).status_code == 404


def test_files_uploaded_before_are_moved_out_of_public_media(tree, roots):
    people = make_people(tree)
    draft = _with_files(people, tree)
    pdf = draft.attachments.get(kind="document")
    # As they were stored before: in the public media storage.
    old = default_storage.save("bulletins/2026/01/cu.pdf", ContentFile(pdf_bytes()))
    Attachment.objects.filter(pk=pdf.pk).update(file=old)
    call_command("private_files")
    pdf.refresh_from_db()
    assert not default_storage.exists(old)
    assert (roots / "private" / pdf.file.name).exists()
    call_command("private_files")  # again: nothing left to move
    assert (roots / "private" / pdf.file.name).exists()
