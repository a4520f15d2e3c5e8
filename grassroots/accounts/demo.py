"""Demo staff accounts, one per role, on the province and on two communes."""

from __future__ import annotations

from collections.abc import Callable

from grassroots.areas.models import Area, Level
from grassroots.core.demo import DEMO_PASSWORD, PROVINCE_CODE

from . import actions
from .models import User
from .roles import Role

#: (username, family name, given name, role, area code: None for the province)
DEMO_STAFF = (
    (
        "tinh.quantri",
        "Nguyễn Văn",
        "Hùng",
        Role.ADMINISTRATOR,
        None,
        "Phòng Thông tin cơ sở, Sở Văn hóa, Thể thao và Du lịch",
    ),
    ("tinh.bientap", "Trần Thị", "Mai", Role.EDITOR, None, "Biên tập viên"),
    ("tinh.duyet", "Lê Minh", "Tuấn", Role.APPROVER, None, "Phó Giám đốc Sở"),
    (
        "tinh.phatthanh",
        "Phạm Văn",
        "Lợi",
        Role.OPERATOR,
        None,
        "Trung tâm Văn hóa - Thông tin tỉnh",
    ),
    (
        "tinh.phananh",
        "Võ Thị",
        "Hạnh",
        Role.FEEDBACK_HANDLER,
        None,
        "Văn phòng UBND tỉnh",
    ),
    ("tinh.xem", "Đặng Quốc", "Bảo", Role.VIEWER, None, "Thanh tra"),
    (
        "mytho.quantri",
        "Huỳnh Văn",
        "Phúc",
        Role.ADMINISTRATOR,
        "28261",
        "Văn phòng UBND phường",
    ),
    (
        "mytho.bientap",
        "Ngô Thị",
        "Lan",
        Role.EDITOR,
        "28261",
        "Cán bộ văn hóa - xã hội",
    ),
    (
        "mytho.duyet",
        "Bùi Văn",
        "Nam",
        Role.APPROVER,
        "28261",
        "Phó Chủ tịch UBND phường",
    ),
    (
        "mytho.phatthanh",
        "Trương Văn",
        "Sang",
        Role.OPERATOR,
        "28261",
        "Đài truyền thanh phường",
    ),
    (
        "mytho.phananh",
        "Lý Thị",
        "Thu",
        Role.FEEDBACK_HANDLER,
        "28261",
        "Bộ phận một cửa",
    ),
    (
        "tramchim.quantri",
        "Châu Văn",
        "Tâm",
        Role.ADMINISTRATOR,
        "30001",
        "Văn phòng UBND xã",
    ),
    (
        "tramchim.bientap",
        "Đỗ Thị",
        "Nga",
        Role.EDITOR,
        "30001",
        "Cán bộ văn hóa - xã hội",
    ),
    (
        "tramchim.duyet",
        "Tạ Văn",
        "Khoa",
        Role.APPROVER,
        "30001",
        "Phó Chủ tịch UBND xã",
    ),
    (
        "tramchim.phatthanh",
        "Lâm Văn",
        "Đức",
        Role.OPERATOR,
        "30001",
        "Đài truyền thanh xã",
    ),
    (
        "tramchim.phananh",
        "Hồ Thị",
        "Yến",
        Role.FEEDBACK_HANDLER,
        "30001",
        "Bộ phận một cửa",
    ),
)


def load(out: Callable[[str], None]) -> None:
    province = Area.objects.get(level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}")
    created = 0
    for username, last, first, role, code, position in DEMO_STAFF:
        area = (
            province
            if code is None
            else Area.objects.get(level=Level.COMMUNE, code=code)
        )
        user = User.objects.filter(username=username).first()
        if user is None:
            user = actions.create_user(
                None,
                username=username,
                password=DEMO_PASSWORD,
                area=area,
                first_name=first,
                last_name=last,
                position=position,
                email=f"{username}@demo.invalid",
                check_password=False,
            )
            created += 1
        actions.grant_role(None, user, role, area)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@demo.invalid", DEMO_PASSWORD)
        created += 1
    out(f"Demo staff accounts: {created} created")


def banner() -> list[str]:
    """Return the demo logins for the start-up banner."""
    if not User.objects.filter(username="admin").exists():
        return []
    lines = [f"  Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines.append("    admin                 superuser")
    for username, _last, _first, role, code, _position in DEMO_STAFF:
        where = (
            "tỉnh Đồng Tháp"
            if code is None
            else Area.objects.get(level=Level.COMMUNE, code=code).name
        )
        lines.append(f"    {username:<21} {role.label} — {where}")
    return lines
