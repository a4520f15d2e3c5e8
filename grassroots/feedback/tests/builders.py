"""Builders for feedback tests."""

from __future__ import annotations

import io

from PIL import Image

from .. import actions
from ..models import Category, Channel

DESCRIPTION = "Đường trước chợ có nhiều ổ gà lớn, xe máy đi qua rất dễ té ngã."


def category(code: str = "duong-sa") -> Category:
    return Category.objects.get(code=code)


def submit(tree, *, place=None, description: str = DESCRIPTION, **fields):
    data = actions.Submission(
        category=fields.pop("category", None) or category(),
        description=description,
        channel=fields.pop("channel", Channel.WEB),
        place=place if place is not None else tree.hamlet_a1,
        **fields,
    )
    return actions.submit(data, province=tree.province)


def png_bytes(size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()
