"""The report as a PDF with correct Vietnamese (DejaVu Sans embedded)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .. import periods, reports
from ..pdf import Document
from . import STATUS_FILLS


def write(report: reports.Report) -> bytes:
    """Return the PDF file of ``report`` (landscape A4)."""
    doc = Document(
        report.title,
        orientation="L",
        footer_text=f"{report.title} — {report.area_name} — {report.period_label}",
    )
    doc.add_page()
    doc.heading(report.title, 16)
    doc.paragraph(f"{_('Area')}: {report.area_name}")
    doc.paragraph(f"{_('Period')}: {report.period_label}")
    doc.paragraph(doc.generated_line(), size=8)

    doc.heading(_("Indicators against their targets"), 12)
    rows, fills = [], []
    for result in report.results:
        spec, m = result.spec, result.measure
        rows.append(
            [
                spec.name,
                reports.format_value(result.value, spec.unit),
                f"{reports.format_number(m.numerator)} / {reports.format_number(m.denominator)}"
                if m
                else "—",
                reports.format_target(spec, report.end),
                result.status_label,
            ]
        )
        fills.append(STATUS_FILLS[result.status] if result.available else None)
    doc.data_table(
        [
            _("Indicator"),
            _("Value"),
            _("Numerator / denominator"),
            _("Target"),
            pgettext("indicator", "Status"),
        ],
        rows,
        widths=(110, 28, 52, 30, 47),
        align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        fills=fills,
        size=9,
    )

    if report.children and report.child_entries:
        doc.heading(_("By unit"), 12)
        entries = report.child_entries[:6]
        headers = [_("Unit")] + [str(e.spec.name) for e in entries]
        rows, fills = [], []
        for child in report.children:
            row = [child.name]
            for entry in entries:
                found = report.child_table[entry.spec.code].get(child.pk)
                if found is None or found.measure is None:
                    row.append("—")
                else:
                    row.append(
                        f"{reports.format_value(found.value, entry.spec.unit)} "
                        f"({reports.format_number(found.measure.numerator)}/"
                        f"{reports.format_number(found.measure.denominator)})"
                    )
            rows.append(row)
        width = (267 - 70) / max(len(entries), 1)
        doc.data_table(headers, rows, widths=[70] + [width] * len(entries), size=8)

    if report.trends:
        doc.heading(_("Monthly trend"), 12)
        months = [m for m, _m in next(iter(report.trends.values()))]
        headers = [_("Indicator")] + [m.strftime("%m/%y") for m in months]
        rows = []
        for code, series in report.trends.items():
            spec = next(r.spec for r in report.results if r.spec.code == code)
            rows.append(
                [spec.name]
                + [reports.format_value(m.value, spec.unit) for _m, m in series]
            )
        doc.data_table(headers, rows, widths=[63] + [17] * len(months), size=7)

    for section in report.sections:
        doc.heading(section.title, 12)
        if section.note:
            doc.paragraph(section.note, size=9)
        if section.rows:
            doc.data_table(
                section.headers,
                [[_text(v) for v in row] for row in section.rows],
                size=8,
            )
        else:
            doc.paragraph(_("Nothing in this period."), size=9)

    if report.full:
        doc.heading(_("Definitions"), 12)
        for result in report.results:
            spec = result.spec
            line = f"{spec.name}: {spec.definition}"
            if not result.available:
                line += f" ({_('Not measured yet; needs')}: {spec.needs}.)"
            doc.paragraph(line, size=8)
    return doc.to_bytes()


def _text(value: object) -> str:
    if isinstance(value, datetime.date):
        return periods.label(value)
    return reports.format_number(value) if isinstance(value, int) else str(value)
