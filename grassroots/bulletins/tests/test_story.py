"""The issue's "done when", end to end through the real views and API.

An editor in a commune writes a bulletin in the console, an approver of the
commune approves it there, citizens see it on the portal and in the feed; a
province bulletin appears in each targeted commune's inbox; out-of-scope and
malformed requests are refused with clear messages.
"""

import json

from django.urls import reverse

from grassroots.accounts.models import AuditEntry
from grassroots.bulletins.models import Bulletin, InboxItem, Status

from .builders import new_bulletin_form


def test_from_the_commune_editor_to_the_citizen(client, tree, people, committed):
    # The commune's editor writes and submits in the console.
    client.force_login(people.editor_a)
    form = new_bulletin_form(tree.commune_a, title="Cắt nước Ấp Một sáng thứ Bảy")
    form["target_areas"] = [tree.hamlet_a1.pk]
    assert (
        client.post(
            "/console/bulletins/add/", {**form, "action-submit": "1"}
        ).status_code
        == 302
    )
    bulletin = Bulletin.objects.get(title="Cắt nước Ấp Một sáng thứ Bảy")
    assert bulletin.status == Status.SUBMITTED
    # Citizens do not see it yet.
    client.logout()
    assert (
        bulletin.title
        not in client.get(f"/khu-vuc/{tree.hamlet_a1.url_path}/").content.decode()
    )

    # The commune's approver approves it in the console.
    client.force_login(people.approver_a)
    task_state = bulletin.current_workflow_state.current_task_state
    url = reverse(
        "bulletins_bulletin:workflow_action",
        args=[bulletin.pk, "approve", task_state.pk],
    )
    with committed():
        assert client.post(url, {"comment": "Đồng ý"}).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == Status.PUBLISHED
    approvals = AuditEntry.objects.filter(
        object_id=str(bulletin.pk), action="bulletin.approve"
    )
    assert approvals.get().actor == people.approver_a

    # Citizens see it on the hamlet's and the commune's pages, and in the feed.
    client.logout()
    for page in (
        f"/khu-vuc/{tree.hamlet_a1.url_path}/",
        f"/khu-vuc/{tree.commune_a.url_path}/",
    ):
        assert bulletin.title in client.get(page).content.decode()
    page = client.get(bulletin.get_absolute_url())
    assert page.status_code == 200
    feed = client.get(f"/khu-vuc/{tree.commune_a.url_path}/feed/").content.decode()
    assert bulletin.title in feed
    api = client.get(
        "/api/v1/public/bulletins", {"area": tree.hamlet_a1.url_path}
    ).json()
    assert [r["title"] for r in api["results"]] == [bulletin.title]


def test_a_province_bulletin_reaches_each_targeted_commune_inbox(client, tree, people):
    client.force_login(people.province_editor)
    form = new_bulletin_form(tree.province, title="Phòng chống sốt xuất huyết")
    form["target_areas"] = [tree.province.pk]
    client.post("/console/bulletins/add/", {**form, "action-submit": "1"})
    bulletin = Bulletin.objects.get()
    client.force_login(people.province_approver)
    task_state = bulletin.current_workflow_state.current_task_state
    client.post(
        reverse(
            "bulletins_bulletin:workflow_action",
            args=[bulletin.pk, "approve", task_state.pk],
        )
    )
    communes = set(
        InboxItem.objects.filter(bulletin=bulletin).values_list("commune", flat=True)
    )
    assert communes == {tree.commune_a.pk, tree.commune_b.pk}
    # Each commune sees it in its inbox, with who sent it.
    for approver in (people.approver_a, people.approver_b):
        client.force_login(approver)
        listing = client.get(reverse("bulletins_inbox:index")).content.decode()
        assert bulletin.title in listing
        assert "UBND xã An Bình" in listing  # the issuing agency of the form


def test_out_of_scope_and_malformed_requests_are_refused_clearly(client, tree, people):
    # An editor of commune A tries to issue for commune B: the form says why.
    client.force_login(people.editor_a)
    form = new_bulletin_form(tree.commune_b, title="Giả mạo")
    response = client.post("/console/bulletins/add/", {**form, "action-submit": "1"})
    assert response.status_code == 200
    assert not Bulletin.objects.filter(title="Giả mạo").exists()
    # The staff API refuses a bad filter with a code and a message.
    response = client.get("/api/v1/bulletins/", {"status": "nonsense"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["message"]
    # An unauthenticated push is refused with a JSON error.
    response = client.put(
        "/api/v1/bulletins/exchange/abc",
        data=json.dumps({"title": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert set(response.json()) >= {"code", "message"}
