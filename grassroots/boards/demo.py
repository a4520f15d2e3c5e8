"""Demo boards: two People's Committee offices and a market, with a few items of their own.

Made through the real actions. Their player addresses are random and kept
in the database; ``banner()`` prints them when ``make run`` starts.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from grassroots.areas.models import Area, Level
from grassroots.core.demo import PROVINCE_CODE

from . import actions
from .models import AllowedOrigin, Board, BoardItem, BoardState, ItemKind

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

#: (code, name, commune code, place, location, orientation, screen inches, since,
#: latitude, longitude)
BOARDS = (
    (
        "MT-UBND-01",
        "UBND Phường Mỹ Tho",
        "28261",
        "office",
        "Sảnh Bộ phận tiếp nhận và trả kết quả, UBND Phường Mỹ Tho",
        "landscape",
        55,
        datetime.date(2025, 7, 15),
        10.3604,
        106.3645,
    ),
    (
        "TC-UBND-01",
        "UBND Xã Tràm Chim",
        "30001",
        "office",
        "Trước trụ sở UBND xã, đường Nguyễn Chí Thanh",
        "landscape",
        65,
        datetime.date(2025, 9, 2),
        10.6751,
        105.5590,
    ),
    (
        "CL-CHO-01",
        "Chợ Cao Lãnh",
        "29869",
        "public",
        "Cổng chính Chợ Cao Lãnh, đường Ngô Thời Nhiệm",
        "portrait",
        49,
        datetime.date(2025, 10, 1),
        10.4578,
        105.6349,
    ),
)


def _province() -> Area:
    return Area.objects.get(level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}")


def _commune(code: str) -> Area:
    return Area.objects.get(level=Level.COMMUNE, code=code)


def poster() -> bytes:
    """Return a PNG poster for the demo (drawn here: the repository holds no images)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 1600, 900
    image = Image.new("RGB", (width, height), "#0a4d8c")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height - 180, width, height), fill="#ffd666")
    big: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        big = ImageFont.truetype(str(FONT), 84)
        small = ImageFont.truetype(str(FONT), 48)
    except OSError:
        big = small = ImageFont.load_default()
    lines = ["Mỗi tuần 10 phút", "diệt lăng quăng, bọ gậy", "phòng sốt xuất huyết"]
    for i, line in enumerate(lines):
        draw.text((90, 120 + i * 120), line, fill="white", font=big)
    draw.text(
        (90, height - 130),
        "Đậy kín lu khạp · Thả cá bảy màu · Ngủ mùng",
        fill="#3d2800",
        font=small,
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _items(province: Area) -> None:
    if BoardItem.objects.exists():
        return
    data = poster()
    actions.save_item(
        None,
        actions.ItemContent(
            area=province,
            kind=ItemKind.IMAGE,
            title="Phòng chống sốt xuất huyết",
            upload=io.BytesIO(data),
            upload_name="sot-xuat-huyet.png",
            duration_s=12,
            position=20,
        ),
    )
    actions.save_item(
        None,
        actions.ItemContent(
            area=province,
            kind=ItemKind.TICKER,
            title="Đường dây nóng Ban Chỉ huy Phòng chống thiên tai tỉnh Đồng Tháp: 0277.3851.234",
        ),
    )
    actions.save_item(
        None,
        actions.ItemContent(
            area=province,
            kind=ItemKind.TICKER,
            title="Gửi phản ánh, kiến nghị về hệ thống thông tin cơ sở tại cổng thông tin của tỉnh",
        ),
    )
    actions.save_item(
        None,
        actions.ItemContent(
            area=_commune("28261"),
            kind=ItemKind.TEXT,
            title="Giờ tiếp nhận hồ sơ tại Bộ phận một cửa",
            text=(
                "Thứ Hai đến thứ Sáu: sáng từ 7 giờ đến 11 giờ 30, chiều từ 13 giờ 30 "
                "đến 17 giờ.\n\nSáng thứ Bảy: từ 7 giờ 30 đến 11 giờ 30, chỉ tiếp nhận hồ "
                "sơ hộ tịch và chứng thực.\n\nNgười dân có thể nộp hồ sơ trực tuyến trên "
                "Cổng Dịch vụ công quốc gia."
            ),
            duration_s=20,
            position=10,
        ),
    )
    actions.save_item(
        None,
        actions.ItemContent(
            area=_commune("29869"),
            kind=ItemKind.TICKER,
            title="Chợ Cao Lãnh mở cửa từ 4 giờ đến 19 giờ hằng ngày. Giữ gìn vệ sinh chung, bỏ rác đúng nơi quy định.",
        ),
    )


def load(out: Callable[[str], None]) -> None:
    province = _province()
    created = 0
    for (
        code,
        name,
        commune,
        place,
        location,
        orientation,
        inches,
        since,
        lat,
        lon,
    ) in BOARDS:
        if Board.objects.filter(code=code).exists():
            continue
        width, height = (1080, 1920) if orientation == "portrait" else (1920, 1080)
        actions.register_board(
            None,
            area=_commune(commune),
            state=BoardState.ACTIVE,
            state_since=since,
            code=code,
            name=f"Bảng tin {name}",
            place=place,
            location=location,
            orientation=orientation,
            screen_size_in=inches,
            width_px=width,
            height_px=height,
            latitude=lat,
            longitude=lon,
        )
        created += 1
    if not AllowedOrigin.objects.filter(province=province).exists():
        actions.add_origin(
            None, province, "https://dongthap.gov.vn", "Cổng thông tin điện tử tỉnh"
        )
    _items(province)
    out(f"Demo boards: {created} created ({Board.objects.count()} in all)")


def banner() -> list[str]:
    boards = Board.objects.filter(code__in=[b[0] for b in BOARDS]).exclude(
        player_token=None
    )
    if not boards:
        return []
    base = f"http://{settings.GRASSROOTS_HTTP_HOST}:{settings.GRASSROOTS_HTTP_PORT}"
    lines = ["  E-bulletin boards (open one full screen in a browser):"]
    for board in boards.order_by("code"):
        lines.append(f"    {board.name}: {base}{board.player_path}")
    return lines
