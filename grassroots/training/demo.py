"""Demo training records for Đồng Tháp: a roster, courses held 2024–2026, attendance.

Generated from a fixed seed, so every ``make run`` shows the same people and
the indicator "officials trained" rises month by month as sessions complete.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from grassroots.accounts.models import User
from grassroots.areas.models import Area, Level
from grassroots.core.demo import PROVINCE_CODE

from . import actions
from .models import Category, Course, Official, Status, Topic

D = datetime.date
FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương",
    "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lý", "Châu", "Lâm",
)  # fmt: skip
MIDDLE_M = ("Văn", "Minh", "Hữu", "Quốc", "Thanh", "Công", "Đức", "Hoàng")
MIDDLE_F = ("Thị", "Ngọc", "Thị Kim", "Thị Mỹ", "Thu", "Thị Thanh", "Bích")
GIVEN_M = (
    "Hùng", "Dũng", "Tâm", "Phúc", "Lộc", "Thành", "Tài", "Hiếu", "Nghĩa",
    "Khang", "Sơn", "Trí", "Toàn", "Vinh", "Nhân", "Quang",
)  # fmt: skip
GIVEN_F = (
    "Lan", "Hoa", "Hương", "Trang", "Nhung", "Thảo", "Yến", "Ngân", "Hạnh",
    "Diễm", "Phượng", "Loan", "Tuyết", "Xuân", "Vân", "My",
)  # fmt: skip

COMMUNE_POSITIONS = (
    ("Công chức Văn hóa - Xã hội", Category.OFFICIAL),
    ("Phụ trách đài truyền thanh", Category.WORKER),
    ("Nhân viên kỹ thuật đài truyền thanh", Category.WORKER),
)
PROVINCE_STAFF = (
    (
        "Trưởng phòng Thông tin cơ sở, Sở Văn hóa, Thể thao và Du lịch",
        Category.OFFICIAL,
    ),
    ("Chuyên viên Phòng Thông tin cơ sở", Category.OFFICIAL),
    ("Chuyên viên Phòng Thông tin cơ sở", Category.OFFICIAL),
    ("Biên tập viên, Trung tâm Văn hóa - Thông tin tỉnh", Category.OFFICIAL),
    ("Kỹ thuật viên, Trung tâm Văn hóa - Thông tin tỉnh", Category.WORKER),
)

#: (title, topic, hours)
COURSES = (
    ("Bồi dưỡng nghiệp vụ thông tin cơ sở", Topic.PROFESSIONAL, 24),
    ("Biên tập tin, bài trên hệ thống thông tin nguồn", Topic.AUTHORING, 16),
    ("Lưu trữ và số hóa tư liệu thông tin cơ sở", Topic.ARCHIVING, 8),
    (
        "Vận hành đài truyền thanh ứng dụng công nghệ thông tin - viễn thông",
        Topic.EQUIPMENT,
        16,
    ),
)
#: (course index, start, days, place, trainer, share of the roster invited)
SESSIONS = (
    (0, D(2024, 5, 14), 3, "Hội trường Sở Văn hóa, Thể thao và Du lịch, phường Mỹ Tho",
     "ThS. Nguyễn Thị Thu Hà, Cục Thông tin cơ sở", 0.45),
    (3, D(2024, 9, 10), 2, "Trung tâm Văn hóa - Thông tin tỉnh, phường Cao Lãnh",
     "KS. Trần Minh Quang, VNPT Đồng Tháp", 0.35),
    (1, D(2025, 3, 18), 2, "Trường Chính trị tỉnh Đồng Tháp",
     "ThS. Lê Hoàng Phúc, Báo Đồng Tháp", 0.45),
    (0, D(2025, 6, 10), 3, "Hội trường UBND xã Tràm Chim",
     "ThS. Nguyễn Thị Thu Hà, Cục Thông tin cơ sở", 0.55),
    (2, D(2025, 8, 19), 1, "Trung tâm Văn hóa - Thông tin tỉnh, phường Cao Lãnh",
     "CN. Phạm Thị Ngọc Diễm, Chi cục Văn thư - Lưu trữ", 0.40),
    (3, D(2025, 10, 21), 2, "Hội trường UBND phường Mỹ Tho",
     "KS. Trần Minh Quang, VNPT Đồng Tháp", 0.45),
    (1, D(2026, 3, 17), 2, "Trường Chính trị tỉnh Đồng Tháp",
     "ThS. Lê Hoàng Phúc, Báo Đồng Tháp", 0.25),
    (0, D(2026, 5, 12), 3, "Hội trường Sở Văn hóa, Thể thao và Du lịch, phường Mỹ Tho",
     "ThS. Võ Thanh Tùng, Học viện Báo chí và Tuyên truyền", 0.30),
)  # fmt: skip
#: Demo accounts that are also on the roster (username → position).
LINKED_ACCOUNTS = ("mytho.phatthanh", "tramchim.phatthanh", "tramchim.bientap")


def _name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _birthday(rng: random.Random) -> datetime.date:
    return D(rng.randint(1968, 2000), rng.randint(1, 12), rng.randint(1, 28))


def _roster(province: Area, rng: random.Random) -> list[Official]:
    people = []
    for index, (position, category) in enumerate(PROVINCE_STAFF, start=1):
        people.append(
            actions.save_official(
                None,
                area=province,
                code=f"T{index:03d}",
                full_name=_name(rng),
                date_of_birth=_birthday(rng),
                position=position,
                category=category,
                started_on=D(2019, 1, 2),
            )
        )
    communes = Area.objects.filter(
        parent=province, level=Level.COMMUNE, children__isnull=False
    ).distinct()
    for commune in communes.order_by("code"):
        for index, (position, category) in enumerate(COMMUNE_POSITIONS, start=1):
            people.append(
                actions.save_official(
                    None,
                    area=commune,
                    code=f"X{index:02d}",
                    full_name=_name(rng),
                    date_of_birth=_birthday(rng),
                    position=position,
                    category=category,
                    phone=f"09{rng.randint(10000000, 99999999)}",
                    started_on=D(rng.choice((2018, 2020, 2022, 2024)), 7, 1),
                )
            )
        hamlets = list(commune.children.filter(is_active=True).order_by("code"))
        for hamlet in hamlets[:2]:
            people.append(
                actions.save_official(
                    None,
                    area=hamlet,
                    code="CTV",
                    full_name=_name(rng),
                    position=f"Cộng tác viên truyền thanh {hamlet.name}",
                    category=Category.COLLABORATOR,
                    # Collaborators of the second hamlet are volunteers the
                    # commune does not plan to train.
                    needs_training=hamlet == hamlets[0],
                )
            )
    # One person left the job in 2025: their records stay, they stop counting.
    people[7].left_on = D(2025, 9, 30)
    actions.save_official(
        None,
        area=people[7].area,
        official=people[7],
        **{f: getattr(people[7], f) for f in actions.OFFICIAL_FIELDS},
    )
    for username, person in zip(LINKED_ACCOUNTS, _linked(people), strict=False):
        account = User.objects.filter(username=username).first()
        if account is not None and person is not None:
            person.account = account
            person.full_name = account.get_full_name() or person.full_name
            actions.save_official(
                None,
                area=person.area,
                official=person,
                **{f: getattr(person, f) for f in actions.OFFICIAL_FIELDS},
            )
    return people


def _linked(people: list[Official]) -> list[Official | None]:
    by_area = {(p.area.code, p.position): p for p in people}
    return [
        by_area.get(("28261", "Phụ trách đài truyền thanh")),
        by_area.get(("30001", "Phụ trách đài truyền thanh")),
        by_area.get(("30001", "Công chức Văn hóa - Xã hội")),
    ]


def load(out: Callable[[str], None]) -> None:
    if Course.objects.filter(title=COURSES[0][0]).exists():
        out("Demo training records: already there")
        return
    province = Area.objects.get(level=Level.PROVINCE, code=f"{PROVINCE_CODE:02d}")
    rng = random.Random(PROVINCE_CODE)  # noqa: S311 - demo data, not security
    people = _roster(province, rng)
    courses = [
        actions.save_course(
            None,
            area=province,
            title=title,
            topic=topic,
            hours=hours,
            description="Theo Kế hoạch 119/KH-UBND về nâng cao hiệu quả hoạt động "
            "thông tin cơ sở dựa trên ứng dụng công nghệ thông tin.",
        )
        for title, topic, hours in COURSES
    ]
    today = datetime.date.today()  # noqa: DTZ011 - a calendar date for demo data
    trainees = [p for p in people if p.needs_training]
    attendances = 0
    for course_index, start, days, place, trainer, share in SESSIONS:
        end = start + datetime.timedelta(days=days - 1)
        session = actions.save_session(
            None,
            course=courses[course_index],
            area=province,
            starts_on=start,
            ends_on=end,
            place=place,
            trainer=trainer,
        )
        invited = rng.sample(trainees, k=round(len(trainees) * share))
        for attendance in actions.enrol(None, session, invited):
            if end >= today:
                continue  # still to come: registered only
            roll = rng.random()
            status = (
                Status.COMPLETED
                if roll < 0.85
                else Status.ATTENDED
                if roll < 0.93
                else Status.ABSENT
            )
            actions.record_attendance(
                None,
                attendance,
                status=status,
                result=rng.choice(("Giỏi", "Khá", "Khá", "Đạt"))
                if status == Status.COMPLETED
                else "",
                completed_on=end if status == Status.COMPLETED else None,
            )
            attendances += 1
    out(
        f"Demo training records: {len(people)} people on the roster, "
        f"{len(courses)} courses, {len(SESSIONS)} sessions, {attendances} results"
    )
