"""The console, through Wagtail's real views: write, submit, review, withdraw, inbox."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.bulletins import actions
from grassroots.bulletins.models import Bulletin, InboxItem, InboxState, Status

from .builders import (
    form_values,
    make_bulletin,
    make_published,
    new_bulletin_form,
    wav_bytes,
)

ADD = "/console/bulletins/add/"


def refused(response) -> bool:
    """Wagtail answers a refusal with 403/404, or a redirect to the dashboard."""
    if response.status_code == 302:
        return response["Location"] == "/console/"
    return response.status_code in (403, 404)


def edit_url(bulletin):
    return reverse("bulletins_bulletin:edit", args=[bulletin.pk])


def test_an_editor_writes_and_submits_a_bulletin(client, tree, people):
    client.force_login(people.editor_a)
    page = client.get(ADD)
    assert page.status_code == 200
    response = client.post(
        ADD, {**new_bulletin_form(tree.commune_a), "action-submit": "1"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bulletin = Bulletin.objects.get(title="Thông báo cắt nước")
    assert bulletin.status == Status.SUBMITTED
    assert bulletin.author == people.editor_a
    assert "sửa đường ống" in bulletin.body


def test_a_refused_upload_says_why_and_keeps_the_rest_of_the_form(client, tree, people):
    client.force_login(people.editor_a)
    fake = SimpleUploadedFile("loa.mp3", b"MZ" + b"\x00" * 500, "audio/mpeg")
    data = new_bulletin_form(
        tree.commune_a,
        title="Bản tin có tệp giả",
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-file": fake,
            "attachments-0-title": "Ghi âm",
            "attachments-0-ORDER": "1",
            "attachments-0-id": "",
        },
    )
    response = client.post(ADD, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "loa.mp3" in html  # the refusal names the file ...
    assert 'value="Bản tin có tệp giả"' in html  # ... and the title is still there
    assert not Bulletin.objects.filter(title="Bản tin có tệp giả").exists()


def test_a_real_recording_is_attached(client, tree, people):
    client.force_login(people.editor_a)
    audio = SimpleUploadedFile("ghi-am.mp3", wav_bytes(0.3), "audio/mpeg")
    data = new_bulletin_form(
        tree.commune_a,
        title="Bản tin có ghi âm",
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-file": audio,
            "attachments-0-title": "Ghi âm",
            "attachments-0-ORDER": "1",
            "attachments-0-id": "",
        },
    )
    assert client.post(ADD, data).status_code == 302
    attachment = Bulletin.objects.get(title="Bản tin có ghi âm").attachments.get()
    assert attachment.kind == "audio"
    assert attachment.content_type == "audio/wav"  # by content, not by name
    assert attachment.file.name.endswith(".wav")


def test_an_editor_cannot_issue_for_another_commune_by_tampering(client, tree, people):
    client.force_login(people.editor_a)
    response = client.post(
        ADD, {**new_bulletin_form(tree.commune_b), "action-submit": "1"}
    )
    assert response.status_code == 200  # the form comes back with the error
    assert not Bulletin.objects.exists()


def test_the_approver_approves_from_the_review_modal(client, tree, people):
    bulletin = make_bulletin(people.editor_a, tree.commune_a)
    actions.submit(people.editor_a, bulletin)
    task_state = bulletin.current_workflow_state.current_task_state
    client.force_login(people.approver_a)
    page = client.get(edit_url(bulletin))
    assert page.status_code == 200
    url = reverse(
        "bulletins_bulletin:workflow_action",
        args=[bulletin.pk, "approve", task_state.pk],
    )
    assert client.post(url, {"comment": ""}).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED
    assert bulletin.approved_by == people.approver_a


def test_the_approver_approves_from_the_edit_page_as_a_browser_posts_it(
    client, tree, people
):
    bulletin = make_bulletin(people.editor_a, tree.commune_a)
    actions.submit(people.editor_a, bulletin)
    client.force_login(people.approver_a)
    values = form_values(client.get(edit_url(bulletin)).content.decode())
    values["action-workflow-action"] = ["true"]
    values["workflow-action-name"] = ["approve"]
    values["workflow-action-extra-data"] = ['{"comment": "Đồng ý"}']
    response = client.post(edit_url(bulletin), values)
    assert response.status_code == 302, response.content.decode()[:2000]
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED


def test_the_author_sees_no_approval_and_cannot_approve(client, tree, people):
    bulletin = make_bulletin(people.editor_a, tree.commune_a)
    actions.submit(people.editor_a, bulletin)
    task_state = bulletin.current_workflow_state.current_task_state
    client.force_login(people.editor_a)
    url = reverse(
        "bulletins_bulletin:workflow_action",
        args=[bulletin.pk, "approve", task_state.pk],
    )
    assert refused(client.post(url, {}))
    bulletin.refresh_from_db()
    assert bulletin.status == Status.SUBMITTED


def test_an_approver_elsewhere_gets_not_found(client, tree, people):
    bulletin = make_bulletin(people.editor_a, tree.commune_a)
    actions.submit(people.editor_a, bulletin)
    task_state = bulletin.current_workflow_state.current_task_state
    client.force_login(people.approver_b)
    assert client.get(edit_url(bulletin)).status_code == 404
    url = reverse(
        "bulletins_bulletin:workflow_action",
        args=[bulletin.pk, "approve", task_state.pk],
    )
    assert client.post(url, {}).status_code == 404
    # A task state of A's bulletin, posted under B's own bulletin, is refused too.
    own = make_bulletin(people.editor_b, tree.commune_b)
    actions.submit(people.editor_b, own)
    url = reverse(
        "bulletins_bulletin:workflow_action", args=[own.pk, "approve", task_state.pk]
    )
    assert refused(client.post(url, {}))
    bulletin.refresh_from_db()
    assert bulletin.status == Status.SUBMITTED


def test_returning_for_changes_needs_a_comment(client, tree, people):
    bulletin = make_bulletin(people.editor_a, tree.commune_a)
    actions.submit(people.editor_a, bulletin)
    task_state = bulletin.current_workflow_state.current_task_state
    client.force_login(people.approver_a)
    url = reverse(
        "bulletins_bulletin:workflow_action",
        args=[bulletin.pk, "reject", task_state.pk],
    )
    client.post(url, {"comment": ""})
    bulletin.refresh_from_db()
    assert bulletin.status == Status.SUBMITTED
    client.post(url, {"comment": "Thiếu giờ cắt nước."})
    bulletin.refresh_from_db()
    assert bulletin.status == Status.RETURNED


def test_revisions_can_be_compared(client, tree, people):
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    from .builders import content

    actions.update_bulletin(
        people.editor_a, bulletin, content(tree.commune_a, title="Mới")
    )
    first, second = bulletin.revisions.order_by("pk")[:2]
    client.force_login(people.viewer_a)
    url = reverse(
        "bulletins_bulletin:revisions_compare", args=[bulletin.pk, first.pk, second.pk]
    )
    response = client.get(url)
    assert response.status_code == 200
    assert "Mới" in response.content.decode()


def test_withdrawing_from_the_console(client, tree, people):
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    url = reverse("bulletins_bulletin:withdraw", args=[bulletin.pk])
    client.force_login(people.editor_a)
    assert client.get(url).status_code == 404  # editors do not withdraw
    client.force_login(people.approver_a)
    assert client.get(url).status_code == 200
    page = client.post(url, {"reason": ""})
    assert page.status_code == 200
    assert client.post(url, {"reason": "Sai giờ"}).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Status.WITHDRAWN


def test_nobody_publishes_or_unpublishes_directly(client, tree, people):
    bulletin = make_published(people.editor_a, people.approver_a, tree.commune_a)
    client.force_login(people.approver_a)
    url = reverse("bulletins_bulletin:unpublish", args=[bulletin.pk])
    assert refused(client.post(url))
    assert Bulletin.objects.get(pk=bulletin.pk).live
    draft = make_bulletin(people.editor_a, tree.commune_a, title="Tự đăng")
    client.force_login(people.editor_a)
    values = form_values(client.get(edit_url(draft)).content.decode())
    values["action-publish"] = ["1"]
    client.post(edit_url(draft), values)
    assert not Bulletin.objects.get(pk=draft.pk).live


def test_the_commune_reads_and_adopts_from_its_inbox(client, tree, people):
    bulletin = make_published(
        people.province_editor, people.province_approver, tree.province
    )
    item = InboxItem.objects.get(bulletin=bulletin, commune=tree.commune_a)
    client.force_login(people.approver_a)
    listing = client.get(reverse("bulletins_inbox:index"))
    assert bulletin.title in listing.content.decode()
    detail = reverse("bulletins_inbox:detail", args=[item.pk])
    assert client.get(detail).status_code == 200
    response = client.post(detail, {"decision": "adopt", "note": "17 giờ"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == InboxState.ADOPTED
    # Commune B's approver cannot open commune A's item.
    client.force_login(people.approver_b)
    assert client.get(detail).status_code == 404


def test_a_draft_is_deleted_and_a_published_one_is_not(client, tree, people):
    draft = make_bulletin(people.editor_a, tree.commune_a, title="Nháp bỏ")
    client.force_login(people.editor_a)
    url = reverse("bulletins_bulletin:delete", args=[draft.pk])
    assert client.post(url).status_code == 302
    assert not Bulletin.objects.filter(pk=draft.pk).exists()
    published = make_published(people.editor_a, people.approver_a, tree.commune_a)
    url = reverse("bulletins_bulletin:delete", args=[published.pk])
    assert client.post(url).status_code in (302, 403, 404)
    assert Bulletin.objects.filter(pk=published.pk).exists()


def test_the_editor_previews_the_portal_page(client, tree, people):
    client.force_login(people.editor_a)
    preview = reverse("bulletins_bulletin:preview_on_add")
    form = new_bulletin_form(tree.commune_a, title="Xem trước bản tin")
    assert client.post(preview, form).status_code == 200
    page = client.get(preview)
    assert page.status_code == 200
    assert "Xem trước bản tin" in page.content.decode()
    draft = make_bulletin(people.editor_a, tree.commune_a, title="Bản nháp")
    preview = reverse("bulletins_bulletin:preview_on_edit", args=[draft.pk])
    values = form_values(client.get(edit_url(draft)).content.decode())
    assert client.post(preview, values).status_code == 200
    assert "Bản nháp" in client.get(preview).content.decode()
