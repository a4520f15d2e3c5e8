"""Builders for bulletin tests: people with roles, bulletins in any state, files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from grassroots.accounts.models import User
from grassroots.areas.models import Area
from grassroots.bulletins import actions
from grassroots.bulletins.models import Bulletin, Category
from grassroots.testing import Tree, make_user


@dataclass
class People:
    """An editor and two approvers in the province and in commune A, and a viewer."""

    province_editor: User
    province_approver: User
    province_approver2: User
    editor_a: User
    approver_a: User
    editor_b: User
    approver_b: User
    viewer_a: User
    operator_a: User


def _person(role: str, area: Area, username: str) -> User:
    return make_user(role, area, username=username, email=f"{username}@demo.invalid")


def make_people(tree: Tree) -> People:
    return People(
        province_editor=_person("editor", tree.province, "p_editor"),
        province_approver=_person("approver", tree.province, "p_approver"),
        province_approver2=_person("approver", tree.province, "p_approver2"),
        editor_a=_person("editor", tree.commune_a, "a_editor"),
        approver_a=_person("approver", tree.commune_a, "a_approver"),
        editor_b=_person("editor", tree.commune_b, "b_editor"),
        approver_b=_person("approver", tree.commune_b, "b_approver"),
        viewer_a=_person("viewer", tree.commune_a, "a_viewer"),
        operator_a=_person("operator", tree.commune_a, "a_operator"),
    )


def content(
    area: Area,
    *,
    title: str = "Thông báo lịch tiêm chủng",
    category: str = "y-te",
    level: str = "normal",
    targets: list[Area] | None = None,
    body: str = "<p>Trạm y tế tiêm chủng vào sáng thứ Năm.</p>",
    summary: str = "Tiêm chủng cho trẻ dưới 5 tuổi.",
    valid_from=None,
    valid_until=None,
    **extra,
) -> actions.BulletinContent:
    return actions.BulletinContent(
        title=title,
        summary=summary,
        body=body,
        category=Category.objects.get(slug=category),
        level=level,
        issuing_area=area,
        valid_from=valid_from or timezone.now() - timedelta(minutes=5),
        valid_until=valid_until,
        target_areas=targets or [],
        **extra,
    )


def make_bulletin(author: User, area: Area, **kwargs) -> Bulletin:
    return actions.create_bulletin(author, content(area, **kwargs))


def make_published(author: User, approver: User, area: Area, **kwargs) -> Bulletin:
    bulletin = make_bulletin(author, area, **kwargs)
    actions.submit(author, bulletin)
    return actions.approve(approver, bulletin)


# Small real files --------------------------------------------------------------


def png_bytes(size=(3000, 2000), colour="navy") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """Return a JPEG whose EXIF holds a GPS position (phones do this)."""
    from PIL import Image

    image = Image.new("RGB", (800, 600), "green")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (10.0, 27.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def wav_bytes(seconds: float = 0.5) -> bytes:
    import struct
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(struct.pack("<h", 0) * int(8000 * seconds))
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from grassroots.bulletins.demo_media import plan_pdf

    return plan_pdf()


# Console forms -----------------------------------------------------------------


def form_values(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """Return the values a browser would submit from the page's (first big) form.

    Text inputs, hidden inputs, checked boxes, selected options and textareas,
    as rendered; the test then changes what a person would change.
    """
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values: dict[str, list[str]] = {}
            self.select: str | None = None
            self.textarea: str | None = None
            self.text: list[str] = []

        def add(self, name, value):
            self.values.setdefault(name, []).append(value)

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and "__prefix__" not in name:
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        self.add(name, a.get("value", "on"))
                elif kind not in ("submit", "button", "file", "image"):
                    self.add(name, a.get("value", ""))
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                self.add(self.select, a.get("value", ""))
            elif tag == "textarea" and name:
                self.textarea, self.text = name, []

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea" and self.textarea:
                self.add(self.textarea, "".join(self.text).lstrip("\n"))
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.text.append(data)

    parser = Parser()
    parser.feed(html)
    for name in ("q", "color-scheme", "description", "robots", "viewport"):
        parser.values.pop(name, None)
    return parser.values


def draftail(text: str) -> str:
    """Return a Draftail (contentstate) value holding one paragraph."""
    import json

    return json.dumps(
        {
            "blocks": [
                {
                    "key": "a1b2c",
                    "type": "unstyled",
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": [],
                    "entityRanges": [],
                }
            ],
            "entityMap": {},
        }
    )


def new_bulletin_form(area, *, title="Thông báo cắt nước", category_pk=None, **extra):
    """Return the POST data of a filled "new bulletin" console form."""
    from django.utils import timezone

    from grassroots.bulletins.models import Category

    now = timezone.localtime()
    data = {
        "title": title,
        "summary": "Khu phố 1 và 2 cắt nước từ 8 giờ đến 11 giờ.",
        "body": draftail("Công ty cấp nước sửa đường ống chính."),
        "category": category_pk or Category.objects.get(slug="chi-dao-dieu-hanh").pk,
        "level": "normal",
        "is_essential": "on",
        "issuing_area": area.pk,
        "issuing_agency": "UBND xã An Bình",
        "source_reference": "",
        "target_areas": [area.pk],
        "on_loudspeakers": "on",
        "on_boards": "on",
        "on_portal": "on",
        "valid_from": (now - timedelta_minutes(5)).strftime("%d/%m/%Y %H:%M"),
        "valid_until": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def timedelta_minutes(n: int):
    return timedelta(minutes=n)
