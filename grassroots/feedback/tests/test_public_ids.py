"""Public lists name items by a public id: the tracking code stays the citizen's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .. import actions
from ..models import Feedback, Status
from .builders import DESCRIPTION, submit

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def test_the_public_list_never_gives_a_tracking_code(client, place, handler_a):
    items = [submit(place), actions.answer(handler_a, submit(place), "Đã sửa.")]
    listing = client.get(f"{BASE}/requests.json")
    body = listing.content.decode()
    for item in items:
        item.refresh_from_db()
        assert item.code not in body and item.display_code not in body
        assert item.public_id and item.public_id != item.code
    ids = {r["service_request_id"] for r in listing.json()}
    assert ids == {i.public_id for i in items}
    xml = client.get(f"{BASE}/requests.xml").content.decode()
    assert all(i.code not in xml for i in items)


def test_a_public_id_opens_only_the_public_view(client, place):
    item = submit(
        place, address="Số 12 đường Chợ", latitude=10.41234, longitude=105.61234
    )
    one = client.get(f"{BASE}/requests/{item.public_id}.json")
    assert one.status_code == 200
    [shown] = one.json()
    assert shown["service_request_id"] == item.public_id
    assert shown["description"] == "" and shown["address"] == ""
    assert shown["lat"] == round(item.latitude, 3)
    assert item.code not in one.content.decode()
    # The tracking code still opens the item in full, for whoever holds it.
    [full] = client.get(f"{BASE}/requests/{item.code}.json").json()
    assert full["description"] == DESCRIPTION
    # A public id is no tracking code: it opens no tracking page.
    assert client.get(f"/phan-anh/{item.public_id}/").status_code == 404


def test_the_portal_list_links_no_tracking_page(place, handler_a):
    from .. import public

    item = actions.answer(handler_a, submit(place), "Đã vá ổ gà.")
    actions.set_portal_visibility(handler_a, item, True)
    [shown] = public.published()
    assert item.code not in repr(shown) and item.display_code not in repr(shown)


def _answer_and_reopen(client, item, handler):
    actions.answer(handler, Feedback.objects.get(pk=item.pk), "Đã xử lý.")
    return client.post(
        reverse("feedback:reopen", args=[item.code]), {"reason": "Vẫn còn nguyên"}
    )


def test_an_item_is_reopened_a_limited_number_of_times(
    client, place, handler_a, settings
):
    settings.GRASSROOTS_FEEDBACK_MAX_REOPENS = 2
    item = submit(place)
    for _ in range(2):
        assert _answer_and_reopen(client, item, handler_a).status_code == 302
    refused = _answer_and_reopen(client, item, handler_a)
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.status == Status.ANSWERED
    assert item.events.filter(kind="reopened").count() == 2


def test_reopening_is_rate_limited_per_address(client, place, handler_a, settings):
    settings.GRASSROOTS_FEEDBACK_RATE_REOPEN = (2, 3600)
    items = [submit(place) for _ in range(3)]
    assert _answer_and_reopen(client, items[0], handler_a).status_code == 302
    assert _answer_and_reopen(client, items[1], handler_a).status_code == 302
    limited = _answer_and_reopen(client, items[2], handler_a)
    assert limited.status_code == 429
    items[2].refresh_from_db()
    assert items[2].status == Status.ANSWERED
