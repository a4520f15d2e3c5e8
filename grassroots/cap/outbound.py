"""What this installation airs, published as signed CAP 1.2 for other systems.

Every emergency (drills never) and every priority bulletin gets a message
per version: an Alert first, then an Update when its words, areas or end
change, a Cancel when it is cancelled or withdrawn (an expiry needs none:
the message says when it expires). Messages are made by :func:`sync` (a
periodic job, and before the feed is served), signed once with the
installation's CAP key and kept as served.

The key is an RSA key with a self-signed certificate in
``GRASSROOTS_CAP_KEYS_DIR`` (the data directory's ``cap/``), made the first
time a message is signed, as the devices' signing key is.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from grassroots.areas.models import Area, Level
from grassroots.bulletins.content import body_text
from grassroots.bulletins.models import Bulletin, Status
from grassroots.bulletins.models import Level as BulletinLevel
from grassroots.emergencies.models import Emergency, State

from . import geo, xmlcap
from .models import Kind, OutboundAlert

KEY_FILE = "key.pem"
CERT_FILE = "cert.pem"
#: Versions older than this are no longer looked at by ``sync``.
WINDOW = timedelta(days=30)
#: What the Atom feed lists.
FEED_DAYS = 7
FEED_MAX = 200
ATOM_NS = "http://www.w3.org/2005/Atom"
#: Radius of the circle written around a hamlet's point (km).
HAMLET_RADIUS_KM = 0.1

_lock = threading.Lock()


# The installation's key -------------------------------------------------------


def keys_dir() -> Path:
    configured = settings.GRASSROOTS_CAP_KEYS_DIR
    return Path(configured) if configured else Path(settings.DATA_DIR) / "cap"


def _write_private(path: Path, data: bytes) -> None:
    temp = path.with_name(f".new-{os.getpid()}-{threading.get_native_id()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temp, path)  # another process may have won
    except FileExistsError:
        pass
    finally:
        temp.unlink()


def key_and_certificate() -> tuple[bytes, bytes]:
    """Return the PEM key and certificate that sign CAP messages, made on first use."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        load_pem_private_key,
    )
    from cryptography.x509.oid import NameOID

    folder = keys_dir()
    with _lock:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
        if not key_path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            _write_private(
                key_path,
                key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),
            )
        key_pem = key_path.read_bytes()
        if not cert_path.exists():
            key = load_pem_private_key(key_pem, password=None)  # type: ignore[assignment]  # ours: RSA, made above
            name = x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, sender()),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "grassroots CAP"),
                ]
            )
            now = datetime.now(UTC)
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=3650))
                .add_extension(
                    x509.BasicConstraints(ca=False, path_length=None), critical=True
                )
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .sign(key, hashes.SHA256())
            )
            _write_private(cert_path, cert.public_bytes(Encoding.PEM))
        return key_pem, cert_path.read_bytes()


def certificate() -> str:
    """Return the PEM certificate other systems check our signatures with."""
    return key_and_certificate()[1].decode()


def sign(root: etree._Element) -> etree._Element:
    from signxml import XMLSigner

    key, cert = key_and_certificate()
    return XMLSigner().sign(root, key=key, cert=cert.decode())


# Building messages --------------------------------------------------------------


def sender() -> str:
    host = urlsplit(settings.GRASSROOTS_BASE_URL).hostname or "localhost"
    return f"grassroots@{host}"


def cap_time(moment: datetime) -> str:
    """Return a CAP time: local, to the second, with its offset (never "Z")."""
    local = timezone.localtime(moment).replace(microsecond=0)
    return local.isoformat()


def _ring(boundary: dict | None) -> list[list[list[float]]]:
    """Return the outer rings of a GeoJSON Polygon or MultiPolygon."""
    kind = (boundary or {}).get("type")
    coordinates = (boundary or {}).get("coordinates") or []
    if kind == "Polygon":
        return coordinates[:1]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in coordinates if polygon]
    return []


def _geocode(area: Area) -> tuple[str, str] | None:
    if area.level in (Level.PROVINCE, Level.COMMUNE):
        return geo.GEOCODE_OFFICIAL, area.code
    if area.level == Level.HAMLET and area.parent is not None:
        return geo.GEOCODE_HAMLET, f"{area.parent.code}/{area.code}"
    return None


def _area_element(q, areas: list[Area]) -> etree._Element:
    element = etree.Element(q("area"))
    etree.SubElement(element, q("areaDesc")).text = (
        ", ".join(a.name for a in areas)[:1000] or "—"
    )
    for area in areas:
        for ring in _ring(area.boundary):
            points = " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat, *_ in ring)
            if len(ring) >= 4:
                etree.SubElement(element, q("polygon")).text = points
    for area in areas:
        if (
            area.level == Level.HAMLET
            and not _ring(area.boundary)
            and area.latitude is not None
            and area.longitude is not None
        ):
            etree.SubElement(
                element, q("circle")
            ).text = f"{area.latitude:.6f},{area.longitude:.6f} {HAMLET_RADIUS_KM}"
    for area in areas:
        code = _geocode(area)
        if code is not None:
            geocode = etree.SubElement(element, q("geocode"))
            etree.SubElement(geocode, q("valueName")).text = code[0]
            etree.SubElement(geocode, q("value")).text = code[1]
    return element


def build(
    *,
    identifier: str,
    sent: datetime,
    msg_type: str,
    references: list[OutboundAlert],
    event: str,
    urgency: str,
    severity: str,
    certainty: str,
    effective: datetime,
    expires: datetime | None,
    sender_name: str,
    headline: str,
    description: str,
    web: str,
    areas: list[Area],
) -> etree._Element:
    """Return an unsigned CAP 1.2 alert element."""

    def q(name: str) -> str:
        return f"{{{xmlcap.CAP_NS}}}{name}"

    root = etree.Element(q("alert"), nsmap={None: xmlcap.CAP_NS})
    for name, value in (
        ("identifier", identifier),
        ("sender", sender()),
        ("sent", cap_time(sent)),
        ("status", "Actual"),
        ("msgType", msg_type),
        ("scope", "Public"),
    ):
        etree.SubElement(root, q(name)).text = value
    if references:
        etree.SubElement(root, q("references")).text = " ".join(
            f"{sender()},{r.identifier},{cap_time(r.sent)}" for r in references
        )
    info = etree.SubElement(root, q("info"))
    for name, value in (
        ("language", "vi-VN"),
        ("category", "Safety"),
        ("event", event[:255] or "Cảnh báo"),
        ("urgency", urgency),
        ("severity", severity),
        ("certainty", certainty),
        ("effective", cap_time(effective)),
    ):
        etree.SubElement(info, q(name)).text = value
    if expires is not None:
        etree.SubElement(info, q("expires")).text = cap_time(expires)
    for name, value in (
        ("senderName", sender_name),
        ("headline", headline),
        ("description", description),
        ("web", web),
    ):
        if value:
            etree.SubElement(info, q(name)).text = value
    if areas:
        info.append(_area_element(q, areas))
    return root


def _absolute(path: str) -> str:
    return settings.GRASSROOTS_BASE_URL.rstrip("/") + path


def _emergency_message(emergency: Emergency) -> dict:
    areas = list(emergency.target_areas.select_related("parent")) + [
        c.area for c in emergency.target_clusters.select_related("area__parent")
    ]
    bulletin = emergency.bulletin
    return {
        "event": bulletin.category.name if bulletin else emergency.title,
        "urgency": "Immediate",
        "severity": "Extreme",
        "certainty": "Observed",
        "effective": emergency.started_at,
        "expires": emergency.expires_at,
        "sender_name": (bulletin.issuing_agency if bulletin else "")
        or emergency.area.name,
        "headline": emergency.title[:160],
        "description": emergency.text,
        "web": _absolute(bulletin.get_absolute_url()) if bulletin else "",
        "areas": sorted({a.pk: a for a in areas}.values(), key=lambda a: a.path),
    }


def _bulletin_message(bulletin: Bulletin) -> dict:
    areas = list(bulletin.target_areas.select_related("parent")) or [
        bulletin.issuing_area
    ]
    text = "\n\n".join(
        p for p in (bulletin.summary.strip(), body_text(bulletin.body)) if p
    )
    return {
        "event": bulletin.category.name,
        "urgency": "Expected",
        "severity": "Moderate",
        "certainty": "Likely",
        "effective": bulletin.valid_from,
        "expires": bulletin.valid_until,
        "sender_name": bulletin.issuing_agency or bulletin.issuing_area.name,
        "headline": bulletin.title[:160],
        "description": text or bulletin.title,
        "web": _absolute(bulletin.get_absolute_url()),
        "areas": sorted(areas, key=lambda a: a.path),
    }


def _identifier(kind: str, pk: int, n: int) -> str:
    host = sender().split("@", 1)[1]
    return f"{host}.{kind}.{pk}.{n}"


def _emit(kind: str, obj, version: str, ended: bool, message: dict) -> bool:
    """Publish the next message of ``obj`` if ``version`` is new; return True if made."""
    previous = list(
        OutboundAlert.objects.filter(kind=kind, object_id=obj.pk).order_by("sent", "pk")
    )
    if previous and previous[-1].version == version:
        return False
    if previous and previous[-1].msg_type == "Cancel":
        return False
    if not previous and ended:
        return False  # never published while in force: nothing to cancel
    msg_type = "Cancel" if ended else ("Update" if previous else "Alert")
    now = timezone.now()
    identifier = _identifier(kind, obj.pk, len(previous) + 1)
    root = build(
        identifier=identifier,
        sent=now,
        msg_type=msg_type,
        references=previous,
        **message,
    )
    signed = sign(root)
    xml = etree.tostring(signed, xml_declaration=True, encoding="UTF-8").decode()
    area = message["areas"][0] if len(message["areas"]) == 1 else None
    try:
        with transaction.atomic():
            OutboundAlert.objects.create(
                kind=kind,
                object_id=obj.pk,
                version=version,
                identifier=identifier,
                sent=now,
                msg_type=msg_type,
                area=area or getattr(obj, "area", None) or obj.issuing_area,
                headline=message["headline"][:255],
                xml=xml,
            )
    except IntegrityError:
        return False  # another process published this version meanwhile
    return True


def sync(now: datetime | None = None) -> int:
    """Publish a message for every new version of an emergency or priority bulletin."""
    now = now or timezone.now()
    since = now - WINDOW
    made = 0
    emergencies = (
        Emergency.objects.filter(drill=False)
        .filter(Q(state=State.ACTIVE) | Q(updated_at__gte=since))
        .select_related("bulletin__category", "area")
    )
    for emergency in emergencies:
        ended = emergency.state == State.CANCELLED
        if emergency.state not in (State.ACTIVE, State.CANCELLED):
            continue
        version = f"{emergency.rev}:{emergency.state}"
        made += _emit(
            Kind.EMERGENCY, emergency, version, ended, _emergency_message(emergency)
        )
    bulletins = (
        Bulletin.objects.filter(
            level=BulletinLevel.PRIORITY, first_published_at__isnull=False
        )
        .filter(Q(status=Status.PUBLISHED) | Q(updated_at__gte=since))
        .select_related("category", "issuing_area")
    )
    for bulletin in bulletins:
        if bulletin.status not in (Status.PUBLISHED, Status.WITHDRAWN):
            continue
        ended = bulletin.status == Status.WITHDRAWN
        version = f"{bulletin.live_revision_id}:{bulletin.status}"
        made += _emit(
            Kind.BULLETIN, bulletin, version, ended, _bulletin_message(bulletin)
        )
    return made


def feed() -> bytes:
    """Return the Atom feed of the messages of the last days, newest first."""
    since = timezone.now() - timedelta(days=FEED_DAYS)
    messages = list(OutboundAlert.objects.filter(sent__gte=since)[:FEED_MAX])
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})

    def add(parent, name, text=None, **attrs):
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{name}", **attrs)
        if text is not None:
            element.text = text
        return element

    feed_url = _absolute(reverse("cap:feed"))
    add(root, "id", feed_url)
    add(root, "title", "Cảnh báo CAP — " + sender().split("@", 1)[1])
    add(root, "updated", cap_time(messages[0].sent if messages else timezone.now()))
    add(root, "link", rel="self", href=feed_url, type="application/atom+xml")
    author = add(root, "author")
    add(author, "name", sender())
    for message in messages:
        entry = add(root, "entry")
        add(entry, "id", f"urn:cap:{message.identifier}")
        add(entry, "title", f"[{message.msg_type}] {message.headline}")
        add(entry, "updated", cap_time(message.sent))
        add(
            entry,
            "link",
            rel="alternate",
            type="application/cap+xml",
            href=_absolute(reverse("cap:alert", args=[message.pk])),
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
