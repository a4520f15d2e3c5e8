"""Demo feedback: about a hundred items over the last months, in every state.

Made through the actions (so routing, deadlines and the audit log are real),
then moved back in time, which only demo data may do, so that the numbers
page shows items answered on time, answered late, and overdue.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from grassroots.accounts.models import User
from grassroots.areas.models import Area, Level

from . import actions, jurisdiction
from .models import (
    ApiClient,
    Category,
    Channel,
    Event,
    Feedback,
    Notification,
    NotificationStatus,
)

DEMO_DEVICE = "demo"
COUNT = 100
KEY_FILE = "open311-demo-key.txt"

TEXTS = {
    "duong-sa": [
        "Đoạn đường trước chợ có nhiều ổ gà lớn, trời mưa đọng nước, xe máy đi qua rất dễ té ngã.",
        "Cây cầu khỉ bắc qua kênh đã mục ván, học sinh đi học hằng ngày rất nguy hiểm.",
        "Biển báo giao thông ở ngã ba bị gãy đổ từ tuần trước, chưa ai dựng lại.",
    ],
    "chieu-sang": [
        "Đèn đường trên tuyến đường liên ấp tắt cả tuần nay, ban đêm tối om, người dân lo ngại trộm cắp.",
        "Cột điện gần nhà văn hóa bị nghiêng, dây điện võng thấp sát mặt đường.",
    ],
    "nuoc-sach": [
        "Nước máy mấy ngày nay có màu đục và mùi phèn, không dùng để nấu ăn được.",
        "Kênh nội đồng bị bồi lắng, lục bình phủ kín, nước không tưới được ruộng.",
        "Mưa lớn là hẻm ngập đến đầu gối, nước không thoát được vì cống bị nghẹt.",
    ],
    "moi-truong": [
        "Rác thải tập kết ở đầu hẻm đã ba ngày chưa được thu gom, bốc mùi hôi thối.",
        "Cơ sở chăn nuôi heo xả nước thải thẳng ra kênh, mùi hôi ảnh hưởng cả xóm.",
        "Có người đốt rác, đốt rơm rạ gần khu dân cư, khói bay vào nhà gây khó thở.",
    ],
    "an-ninh-trat-tu": [
        "Tối nào cũng có nhóm thanh niên tụ tập đua xe, nẹt pô trên đường đê sau mười giờ đêm.",
        "Quán karaoke mở nhạc lớn đến khuya, ảnh hưởng giấc ngủ của người già và trẻ nhỏ.",
        "Hàng quán lấn chiếm vỉa hè trước trường học, học sinh phải đi xuống lòng đường.",
    ],
    "dat-dai": [
        "Hộ dân xây tường rào lấn ra phần đất lộ giới của đường ấp, đề nghị kiểm tra.",
        "Công trình nhà ở đang xây dựng không thấy treo giấy phép, đổ vật liệu ra đường.",
    ],
    "y-te": [
        "Trong ấp có nhiều ca sốt xuất huyết, đề nghị phun thuốc diệt muỗi và phát quang bụi rậm.",
        "Xe bán thức ăn trước cổng trường không rõ nguồn gốc, nhiều em bị đau bụng.",
    ],
    "giao-duc": [
        "Phòng học của điểm trường bị dột mái, mưa là học sinh phải dồn sang một bên.",
        "Nhà trường thu thêm nhiều khoản đóng góp ngoài quy định, phụ huynh chưa rõ.",
    ],
    "chinh-sach-xa-hoi": [
        "Gia đình tôi thuộc hộ cận nghèo nhưng chưa được cấp thẻ bảo hiểm y tế năm nay.",
        "Mẹ tôi đủ tuổi hưởng trợ cấp người cao tuổi nhưng hồ sơ nộp từ lâu chưa có kết quả.",
    ],
    "thu-tuc-hanh-chinh": [
        "Hồ sơ chứng thực nộp ở bộ phận một cửa bị trễ hẹn hai lần mà không có thông báo.",
        "Cán bộ yêu cầu nộp thêm giấy tờ không có trong danh mục thủ tục đã niêm yết.",
    ],
    "thien-tai": [
        "Bờ sông đoạn gần bến đò bị sạt lở, nứt sâu vào đất nhà dân, cần cắm biển cảnh báo.",
        "Sau cơn lốc tối qua có cây lớn đổ chắn ngang đường, chưa được dọn.",
    ],
    "khac": [
        "Đề nghị xã lắp thêm loa truyền thanh ở cuối ấp vì bà con không nghe được thông báo.",
    ],
}
NAMES = [
    "Nguyễn Văn Tư",
    "Trần Thị Hoa",
    "Lê Văn Bảy",
    "Phạm Thị Lệ",
    "Võ Minh Tâm",
    "",
]
ANSWER = (
    "UBND đã kiểm tra thực tế và giao bộ phận chuyên môn xử lý. "
    "Kết quả: đã khắc phục xong, cảm ơn bà con đã phản ánh."
)


def _shift(item: Feedback, answered_days: int | None) -> None:
    """Move the item's answer back in time (demo only)."""
    if answered_days is None:
        return
    at = item.received_at + timedelta(days=answered_days, hours=3)
    Feedback.objects.filter(pk=item.pk).update(answered_at=at, updated_at=at)
    Event.objects.filter(feedback=item).exclude(kind="received").update(at=at)


def load(out: Callable[[str], None]) -> None:
    if Feedback.objects.filter(device_id=DEMO_DEVICE).exists():
        out("Demo feedback: already there")
        return
    province = jurisdiction.province()
    communes = list(
        Area.objects.filter(
            parent=province, level=Level.COMMUNE, children__isnull=False
        )
        .distinct()
        .order_by("code")
    )
    categories = {c.code: c for c in Category.objects.all()}
    handler = User.objects.filter(username="tinh.phananh").first()
    commune_handlers = {
        u.area_id: u for u in User.objects.filter(username__endswith=".phananh")
    }
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    now = timezone.now()
    for n in range(COUNT):
        code = rng.choice(list(TEXTS))
        commune = communes[n % len(communes)] if communes else None
        hamlets = list(commune.children.all()) if commune else []
        hamlet = rng.choice(hamlets) if hamlets else commune
        # One in ten is left overdue, two in ten are recent and still open.
        kind = n % 10
        age = rng.randint(0, 9) if kind in (1, 2) else rng.randint(20, 120)
        received = now - timedelta(days=age, hours=rng.randint(0, 8))
        name = rng.choice(NAMES)
        submission = actions.Submission(
            category=categories[code],
            description=rng.choice(TEXTS[code]),
            channel=rng.choice(
                [Channel.WEB] * 5
                + [Channel.OPEN311] * 2
                + [Channel.PHONE, Channel.IN_PERSON]
            ),
            place=hamlet if n % 7 else None,
            latitude=hamlet.latitude if n % 7 == 0 and hamlet else None,
            longitude=hamlet.longitude if n % 7 == 0 and hamlet else None,
            citizen_name=name,
            phone=f"09{rng.randint(10000000, 99999999)}" if name and n % 3 else "",
            consent=bool(name),
            device_id=DEMO_DEVICE,
            received_at=received,
        )
        item = actions.submit(submission, province=province)
        actor = commune_handlers.get(item.area_id) or handler
        deadline = categories[code].deadline_days
        roll = rng.random()
        if kind in (0, 1) and roll < 0.5:
            continue  # still received (overdue when old)
        actions.start(actor, item)
        if kind in (0, 1, 2):
            continue  # in progress
        late = roll > 0.85
        days = (
            rng.randint(int(deadline * 1.4) + 5, int(deadline * 1.4) + 15)
            if late
            else rng.randint(1, deadline)
        )
        days = min(days, max(age - 1, 1))
        actions.answer(actor, item, ANSWER, public=True)
        _shift(item, days)
        if roll > 0.6:
            actions.close(actor, item)
    result = actions.check_deadlines()
    # The demo is history: its messages went out when it happened, not all at
    # once when the worker first starts (hundreds of lines under the banner).
    Notification.objects.filter(
        feedback__device_id=DEMO_DEVICE, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENT, sent_at=F("created_at"))
    _demo_client(out)
    out(
        f"Demo feedback: {COUNT} items, {result.escalated} escalated, "
        f"{result.warned} warned"
    )


def _demo_client(out: Callable[[str], None]) -> None:
    path = settings.DATA_DIR / KEY_FILE
    if ApiClient.objects.filter(name="Ứng dụng thử nghiệm").exists() and path.exists():
        return
    _client, key = actions.create_api_client(
        None, name="Ứng dụng thử nghiệm", contact="demo@demo.invalid", per_minute=120
    )
    path.write_text(key)
    path.chmod(0o600)


def banner() -> list[str]:
    path = settings.DATA_DIR / KEY_FILE
    base = f"http://{settings.GRASSROOTS_HTTP_HOST}:{settings.GRASSROOTS_HTTP_PORT}"
    lines = [
        f"  Citizen feedback form: {base}/phan-anh/",
        f"  Open311 GeoReport v2:  {base}/open311/v2/discovery.json",
    ]
    if path.exists():
        lines.append(f"  Open311 demo api_key:  {path.read_text().strip()}")
    return lines
