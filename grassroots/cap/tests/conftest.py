"""Fixtures of the CAP tests: a piece of Đồng Tháp, a source, fake speech, signing keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from cryptography.x509.oid import NameOID

from grassroots.areas.models import Area
from grassroots.bulletins import actions as bulletins
from grassroots.bulletins.models import Category
from grassroots.cap import actions
from grassroots.emergencies.tests.conftest import fake_speech  # noqa: F401
from grassroots.loudspeakers.tests.conftest import (  # noqa: F401 - fixtures
    broker,
    loop_thread,
    outbox,
    topic_root,
)
from grassroots.testing import make_area


@dataclass
class DongThap:
    province: Area
    cao_lanh: Area
    khom_1: Area
    khom_2: Area
    thuong_phuoc: Area
    ap_1: Area
    ap_2: Area
    my_tho: Area
    kp_1: Area
    tram_chim: Area
    ap_ba: Area
    tay_ninh: Area
    tay_ninh_commune: Area


def _point(parent, code, name, lat, lon):
    return make_area(parent, code=code, name=name, latitude=lat, longitude=lon)


@pytest.fixture
def dong_thap(db) -> DongThap:
    province = make_area(code="82", name="Đồng Tháp", latitude=10.46, longitude=105.63)
    cao_lanh = make_area(province, code="29869", name="Phường Cao Lãnh")
    thuong_phuoc = make_area(province, code="30001", name="Xã Thường Phước")
    my_tho = make_area(province, code="28261", name="Phường Mỹ Tho")
    tram_chim = make_area(province, code="29986", name="Xã Tràm Chim")
    tay_ninh = make_area(code="80", name="Tây Ninh")
    return DongThap(
        province=province,
        cao_lanh=cao_lanh,
        khom_1=_point(cao_lanh, "K1", "Khóm 1", 10.456, 105.633),
        khom_2=_point(cao_lanh, "K2", "Khóm 2", 10.462, 105.641),
        thuong_phuoc=thuong_phuoc,
        ap_1=_point(thuong_phuoc, "A1", "Ấp 1", 10.852, 105.231),
        ap_2=_point(thuong_phuoc, "A2", "Ấp 2", 10.861, 105.245),
        my_tho=my_tho,
        kp_1=_point(my_tho, "KP1", "Khu phố 1", 10.354, 106.364),
        tram_chim=tram_chim,
        ap_ba=_point(tram_chim, "A3", "Ấp Ba", 10.67, 105.57),
        tay_ninh=tay_ninh,
        tay_ninh_commune=make_area(tay_ninh, code="27500", name="Xã Ngoài"),
    )


@pytest.fixture(autouse=True)
def cap_keys(settings, tmp_path):
    """This installation's CAP key in a folder of the test's own."""
    settings.GRASSROOTS_CAP_KEYS_DIR = tmp_path / "cap-keys"
    settings.GRASSROOTS_BASE_URL = "https://canhbao.dongthap.test"


def make_source(province, *, name="KTTV Đồng Tháp", policies=None, **kw):
    peer = bulletins.save_peer(None, name=name, area=province, publishes_directly=False)
    return actions.save_source(
        None,
        peer,
        category=Category.objects.get(slug="thien-tai"),
        policies=policies if policies is not None else {},
        **kw,
    )


@pytest.fixture
def source(dong_thap):
    return make_source(dong_thap.province)


@dataclass
class Signer:
    key_pem: bytes
    cert_pem: str

    def sign(self, raw: bytes) -> bytes:
        from lxml import etree
        from signxml import XMLSigner

        root = etree.fromstring(raw)
        signed = XMLSigner().sign(root, key=self.key_pem, cert=self.cert_pem)
        return etree.tostring(signed)


def make_signer(name: str = "KTTV Đồng Tháp") -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return Signer(
        key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),
        cert.public_bytes(Encoding.PEM).decode(),
    )


@pytest.fixture(scope="session")
def signer() -> Signer:
    return make_signer()
