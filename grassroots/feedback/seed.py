"""Data every installation starts with: Vietnam's public holidays and default categories.

Holidays follow the Labour Code (Art. 112: Tết Dương lịch 1 day, Tết Âm lịch
5 days, Hùng Kings' day 10/3 lunar, 30/4, 1/5, Quốc khánh 2 days) and each
year's notice on swapped days for civil servants. Years whose notice is not
out yet are marked provisional, with days in lieu computed by the Code
(a holiday on a weekend is taken on the next working day). Staff confirm or
correct them in the console's working calendar.
"""

from __future__ import annotations

from datetime import date

H, C, S, M = "holiday", "compensatory", "swapped", "makeup"
N2025 = "Bộ LĐ-TB&XH, thông báo lịch nghỉ năm 2025"
N2026 = "VPCP 12729/VPCP-KGVX ngày 25/12/2025; Thủ tướng đồng ý lịch nghỉ Tết 2026"
P2026 = "Đề xuất của Bộ Nội vụ; kiểm tra thông báo chính thức"
P2027 = "Tính theo Bộ luật Lao động; chờ thông báo chính thức năm 2027"

#: (date, kind, name, note, provisional)
HOLIDAYS: tuple[tuple[date, str, str, str, bool], ...] = (
    (date(2025, 1, 1), H, "Tết Dương lịch", N2025, False),
    (date(2025, 1, 27), H, "Tết Nguyên đán (28 tháng Chạp)", N2025, False),
    (date(2025, 1, 28), H, "Tết Nguyên đán (29 tháng Chạp)", N2025, False),
    (date(2025, 1, 29), H, "Tết Nguyên đán (mùng 1)", N2025, False),
    (date(2025, 1, 30), H, "Tết Nguyên đán (mùng 2)", N2025, False),
    (date(2025, 1, 31), H, "Tết Nguyên đán (mùng 3)", N2025, False),
    (date(2025, 4, 7), H, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", N2025, False),
    (date(2025, 4, 26), M, "Làm bù cho thứ Sáu 02/5/2025", N2025, False),
    (date(2025, 4, 30), H, "Ngày Chiến thắng", N2025, False),
    (date(2025, 5, 1), H, "Ngày Quốc tế Lao động", N2025, False),
    (date(2025, 5, 2), S, "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)", N2025, False),
    (date(2025, 9, 1), H, "Quốc khánh (ngày liền kề)", N2025, False),
    (date(2025, 9, 2), H, "Quốc khánh", N2025, False),
    (date(2026, 1, 1), H, "Tết Dương lịch", N2026, False),
    (date(2026, 1, 2), S, "Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)", N2026, False),
    (date(2026, 1, 10), M, "Làm bù cho thứ Sáu 02/01/2026", N2026, False),
    (date(2026, 2, 16), H, "Tết Nguyên đán (29 tháng Chạp)", N2026, False),
    (date(2026, 2, 17), H, "Tết Nguyên đán (mùng 1)", N2026, False),
    (date(2026, 2, 18), H, "Tết Nguyên đán (mùng 2)", N2026, False),
    (date(2026, 2, 19), H, "Tết Nguyên đán (mùng 3)", N2026, False),
    (date(2026, 2, 20), H, "Tết Nguyên đán (mùng 4)", N2026, False),
    (date(2026, 4, 26), H, "Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật)", N2026, False),
    (date(2026, 4, 27), C, "Nghỉ bù Giỗ Tổ Hùng Vương", N2026, False),
    (date(2026, 4, 30), H, "Ngày Chiến thắng", N2026, False),
    (date(2026, 5, 1), H, "Ngày Quốc tế Lao động", N2026, False),
    (date(2026, 8, 22), M, "Làm bù cho thứ Hai 31/8/2026", P2026, True),
    (date(2026, 8, 31), S, "Nghỉ hoán đổi (làm bù thứ Bảy 22/8/2026)", P2026, True),
    (date(2026, 9, 1), H, "Quốc khánh (ngày liền kề)", P2026, True),
    (date(2026, 9, 2), H, "Quốc khánh", P2026, False),
    (date(2027, 1, 1), H, "Tết Dương lịch", P2027, False),
    (date(2027, 2, 5), H, "Tết Nguyên đán (30 tháng Chạp)", P2027, True),
    (date(2027, 2, 6), H, "Tết Nguyên đán (mùng 1, thứ Bảy)", P2027, True),
    (date(2027, 2, 7), H, "Tết Nguyên đán (mùng 2, Chủ nhật)", P2027, True),
    (date(2027, 2, 8), H, "Tết Nguyên đán (mùng 3)", P2027, True),
    (date(2027, 2, 9), H, "Tết Nguyên đán (mùng 4)", P2027, True),
    (date(2027, 2, 10), C, "Nghỉ bù Tết (mùng 1 thứ Bảy)", P2027, True),
    (date(2027, 2, 11), C, "Nghỉ bù Tết (mùng 2 Chủ nhật)", P2027, True),
    (date(2027, 4, 16), H, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", P2027, False),
    (date(2027, 4, 30), H, "Ngày Chiến thắng", P2027, False),
    (date(2027, 5, 1), H, "Ngày Quốc tế Lao động (thứ Bảy)", P2027, False),
    (date(2027, 5, 3), C, "Nghỉ bù Ngày Quốc tế Lao động", P2027, False),
    (date(2027, 9, 2), H, "Quốc khánh", P2027, False),
    (date(2027, 9, 3), H, "Quốc khánh (ngày liền kề)", P2027, True),
)

#: (code, name, group, deadline working days, warn days, keywords, description)
CATEGORIES = (
    (
        "duong-sa",
        "Đường sá, cầu cống, giao thông",
        "Hạ tầng",
        10,
        2,
        "ổ gà, sụt lún, cầu hư, biển báo, đèn giao thông",
        "Đường hư hỏng, cầu yếu, thiếu biển báo, cống nghẹt trên đường.",
    ),
    (
        "chieu-sang",
        "Điện, chiếu sáng công cộng",
        "Hạ tầng",
        7,
        2,
        "đèn đường, cột điện, dây điện",
        "Đèn đường hỏng, dây điện võng, cột điện nghiêng.",
    ),
    (
        "nuoc-sach",
        "Nước sạch, thủy lợi, ngập úng",
        "Hạ tầng",
        7,
        2,
        "nước máy, kênh mương, đê bao, ngập",
        "Mất nước, nước bẩn, kênh mương bồi lắng, ngập khi mưa.",
    ),
    (
        "moi-truong",
        "Môi trường, rác thải, ô nhiễm",
        "Môi trường",
        10,
        2,
        "rác, nước thải, mùi hôi, khói bụi, tiếng ồn",
        "Rác không được thu gom, xả thải, ô nhiễm mùi, khói, tiếng ồn.",
    ),
    (
        "an-ninh-trat-tu",
        "An ninh trật tự, an toàn xã hội",
        "An ninh",
        5,
        1,
        "trộm cắp, tụ tập, đua xe, lấn chiếm vỉa hè",
        "Mất trật tự, tụ tập gây rối, đua xe, lấn chiếm lòng lề đường.",
    ),
    (
        "dat-dai",
        "Đất đai, xây dựng",
        "Đất đai",
        15,
        3,
        "lấn chiếm đất, xây dựng trái phép, ranh giới",
        "Xây dựng không phép, lấn chiếm đất công, tranh chấp ranh giới.",
    ),
    (
        "y-te",
        "Y tế, an toàn thực phẩm",
        "Xã hội",
        10,
        2,
        "trạm y tế, dịch bệnh, sốt xuất huyết, thực phẩm bẩn",
        "Dịch bệnh, vệ sinh an toàn thực phẩm, dịch vụ ở trạm y tế.",
    ),
    (
        "giao-duc",
        "Giáo dục",
        "Xã hội",
        10,
        2,
        "trường học, học phí, cơ sở vật chất",
        "Trường lớp, cơ sở vật chất, các khoản thu ở trường.",
    ),
    (
        "chinh-sach-xa-hoi",
        "Chính sách xã hội, người có công",
        "Xã hội",
        10,
        2,
        "trợ cấp, hộ nghèo, bảo hiểm, người có công",
        "Trợ cấp, hộ nghèo, cận nghèo, bảo hiểm y tế, chế độ người có công.",
    ),
    (
        "thu-tuc-hanh-chinh",
        "Thủ tục hành chính, thái độ cán bộ",
        "Hành chính",
        7,
        2,
        "một cửa, hồ sơ trễ hẹn, thái độ phục vụ",
        "Hồ sơ trễ hẹn, đòi giấy tờ ngoài quy định, thái độ phục vụ.",
    ),
    (
        "thien-tai",
        "Thiên tai, sạt lở, cứu hộ",
        "An ninh",
        3,
        1,
        "sạt lở, bão, lốc, cây đổ",
        "Sạt lở bờ sông, cây đổ, nhà sập sau mưa bão.",
    ),
    ("khac", "Khác", "Khác", 10, 2, "", "Những vấn đề khác ở địa phương."),
)


def seed_calendar(model) -> int:
    """Add the known holidays (``model`` may be a migration's historical model)."""
    created = 0
    for day, kind, name, note, provisional in HOLIDAYS:
        _obj, made = model.objects.get_or_create(
            date=day,
            defaults={
                "kind": kind,
                "name": name,
                "note": note,
                "provisional": provisional,
            },
        )
        created += made
    return created


def seed_categories(model) -> int:
    created = 0
    for order, row in enumerate(CATEGORIES):
        code, name, group, days, warn, keywords, description = row
        _obj, made = model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "deadline_days": days,
                "warn_days": warn,
                "keywords": keywords,
                "description": description,
                "order": (order + 1) * 10,
            },
        )
        created += made
    return created
