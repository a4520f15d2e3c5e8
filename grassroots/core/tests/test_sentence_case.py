"""Labels start with a capital letter wherever they are written in lower case."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django import forms
from django.db import models
from django.urls import reverse
from django.utils import translation

from grassroots.areas.words import hamlet_word
from grassroots.bulletins.models import Status
from grassroots.core.sentence_case import mid_sentence
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


#: Choices said inside sentences keep a small letter: capabilities are listed
#: after "may" ("… quản lý danh sách ấp"), units follow a number ("3 cụm/đài"),
#: file kinds sit in brackets ("(ảnh, 2 MB)"), recurrences are the start of a
#: longer phrase ("hằng tuần, vào thứ Hai"), levels are field values in
#: sentences; the areas filter capitalises its own (``_level_choices``).
EMBEDDED_CHOICES = {
    "accounts.Capability",
    "indicators.Unit",
    "bulletins.AttachmentKind",
    "feedback.AttachmentKind",
    "boards.ShownKind",
    "areas.Level",
    "broadcasts.Rule",
    "emergencies.Recurrence",
}


def _choice_classes():
    import grassroots.indicators.registry  # noqa: F401  (choices outside models)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    for cls in set(below(models.Choices)):
        if cls.__module__.startswith("grassroots."):
            yield f"{cls.__module__.split('.')[1]}.{cls.__qualname__}", cls


def test_choices_shown_on_their_own_start_with_a_capital(db):
    """Selects, filters and badges show a choice alone: "Đã phát hành"."""
    with translation.override("vi"):
        lower = [
            f"{name}.{member.name}: {member.label}"
            for name, cls in _choice_classes()
            if name not in EMBEDDED_CHOICES
            for member in cls
            if str(member.label)[:1].islower()
        ]
    assert not lower, "\n".join(sorted(lower))


def test_filters_offer_choices_with_a_capital_and_sentences_lower_them(tree, client):
    login_verified(client, make_user("administrator", tree.province))
    options = []
    with translation.override("vi"):
        for url in ("/console/feedback/", reverse("areas:index")):
            page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
            options += re.findall(r"<option[^>]*>([^<]+)</option>", page)
        embedded = mid_sentence(Status.PUBLISHED.label)
        hamlets = hamlet_word(capital=True)
    assert {"Tất cả", "Chưa xong", "Quá hạn", "Xã, phường", hamlets} <= set(options)
    assert not [o for o in options if o.strip()[:1].islower()], options
    assert embedded == "đã phát hành"
