"""Small real files for the demo bulletins: spoken audio, a chart, a PDF.

Made on the spot, with what the machine has (espeak-ng for speech, Pillow
and DejaVu for the chart), so the repository holds no binary files and the
demo downloads nothing.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess  # noqa: S404 - espeak-ng with a fixed argument list
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def spoken(text: str) -> bytes | None:
    """Return a WAV of ``text`` read in Vietnamese, or None without espeak-ng."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".wav") as out:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [espeak, "-v", "vi", "-s", "150", "-w", out.name, text],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            logger.warning("espeak-ng failed: %s", result.stderr[:200])
            return None
        return Path(out.name).read_bytes()


def water_level_chart() -> bytes:
    """Return a PNG chart of river levels at Tân Châu over five days."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 900, 520
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype(str(FONT), 22)
        small = ImageFont.truetype(str(FONT), 18)
    except OSError:
        font = small = ImageFont.load_default()
    draw.text(
        (30, 20), "Mực nước sông Tiền tại Tân Châu (m)", fill="#1b1b1b", font=font
    )
    levels = [("T2", 3.62), ("T3", 3.78), ("T4", 3.91), ("T5", 4.05), ("T6", 4.12)]
    alarm = 4.0
    base_y, top_y = 460, 90

    def y(value: float) -> int:
        return int(base_y - (value - 3.0) / 1.5 * (base_y - top_y))

    draw.line((60, y(alarm), width - 30, y(alarm)), fill="#a4001d", width=3)
    draw.text(
        (width - 290, y(alarm) - 30), "Báo động III: 4,00 m", fill="#a4001d", font=small
    )
    for i, (day, value) in enumerate(levels):
        x = 110 + i * 150
        colour = "#a4001d" if value >= alarm else "#0a4d8c"
        draw.rectangle((x, y(value), x + 90, base_y), fill=colour)
        draw.text(
            (x + 10, y(value) - 28),
            f"{value:.2f}".replace(".", ","),
            fill="#1b1b1b",
            font=small,
        )
        draw.text((x + 30, base_y + 10), day, fill="#1b1b1b", font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def plan_pdf() -> bytes:
    """Return a one-page PDF summarising plan KH 119/KH-UBND (ASCII text)."""
    lines = [
        "UY BAN NHAN DAN TINH DONG THAP",
        "Ke hoach so 119/KH-UBND ngay 13/4/2021",
        "Thuc hien Chuong trinh nang cao hieu qua hoat dong thong tin co so",
        "dua tren ung dung cong nghe thong tin giai doan 2021-2025",
        "(Quyet dinh 135/QD-TTg cua Thu tuong Chinh phu)",
        "Muc tieu 2025: 100% dai truyen thanh cap xa ung dung CNTT-VT;",
        "30% UBND cap xa co bang tin dien tu cong cong;",
        "100% thong tin thiet yeu duoc cung cap tren he thong thong tin nguon.",
    ]
    text = (
        "BT /F1 14 Tf 50 780 Td 18 TL "
        + " ".join(f"({line}) '" for line in lines)
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()
