"""Labels start with a capital letter wherever they are written in lower case."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django import forms
from django.utils import translation

from grassroots.testing import login_verified, make_user


class _Form(forms.Form):
    received = forms.DateField(label="ngày nhận")
    status = forms.CharField(label="ổn định")  # a capital that is not ASCII


def test_a_hand_written_form_label_is_capitalised():
    form = _Form()
    assert ">Ngày nhận:<" in form["received"].label_tag()
    assert form["status"].label == "Ổn định"


@pytest.mark.parametrize(
    "url",
    [
        "/console/training/roster/",
        "/console/training/courses/",
        "/console/training/sessions/",
        "/console/indicators/exports/",
        "/console/feedback/",
    ],
)
def test_list_headers_start_with_a_capital(tree, client, url):
    login_verified(client, make_user("administrator", tree.province))
    with translation.override("vi"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200, url
    headers = [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", h)).split())
        for h in re.findall(r"<th[^>]*>(.*?)</th>", response.content.decode(), re.S)
    ]
    assert headers, url
    lower = [h for h in headers if h and h[0].islower()]
    assert not lower, f"{url}: {lower}"
