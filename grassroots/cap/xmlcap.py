"""Read CAP 1.2 messages safely: size limit, no DTD or entity, schema, signature.

A message comes from outside, possibly hostile. It is refused before any
parsing when it is too large; ``defusedxml`` refuses any DTD (so no entity
expansion, no external entity, no billion laughs); lxml then parses it with
entity resolution and the network off and its default depth limits; the
vendored OASIS schema decides whether it is CAP 1.2. Every failure is a
:class:`Refused` with a stable code and a reason in words, never an
exception of the parsers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from django.utils.translation import gettext as _
from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
SCHEMA_PATH = Path(__file__).with_name("schema") / "CAP-v1.2.xsd"
#: The largest message accepted (a CAP alert with polygons is a few kB).
MAX_BYTES = 512 * 1024
#: At most this many points in one polygon, and areas in one info.
MAX_POINTS = 5000
MAX_AREAS = 200
MAX_GEOCODES = 500


class Refused(Exception):
    """A message that is not taken in; ``code`` is stable, ``message`` in words."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@functools.cache
def schema() -> xmlschema.XMLSchema:
    """Return the CAP 1.2 schema, loaded once, allowed to read nothing else."""
    return xmlschema.XMLSchema(
        SCHEMA_PATH.read_text(encoding="utf-8"), allow="none", defuse="always"
    )


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(raw: bytes) -> etree._Element:
    """Return the root element of ``raw``, or raise Refused (hostile or not XML)."""
    if not isinstance(raw, bytes | bytearray):
        raw = str(raw).encode()
    if len(raw) > MAX_BYTES:
        raise Refused(
            "too_large",
            _("The message is larger than %(max)d kB.") % {"max": MAX_BYTES // 1024},
        )
    if not raw.strip():
        raise Refused("not_xml", _("The message is empty."))
    try:
        DefusedET.fromstring(
            bytes(raw), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise Refused(
            "forbidden_xml",
            _("The message declares a DTD or entities, which are not accepted."),
        ) from None
    except DefusedET.ParseError as exc:
        raise Refused(
            "not_xml", _("The message is not well-formed XML: %(e)s") % {"e": exc}
        ) from None
    try:
        return etree.fromstring(bytes(raw), _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise Refused(
            "not_xml", _("The message is not well-formed XML: %(e)s") % {"e": exc}
        ) from None


def validate(root: etree._Element) -> None:
    """Raise Refused unless ``root`` is a valid CAP 1.2 alert."""
    if root.tag != f"{{{CAP_NS}}}alert":
        raise Refused(
            "not_cap",
            _("This is not a CAP 1.2 alert (the root is %(tag)s).")
            % {"tag": root.tag[:100]},
        )
    for error in schema().iter_errors(root):
        reason = (error.reason or str(error)).splitlines()[0][:300]
        where = getattr(error, "path", None) or ""
        raise Refused(
            "invalid",
            _("The alert does not follow the CAP 1.2 schema: %(reason)s %(where)s")
            % {"reason": reason, "where": where},
        )


def has_signature(root: etree._Element) -> bool:
    return root.find(f"{{{DSIG_NS}}}Signature") is not None


def verify(root: etree._Element, certificate: str) -> etree._Element:
    """Return the signed alert if its signature holds with ``certificate``.

    What follows reads the element signxml says was signed, never the
    original tree: a signature over another part (a wrapping attack) is
    not taken for a signature of the alert.
    """
    from signxml import XMLVerifier
    from signxml.exceptions import SignXMLException

    if not certificate.strip():
        raise Refused(
            "no_certificate",
            _("The source has no certificate to check signatures with."),
        )
    if not has_signature(root):
        raise Refused("unsigned", _("This source's alerts must be signed."))
    try:
        result = XMLVerifier().verify(
            etree.tostring(root), x509_cert=certificate, parser=_parser()
        )
    except (SignXMLException, ValueError, TypeError, etree.LxmlError) as exc:
        raise Refused(
            "bad_signature",
            _("The signature does not hold: %(e)s") % {"e": str(exc)[:300]},
        ) from None
    if isinstance(result, list):  # only with expect_references > 1, not asked for
        raise Refused("bad_signature", _("The signature does not cover the alert."))
    signed = result.signed_xml
    if signed is None or signed.tag != root.tag:
        raise Refused("bad_signature", _("The signature does not cover the alert."))
    return signed


# Reading ----------------------------------------------------------------------


@dataclass
class AreaSpec:
    desc: str = ""
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    circles: list[tuple[float, float, float]] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Info:
    language: str = "en-US"
    categories: list[str] = field(default_factory=list)
    event: str = ""
    urgency: str = ""
    severity: str = ""
    certainty: str = ""
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    areas: list[AreaSpec] = field(default_factory=list)

    @property
    def is_vietnamese(self) -> bool:
        return self.language.strip().lower().split("-")[0] == "vi"


@dataclass
class Alert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: list[tuple[str, str, str]] = field(default_factory=list)
    infos: list[Info] = field(default_factory=list)

    def chosen_info(self) -> Info | None:
        """Return the Vietnamese info if there is one, else the first."""
        for info in self.infos:
            if info.is_vietnamese:
                return info
        return self.infos[0] if self.infos else None


def _text(element: etree._Element, name: str) -> str:
    child = element.find(f"{{{CAP_NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _texts(element: etree._Element, name: str) -> list[str]:
    return [(c.text or "").strip() for c in element.findall(f"{{{CAP_NS}}}{name}")]


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(
            "invalid", _("“%(value)s” is not a date and time.") % {"value": value[:40]}
        ) from None
    if moment.tzinfo is None:
        raise Refused("invalid", _("Times must give their offset from UTC."))
    return moment


def _point(text: str) -> tuple[float, float]:
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise Refused(
            "bad_area",
            _("“%(p)s” is not a point (latitude,longitude).") % {"p": text[:40]},
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Refused(
            "bad_area", _("“%(p)s” is not a point on Earth.") % {"p": text[:40]}
        )
    return lat, lon


def _polygon(text: str) -> list[tuple[float, float]]:
    pairs = text.split()
    if len(pairs) > MAX_POINTS:
        raise Refused("bad_area", _("A polygon has too many points."))
    points = [_point(p) for p in pairs]
    if len(points) < 4 or points[0] != points[-1]:
        raise Refused(
            "bad_area",
            _("A polygon needs at least four points, the last one equal to the first."),
        )
    return points


def _circle(text: str) -> tuple[float, float, float]:
    try:
        centre, radius_s = text.split()
        radius = float(radius_s)
    except ValueError:
        raise Refused(
            "bad_area", _("“%(c)s” is not a circle.") % {"c": text[:40]}
        ) from None
    if not 0 <= radius <= 1000:
        raise Refused("bad_area", _("A circle's radius must be 0 to 1000 km."))
    lat, lon = _point(centre)
    return lat, lon, radius


def read(root: etree._Element) -> Alert:
    """Return the fields of a valid alert (``validate`` was called)."""
    q = f"{{{CAP_NS}}}"
    references = []
    for token in _text(root, "references").split():
        parts = token.split(",")
        if len(parts) == 3:
            references.append((parts[0], parts[1], parts[2]))
    alert = Alert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=_time(_text(root, "sent")),  # type: ignore[arg-type]
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        references=references,
    )
    for node in root.findall(f"{q}info"):
        info = Info(
            language=_text(node, "language") or "en-US",
            categories=_texts(node, "category"),
            event=_text(node, "event"),
            urgency=_text(node, "urgency"),
            severity=_text(node, "severity"),
            certainty=_text(node, "certainty"),
            effective=_time(_text(node, "effective")),
            onset=_time(_text(node, "onset")),
            expires=_time(_text(node, "expires")),
            sender_name=_text(node, "senderName"),
            headline=_text(node, "headline"),
            description=_text(node, "description"),
            instruction=_text(node, "instruction"),
            web=_text(node, "web"),
        )
        area_nodes = node.findall(f"{q}area")
        if len(area_nodes) > MAX_AREAS:
            raise Refused("bad_area", _("The alert has too many areas."))
        for area in area_nodes:
            spec = AreaSpec(desc=_text(area, "areaDesc"))
            spec.polygons = [_polygon(t) for t in _texts(area, "polygon") if t]
            spec.circles = [_circle(t) for t in _texts(area, "circle") if t]
            for geocode in area.findall(f"{q}geocode"):
                spec.geocodes.append(
                    (_text(geocode, "valueName"), _text(geocode, "value"))
                )
            info.areas.append(spec)
        alert.infos.append(info)
    if sum(len(a.geocodes) for i in alert.infos for a in i.areas) > MAX_GEOCODES:
        raise Refused("bad_area", _("The alert has too many geocodes."))
    return alert


def load(raw: bytes, *, certificate: str = "", require_signature: bool = False):
    """Parse, validate, check the signature; return (alert, signed, root).

    A signature is checked when the source requires one, or when the
    message carries one and the source has a certificate (a signature that
    does not hold is refused even where none is required).
    """
    root = parse(raw)
    validate(root)
    signed = False
    if require_signature or (certificate.strip() and has_signature(root)):
        root = verify(root, certificate)
        signed = True
    return read(root), signed, root
