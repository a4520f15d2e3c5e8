"""Certificates of completion as PDF, always in Vietnamese (an official paper)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf.enums import XPos, YPos

from grassroots.accounts import audit, scope
from grassroots.accounts.roles import Capability
from grassroots.areas.models import Kind
from grassroots.indicators.pdf import FAMILY, SERIF, Document, text

from .models import Attendance


def can_read(actor, attendance: Attendance) -> bool:
    """Return True if ``actor`` sees the person's area or the session's."""
    return scope.can(actor, Capability.VIEW, attendance.official.area) or scope.can(
        actor, Capability.VIEW, attendance.session.area
    )


def issue_pdf(actor, attendance: Attendance) -> bytes:
    """Return the certificate of ``attendance`` for ``actor``, writing the audit entry."""
    if not can_read(actor, attendance):
        raise PermissionDenied
    if not attendance.is_completed or not attendance.certificate_number:
        raise ValidationError(_("This person has not completed the session."))
    audit.record(
        "training.certificate",
        actor,
        attendance,
        area=attendance.official.area,
        data={"number": attendance.certificate_number},
    )
    with translation.override("vi"):
        return render(attendance)


def _centre(doc: Document, value: str, size: float, style: str = "", family=SERIF):
    doc.set_font(family, style, size)
    doc.multi_cell(
        0, size * 0.5, text(value), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )


def _formal(area) -> str:
    """Return the area's name as a People's Committee writes it: "TỈNH ĐỒNG THÁP"."""
    prefix = {Kind.PROVINCE: "Tỉnh", Kind.CENTRAL_CITY: "Thành phố"}.get(area.kind)
    name = (
        f"{prefix} {area.name}"
        if prefix and not area.name.startswith(prefix)
        else area.name
    )
    return name.upper()


def render(attendance: Attendance) -> bytes:
    session = attendance.session
    course = session.course
    person = attendance.official
    organiser = session.area
    doc = Document(
        _("Certificate of completion"),
        orientation="L",
        footer_text=_("Certificate no. %(number)s")
        % {"number": attendance.certificate_number},
        serif=True,
        with_footer=False,
    )
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.set_draw_color(150, 30, 30)
    doc.set_line_width(1.2)
    doc.rect(10, 10, 277, 190)
    doc.set_line_width(0.3)
    doc.rect(13, 13, 271, 184)
    doc.set_y(20)
    doc.set_font(SERIF, "B", 11)
    top = doc.get_y()
    doc.set_xy(18, top)
    doc.multi_cell(
        110,
        6,
        text(_("PEOPLE'S COMMITTEE OF %(area)s") % {"area": _formal(organiser)}),
        align="C",
    )
    doc.set_xy(150, top)
    doc.multi_cell(
        125,
        6,
        text(
            _("SOCIALIST REPUBLIC OF VIETNAM")
            + "\n"
            + _("Independence - Freedom - Happiness")
        ),
        align="C",
    )
    doc.set_y(52)
    _centre(doc, _("CERTIFICATE"), 30, "B")
    doc.ln(2)
    _centre(doc, _("of completion of a training course"), 15)
    doc.ln(6)
    _centre(doc, _("This certifies that"), 13)
    doc.ln(1)
    _centre(doc, person.full_name, 24, "B")
    doc.ln(2)
    details = []
    if person.date_of_birth:
        details.append(
            _("Date of birth: %(date)s") % {"date": f"{person.date_of_birth:%d/%m/%Y}"}
        )
    work = ", ".join(p for p in (person.position, person.area.full_name) if p)
    details.append(_("Position and unit: %(work)s") % {"work": work})
    details.append(_("has completed the course: %(course)s") % {"course": course.title})
    details.append(_("Topic: %(topic)s") % {"topic": course.get_topic_display()})
    details.append(
        _("Held from %(start)s to %(end)s at %(place)s")
        % {
            "start": f"{session.starts_on:%d/%m/%Y}",
            "end": f"{session.ends_on:%d/%m/%Y}",
            "place": session.place,
        }
    )
    if attendance.result:
        details.append(_("Result: %(result)s") % {"result": attendance.result})
    for line in details:
        _centre(doc, line, 12)
        doc.ln(1)
    day = attendance.completed_on
    doc.set_y(158)
    doc.set_x(160)
    doc.set_font(SERIF, "", 11)
    province = organiser.ancestors().first() or organiser
    doc.multi_cell(
        115,
        6,
        text(
            _("%(place)s, day %(d)s month %(m)s year %(y)s")
            % {
                "place": province.name,
                "d": f"{day:%d}",
                "m": f"{day:%m}",
                "y": f"{day:%Y}",
            }
        ),
        align="C",
    )
    doc.set_x(160)
    doc.set_font(SERIF, "B", 11)
    doc.multi_cell(115, 6, text(_("ON BEHALF OF THE ORGANISER")), align="C")
    doc.set_xy(18, 175)
    doc.set_font(FAMILY, "", 9)
    doc.multi_cell(
        120,
        5,
        text(
            _("Certificate no. %(number)s") % {"number": attendance.certificate_number}
        )
        + "\n"
        + text(_("Trainer: %(trainer)s") % {"trainer": session.trainer}),
    )
    return doc.to_bytes()
