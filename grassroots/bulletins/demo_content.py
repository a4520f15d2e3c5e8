"""The words of the demo bulletins: Đồng Tháp, in Vietnamese, as officials write them."""

# Each entry: key, issuing commune code (None: the province), author username,
# category key, level, agency, source reference, target commune codes (None: the
# issuing area; hamlet codes as "28261/H03"), title, summary, body, and the state
# the demo puts it in.
from typing import Any

PROVINCE = None

BULLETINS: list[dict[str, Any]] = [
    {
        "key": "kh119",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "phap-luat-chinh-sach",
        "level": "normal",
        "agency": "UBND tỉnh Đồng Tháp",
        "reference": "KH 119/KH-UBND",
        "targets": None,
        "title": "Kế hoạch 119/KH-UBND: nâng cao hiệu quả hoạt động thông tin cơ sở dựa trên ứng dụng công nghệ thông tin",
        "summary": "UBND tỉnh triển khai Chương trình theo Quyết định 135/QĐ-TTg: hiện đại hóa hệ thống thông tin cơ sở, số hóa nguồn thông tin, đưa thông tin thiết yếu đến người dân.",
        "body": (
            "<p>Ngày 13/4/2021, UBND tỉnh Đồng Tháp ban hành Kế hoạch số 119/KH-UBND thực hiện "
            "Chương trình “Nâng cao hiệu quả hoạt động thông tin cơ sở dựa trên ứng dụng công nghệ "
            "thông tin giai đoạn 2021–2025” theo Quyết định số 135/QĐ-TTg của Thủ tướng Chính phủ.</p>"
            "<h2>Mục tiêu đến năm 2025</h2>"
            "<ul><li>100% đài truyền thanh cấp xã được trang bị hệ thống truyền thanh ứng dụng công nghệ "
            "thông tin – viễn thông, bình quân mỗi đài có ít nhất 15 cụm loa, lắp đặt tại 100% ấp;</li>"
            "<li>30% UBND cấp xã có bảng tin điện tử công cộng tại trụ sở;</li>"
            "<li>100% thông tin thiết yếu được phổ biến đến người dân;</li>"
            "<li>100% phản ánh, kiến nghị của người dân về việc thực hiện chính sách, pháp luật ở địa "
            "phương được tiếp nhận, xử lý trên hệ thống;</li>"
            "<li>100% cán bộ làm công tác thông tin cơ sở được bồi dưỡng chuyên môn, nghiệp vụ.</li></ul>"
            "<p>Người dân có thể theo dõi thông tin thiết yếu trên loa truyền thanh, bảng tin điện tử và "
            "cổng thông tin này, và gửi phản ánh, kiến nghị qua hệ thống.</p>"
        ),
        "state": "published",
        "media": ["pdf"],
    },
    {
        "key": "flood",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "thien-tai",
        "level": "emergency",
        "agency": "Ban Chỉ huy Phòng chống thiên tai và Tìm kiếm cứu nạn tỉnh",
        "reference": "Công điện 05/CĐ-BCH",
        "targets": ["29955", "29926", "30130", "30001"],
        "title": "Cảnh báo lũ trên sông Tiền: mực nước tại Tân Châu vượt báo động III",
        "summary": "Mực nước sông Tiền tại Tân Châu đạt 4,12 m, vượt báo động III. Người dân vùng ven sông, cồn bãi khẩn trương di dời tài sản, bảo đảm an toàn cho trẻ em.",
        "body": (
            "<p>Theo Đài Khí tượng Thủy văn tỉnh, lũ thượng nguồn sông Mê Công tiếp tục lên. Sáng nay, "
            "mực nước sông Tiền tại trạm Tân Châu đạt 4,12 m, vượt mức báo động III 0,12 m; tại Hồng Ngự "
            "đạt 3,85 m.</p>"
            "<h2>Người dân cần làm ngay</h2>"
            "<ol><li>Không cho trẻ em tắm sông, chơi gần mép nước; người lớn trông giữ trẻ.</li>"
            "<li>Gia cố bờ bao, kê cao tài sản; hộ ở cồn bãi, ven sông chuẩn bị di dời khi có lệnh.</li>"
            "<li>Phương tiện thủy mang áo phao, không chở quá tải, không chạy ban đêm.</li>"
            "<li>Theo dõi loa truyền thanh của xã, phường để nhận thông tin mới nhất.</li></ol>"
            "<p>Đường dây nóng Ban Chỉ huy PCTT&amp;TKCN tỉnh: 0277.3851.234.</p>"
        ),
        "state": "published",
        "valid_days": 3,
        "media": ["audio", "chart"],
    },
    {
        "key": "dengue",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "dich-benh",
        "level": "priority",
        "agency": "Sở Y tế tỉnh Đồng Tháp",
        "reference": "CV 1520/SYT-NVY",
        "targets": None,
        "title": "Chủ động phòng chống sốt xuất huyết trong mùa mưa",
        "summary": "Số ca sốt xuất huyết tăng. Mỗi gia đình dành 10 phút mỗi tuần diệt lăng quăng, ngủ mùng, đến cơ sở y tế khi sốt cao.",
        "body": (
            "<p>Từ đầu năm đến nay, toàn tỉnh ghi nhận số ca mắc sốt xuất huyết tăng so với cùng kỳ. "
            "Mùa mưa là thời điểm muỗi vằn sinh sản mạnh.</p>"
            "<h2>Mỗi gia đình hãy</h2>"
            "<ul><li>Đậy kín lu, khạp chứa nước; thả cá bảy màu để diệt lăng quăng;</li>"
            "<li>Thu gom vỏ lon, chai lọ, lốp xe quanh nhà;</li>"
            "<li>Ngủ mùng kể cả ban ngày, nhất là trẻ em;</li>"
            "<li>Khi sốt cao liên tục, đến ngay trạm y tế; không tự ý truyền dịch.</li></ul>"
        ),
        "state": "published",
        "valid_days": 60,
        "media": [],
    },
    {
        "key": "rice",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "nong-nghiep-thi-truong",
        "level": "normal",
        "agency": "Sở Nông nghiệp và Môi trường",
        "reference": "TB 87/TB-SNNMT",
        "targets": None,
        "title": "Khuyến cáo lịch xuống giống lúa vụ Thu Đông né rầy",
        "summary": "Xuống giống tập trung, đồng loạt, né rầy theo từng vùng; sử dụng giống xác nhận, gieo sạ thưa.",
        "body": (
            "<p>Căn cứ kết quả theo dõi bẫy đèn, Sở khuyến cáo nông dân xuống giống lúa vụ Thu Đông "
            "tập trung theo 3 đợt, né rầy nâu di trú.</p>"
            "<ul><li>Đợt 1: vùng đê bao khép kín phía Bắc;</li><li>Đợt 2: vùng giữa;</li>"
            "<li>Đợt 3: vùng ven sông Tiền, sau khi nước rút.</li></ul>"
            "<p>Sử dụng giống cấp xác nhận, gieo sạ thưa 80–100 kg/ha, bón phân cân đối.</p>"
        ),
        "state": "submitted",
        "media": [],
    },
    {
        "key": "land-law",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "phap-luat-chinh-sach",
        "level": "normal",
        "agency": "Sở Tư pháp tỉnh Đồng Tháp",
        "reference": "Luật Đất đai 2024",
        "targets": None,
        "title": "Luật Đất đai 2024: những điểm mới người dân cần biết",
        "summary": "Chuỗi bài phổ biến pháp luật về cấp giấy chứng nhận, bồi thường khi thu hồi đất và bảng giá đất mới.",
        "body": (
            "<p>Luật Đất đai năm 2024 có nhiều điểm mới liên quan trực tiếp đến quyền lợi của người dân.</p>"
            "<ul><li>Mở rộng trường hợp được cấp giấy chứng nhận quyền sử dụng đất không có giấy tờ;</li>"
            "<li>Bảng giá đất được xây dựng hằng năm, sát giá thị trường;</li>"
            "<li>Bồi thường, hỗ trợ, tái định cư phải bảo đảm chỗ ở bằng hoặc tốt hơn nơi ở cũ.</li></ul>"
        ),
        "state": "approved",
        "starts_in_days": 5,
        "media": [],
    },
    {
        "key": "tide",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "thien-tai",
        "level": "priority",
        "agency": "Ban Chỉ huy Phòng chống thiên tai và Tìm kiếm cứu nạn tỉnh",
        "reference": "",
        "targets": ["28261", "28360", "28594"],
        "title": "Triều cường và nguy cơ sạt lở bờ sông Tiền",
        "summary": "Đợt triều cường giữa tháng có thể gây ngập vùng trũng, sạt lở bờ sông.",
        "body": "<p>Đợt triều cường dự báo đạt đỉnh vào chiều tối các ngày giữa tháng.</p>",
        "state": "returned",
        "comment": "Bổ sung số liệu dự báo đỉnh triều tại Mỹ Tho và các điểm sạt lở đã cắm biển cảnh báo.",
        "media": [],
    },
    {
        "key": "swine",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "dich-benh",
        "level": "normal",
        "agency": "Chi cục Chăn nuôi và Thú y",
        "reference": "",
        "targets": None,
        "title": "Hướng dẫn phòng chống bệnh dịch tả lợn châu Phi",
        "summary": "Không mua bán, vận chuyển lợn bệnh; tiêu độc chuồng trại; báo ngay cho thú y khi lợn chết bất thường.",
        "body": "<p>Bệnh dịch tả lợn châu Phi chưa có vắc xin đặc hiệu, biện pháp hiệu quả nhất là an toàn sinh học.</p>",
        "state": "expired",
        "media": [],
    },
    {
        "key": "mistake",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "chi-dao-dieu-hanh",
        "level": "normal",
        "agency": "Văn phòng UBND tỉnh",
        "reference": "",
        "targets": None,
        "title": "Thông báo lịch tiếp công dân của Chủ tịch UBND tỉnh",
        "summary": "Lịch tiếp công dân định kỳ trong tháng.",
        "body": "<p>Chủ tịch UBND tỉnh tiếp công dân định kỳ vào ngày 15 hằng tháng.</p>",
        "state": "withdrawn",
        "reason": "Đăng nhầm ngày tiếp công dân; sẽ ban hành thông báo thay thế.",
        "media": [],
    },
    {
        "key": "price",
        "area": PROVINCE,
        "author": "tinh.bientap",
        "category": "nong-nghiep-thi-truong",
        "level": "normal",
        "agency": "Sở Công Thương",
        "reference": "",
        "targets": None,
        "title": "Giá lúa tươi tại ruộng trong tuần",
        "summary": "Giá lúa IR 50404, OM 5451, Đài Thơm 8 tại ruộng.",
        "body": "<p>Đang cập nhật số liệu từ các thương lái.</p>",
        "state": "draft",
        "media": [],
    },
    # Commune and ward bulletins.
    {
        "key": "mytho-vaccine",
        "area": "28261",
        "author": "mytho.bientap",
        "category": "y-te",
        "level": "normal",
        "agency": "UBND phường Mỹ Tho",
        "reference": "",
        "targets": ["28261"],
        "title": "Lịch tiêm chủng mở rộng tháng này tại Trạm Y tế phường Mỹ Tho",
        "summary": "Trẻ dưới 5 tuổi tiêm vắc xin sởi – rubella, bạch hầu, ho gà, uốn ván vào sáng thứ Năm.",
        "body": (
            "<p>Trạm Y tế phường tổ chức tiêm chủng mở rộng vào 7 giờ 30 sáng thứ Năm tuần này.</p>"
            "<p>Phụ huynh mang theo sổ tiêm chủng, cho trẻ ăn no trước khi tiêm và ở lại theo dõi 30 phút sau tiêm.</p>"
        ),
        "state": "published",
        "valid_days": 10,
        "media": [],
    },
    {
        "key": "mytho-waste",
        "area": "28261",
        "author": "mytho.bientap",
        "category": "chi-dao-dieu-hanh",
        "level": "normal",
        "agency": "UBND phường Mỹ Tho",
        "reference": "",
        "targets": ["28261/H03"],
        "title": "Thu gom rác thải cồng kềnh tại Khu phố 3 vào sáng Chủ nhật",
        "summary": "Bà con tập kết tủ, giường, nệm cũ tại đầu hẻm trước 7 giờ sáng Chủ nhật.",
        "body": "<p>Tổ thu gom sẽ đi theo các tuyến hẻm của Khu phố 3 từ 7 giờ đến 11 giờ.</p>",
        "state": "published",
        "valid_days": 5,
        "media": [],
    },
    {
        "key": "mytho-draft",
        "area": "28261",
        "author": "mytho.bientap",
        "category": "van-hoa-xa-hoi",
        "level": "normal",
        "agency": "UBND phường Mỹ Tho",
        "reference": "",
        "targets": ["28261"],
        "title": "Hội thi văn nghệ quần chúng chào mừng Đại hội Đảng bộ phường",
        "summary": "Các khu phố đăng ký tiết mục trước ngày 20.",
        "body": "<p>Mỗi khu phố tham gia ít nhất 2 tiết mục.</p>",
        "state": "draft",
        "media": [],
    },
    {
        "key": "tramchim-flood-kids",
        "area": "30001",
        "author": "tramchim.bientap",
        "category": "thien-tai",
        "level": "priority",
        "agency": "UBND xã Tràm Chim",
        "reference": "",
        "targets": ["30001"],
        "title": "Mùa nước nổi: bảo đảm an toàn cho trẻ em, phòng chống đuối nước",
        "summary": "Các điểm giữ trẻ mùa lũ mở cửa từ thứ Hai; phụ huynh đăng ký tại văn phòng ấp.",
        "body": "<p>UBND xã mở 6 điểm giữ trẻ mùa lũ tại các ấp, giữ trẻ từ 6 giờ 30 đến 17 giờ.</p>",
        "state": "published",
        "valid_days": 30,
        "media": [],
    },
    {
        "key": "tramchim-birds",
        "area": "30001",
        "author": "tramchim.bientap",
        "category": "van-hoa-xa-hoi",
        "level": "normal",
        "agency": "UBND xã Tràm Chim",
        "reference": "",
        "targets": ["30001"],
        "title": "Bảo vệ sếu đầu đỏ và các loài chim tại Vườn quốc gia Tràm Chim",
        "summary": "Nghiêm cấm bẫy, bắn chim trong vùng đệm; báo ngay khi phát hiện vi phạm.",
        "body": "<p>Đường dây nóng Vườn quốc gia: 0277.3827.436.</p>",
        "state": "submitted",
        "media": [],
    },
]

#: Decisions the demo communes took on bulletins from the province.
DECISIONS = [
    (
        "kh119",
        "28261",
        "mytho.duyet",
        "adopt",
        "Phát trên loa các khu phố vào 17 giờ hằng ngày trong tuần.",
    ),
    ("kh119", "30001", "tramchim.duyet", "adopt", ""),
]
