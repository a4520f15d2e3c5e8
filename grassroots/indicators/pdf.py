"""PDF documents with correct Vietnamese: reports, certificates.

Vietnamese needs a Unicode font with every precomposed letter (ầ, ự, ỹ…);
the PDF core fonts have none. DejaVu Sans, from Debian's ``fonts-dejavu-core``
(installed by ``scripts/system-packages.sh``), is embedded and subset into
each file, so any reader shows the text and copy-paste gives it back.
Nothing is downloaded.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

FAMILY = "DejaVu"
FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
}
SERIF = "DejaVuSerif"
SERIF_FILES = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf"}


class FontMissing(RuntimeError):
    """Raised when the DejaVu fonts are not installed."""


def font_dir() -> Path:
    return Path(settings.GRASSROOTS_PDF_FONT_DIR)


def text(value: object) -> str:
    """Return ``value`` as NFC text: decomposed accents would print as loose marks."""
    return unicodedata.normalize("NFC", "" if value is None else str(value))


class Document(FPDF):
    """An A4 document with DejaVu fonts, a running footer and page numbers."""

    def __init__(
        self,
        title: str,
        *,
        orientation: str = "P",
        footer_text: str = "",
        serif: bool = False,
        with_footer: bool = True,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        # fontTools reports every subsetting step at INFO level.
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        directory = font_dir()
        families = [(FAMILY, FONT_FILES)] + ([(SERIF, SERIF_FILES)] if serif else [])
        for family, files in families:
            for style, name in files.items():
                path = directory / name
                if not path.exists():
                    raise FontMissing(
                        f"{path} is missing: install Debian's fonts-dejavu-core "
                        "(scripts/system-packages.sh does)."
                    )
                self.add_font(family, style, str(path))
        self.with_footer = with_footer
        self.doc_title = text(title)
        self.footer_text = text(footer_text)
        self.set_title(self.doc_title)
        self.set_author(text(settings.WAGTAIL_SITE_NAME))
        self.set_creator("grassroots")
        self.set_lang("vi")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)
        self.alias_nb_pages()
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
        if not self.with_footer:
            return
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90, 90, 90)
        left = self.footer_text or self.doc_title
        self.cell(0, 5, left[:110], align="L")
        self.set_x(self.l_margin)
        self.cell(
            0,
            5,
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="R",
        )
        self.set_text_color(0, 0, 0)

    # Building blocks -----------------------------------------------------------

    def heading(self, value: str, size: int = 14) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FAMILY, size=10)

    def paragraph(self, value: str, size: int = 10) -> None:
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, 5, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def data_table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        widths: Sequence[float] | None = None,
        align: Sequence[str] | None = None,
        fills: Sequence[tuple[int, int, int] | None] | None = None,
        size: int = 8,
    ) -> None:
        """Draw a table whose header repeats on every page.

        ``fills`` gives a background colour per row (status colours), or None.
        """
        self.set_font(FAMILY, size=size)
        kwargs: dict[str, Any] = {}
        if widths is not None:
            kwargs["col_widths"] = tuple(widths)
        if align is not None:
            kwargs["text_align"] = tuple(align)
        with super().table(
            headings_style=_heading_style(),
            line_height=size * 0.55,
            repeat_headings=1,
            **kwargs,
        ) as table:
            header = table.row()
            for value in headers:
                header.cell(text(value))
            for index, values in enumerate(rows):
                fill = fills[index] if fills else None
                row = table.row()
                for cell_value in values:
                    if fill:
                        row.cell(text(cell_value), style=FontFace(fill_color=fill))
                    else:
                        row.cell(text(cell_value))
        self.ln(3)
        self.set_font(FAMILY, size=10)

    def generated_line(self) -> str:
        now = date_format(timezone.localtime(), "d/m/Y H:i")
        return _("Generated on %(when)s by %(site)s") % {
            "when": now,
            "site": settings.WAGTAIL_SITE_NAME,
        }

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def _heading_style() -> FontFace:
    return FontFace(emphasis="BOLD", fill_color=(225, 232, 240))
