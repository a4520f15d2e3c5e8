"""Realistic CAP 1.2 messages for Đồng Tháp, written for the tests.

Codes: province 82 (Đồng Tháp, 2025 catalogue); the communes of the test
tree (conftest.dong_thap) keep 5-digit codes in the same form. Times are
relative to now, written as CAP wants them (offset, no "Z").
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from django.utils import timezone

SENDER = "canhbao@kttv-dongthap.gov.vn"


def t(delta_minutes: float = 0) -> str:
    moment = timezone.localtime() + timedelta(minutes=delta_minutes)
    return moment.replace(microsecond=0).isoformat()


def area(desc: str, *, geocodes=(), polygons=(), circles=()) -> str:
    parts = [f"<areaDesc>{escape(desc)}</areaDesc>"]
    parts += [f"<polygon>{p}</polygon>" for p in polygons]
    parts += [f"<circle>{c}</circle>" for c in circles]
    parts += [
        f"<geocode><valueName>VN-MaDVHC-2025</valueName><value>{g}</value></geocode>"
        for g in geocodes
    ]
    return "<area>" + "".join(parts) + "</area>"


def alert(
    identifier: str,
    *,
    msg_type: str = "Alert",
    status: str = "Actual",
    references: str = "",
    event: str = "Bão",
    headline: str = "Cảnh báo bão số 5",
    description: str = "Bão số 5 đổ bộ vào Đồng Tháp đêm nay, gió cấp 10, giật cấp 12.",
    instruction: str = "Người dân neo đậu tàu thuyền, gia cố nhà cửa, không ra sông.",
    language: str = "vi-VN",
    expires_in: float = 360,
    areas: str = "",
    sent_delta: float = 0,
    sender: str = SENDER,
) -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    info = (
        "<info>"
        f"<language>{language}</language>"
        "<category>Met</category>"
        f"<event>{escape(event)}</event>"
        "<urgency>Immediate</urgency><severity>Severe</severity>"
        "<certainty>Observed</certainty>"
        f"<effective>{t(sent_delta)}</effective>"
        f"<expires>{t(expires_in)}</expires>"
        "<senderName>Đài Khí tượng Thủy văn tỉnh Đồng Tháp</senderName>"
        f"<headline>{escape(headline)}</headline>"
        f"<description>{escape(description)}</description>"
        f"<instruction>{escape(instruction)}</instruction>"
        f"{areas}"
        "</info>"
    )
    if msg_type == "Cancel":
        info = ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        f"<identifier>{identifier}</identifier>"
        f"<sender>{sender}</sender>"
        f"<sent>{t(sent_delta)}</sent>"
        f"<status>{status}</status>"
        f"<msgType>{msg_type}</msgType>"
        "<scope>Public</scope>"
        f"{refs}{info}"
        "</alert>"
    ).encode()


def storm(identifier: str = "KTTV-DT-2026-0501", **kw) -> bytes:
    """A storm warning naming two communes by their codes."""
    return alert(
        identifier,
        areas=area("Phường Cao Lãnh, Phường Mỹ Tho", geocodes=("29869", "28261")),
        **kw,
    )


#: sông Tiền from Thường Phước down to Cao Lãnh, as a polygon (lat,lon).
SONG_TIEN = (
    "10.87,105.20 10.857,105.238 10.47,105.66 10.44,105.66 10.44,105.62 10.87,105.20"
)


def flood(identifier: str = "KTTV-DT-2026-0777", **kw) -> bytes:
    """Flood alarm level III on sông Tiền, drawn as a polygon."""
    kw.setdefault("event", "Lũ")
    kw.setdefault("headline", "Báo động lũ cấp III trên sông Tiền")
    kw.setdefault(
        "description",
        "Mực nước sông Tiền tại Tân Châu 4,52 m, trên báo động III 0,02 m, "
        "còn lên trong 24 giờ tới.",
    )
    kw.setdefault(
        "instruction", "Di dời người dân vùng trũng ven sông đến nơi an toàn."
    )
    return alert(identifier, areas=area("Ven sông Tiền", polygons=(SONG_TIEN,)), **kw)


def reference(identifier: str, sent: str, sender: str = SENDER) -> str:
    return f"{sender},{identifier},{sent}"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;</identifier></alert>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>
"""
