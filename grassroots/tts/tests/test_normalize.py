"""The normaliser on sentences from real public notices, one rule per class.

Each case is the sentence an official wrote and what the loudspeaker must say.
"""

import pytest

from grassroots.tts.normalize import NORTH, SOUTH, Lexicon, normalize


def say(text, **kwargs):
    return normalize(text, **kwargs)


class TestNumbers:
    def test_flood_warning_water_levels(self):
        assert say(
            "Mực nước sông Tiền tại Tân Châu đạt 4,2 m, trên báo động 2 là 0,2 m."
        ) == (
            "Mực nước sông Tiền tại Tân Châu đạt bốn phẩy hai mét, "
            "trên báo động hai là không phẩy hai mét."
        )

    def test_thousands_separator_is_a_dot(self):
        assert say("Toàn xã có 1.005 hộ với 4.215 nhân khẩu.") == (
            "Toàn xã có một ngàn không trăm lẻ năm hộ "
            "với bốn ngàn hai trăm mười lăm nhân khẩu."
        )

    def test_northern_voice_reads_nghin_and_linh(self):
        assert say("Hỗ trợ 105 hộ, 1.024 người.", dialect=NORTH) == (
            "Hỗ trợ một trăm linh năm hộ, một nghìn không trăm hai mươi tư người."
        )

    def test_magnitude_words_after_a_number(self):
        assert say("Tổng vốn 1,2 tỷ và 15 triệu.") == (
            "Tổng vốn một phẩy hai tỷ và mười lăm triệu."
        )

    def test_number_with_letter_suffix(self):
        assert say("Khu vực ấp 1A và ấp 2B.") == "Khu vực ấp một a và ấp hai bê."

    def test_citizen_id_is_read_digit_by_digit(self):
        assert say("Số CCCD 087201001234.") == (
            "Số căn cước công dân không tám bảy hai, không một không không, "
            "một hai ba bốn."
        )


class TestOrdinals:
    def test_vaccination_dose(self):
        assert say("Tiêm mũi thứ 4 cho người từ 50 tuổi.") == (
            "Tiêm mũi thứ tư cho người từ năm mươi tuổi."
        )

    def test_first_and_weekday(self):
        assert say("Lần thứ 1 vào thứ 2, lần thứ 14 vào thứ 7.") == (
            "Lần thứ nhất vào thứ hai, lần thứ mười bốn vào thứ bảy."
        )

    def test_ranks_have_their_own_words(self):
        assert say("Đạt giải 2 và hạng 1 toàn tỉnh.") == (
            "Đạt giải nhì và hạng nhất toàn tỉnh."
        )


class TestDates:
    def test_full_date(self):
        assert say("Hạn chót ngày 31/10/2025.") == (
            "Hạn chót ngày ba mươi mốt tháng mười năm hai ngàn không trăm hai mươi lăm."
        )

    def test_date_with_dashes_gets_ngay(self):
        assert say("Cúp điện sáng 20-3-2025.") == (
            "Cúp điện sáng ngày hai mươi tháng ba năm hai ngàn không trăm hai mươi lăm."
        )

    def test_early_days_take_mung_and_april_is_tu(self):
        assert say("Tiêm vắc xin ngày 5/4.") == ("Tiêm vắc xin ngày mùng năm tháng tư.")

    def test_span_of_days_in_one_month(self):
        assert say("Đăng ký từ ngày 15-20/3/2025.") == (
            "Đăng ký từ ngày mười lăm đến hai mươi tháng ba "
            "năm hai ngàn không trăm hai mươi lăm."
        )

    def test_date_to_date(self):
        assert say("Thời gian: 15/3 - 20/3/2025.") == (
            "Thời gian: ngày mười lăm tháng ba đến ngày hai mươi tháng ba "
            "năm hai ngàn không trăm hai mươi lăm."
        )

    def test_month_and_year(self):
        assert say("Kê khai thuế tháng 3/2025 và quý III/2025.") == (
            "Kê khai thuế tháng ba năm hai ngàn không trăm hai mươi lăm "
            "và quý ba năm hai ngàn không trăm hai mươi lăm."
        )

    def test_date_written_in_words(self):
        assert say("Ngày 5 tháng 4 năm 2025") == (
            "Ngày mùng năm tháng tư năm hai ngàn không trăm hai mươi lăm."
        )

    def test_address_with_slash_is_not_a_date(self):
        assert say("Nhà số 12/3 hẻm 5/7.") == (
            "Nhà số mười hai trên ba hẻm năm trên bảy."
        )


class TestTimes:
    def test_hours_and_minutes(self):
        assert say("Bắt đầu lúc 7h30, kết thúc 11h.") == (
            "Bắt đầu lúc bảy giờ ba mươi phút, kết thúc mười một giờ."
        )

    def test_clock_times_and_range(self):
        assert say("Cắt điện từ 07:30 đến 16:00.") == (
            "Cắt điện từ bảy giờ ba mươi phút đến mười sáu giờ."
        )

    def test_time_range_with_dash(self):
        assert say("Tiêm chủng 7h-11h và 13h30 – 16h30.") == (
            "Tiêm chủng bảy giờ đến mười một giờ "
            "và mười ba giờ ba mươi phút đến mười sáu giờ ba mươi phút."
        )

    def test_shared_hour_unit_and_g_for_gio(self):
        assert say("Làm việc 7-11h, họp lúc 14g30.") == (
            "Làm việc bảy đến mười một giờ, họp lúc mười bốn giờ ba mươi phút."
        )

    def test_time_in_words(self):
        assert say("Lúc 7 giờ 05 phút sáng nay.") == ("Lúc bảy giờ năm phút sáng nay.")

    def test_grams_and_hectares_are_not_hours(self):
        assert say("Mỗi gói 500g, diện tích 7ha.") == (
            "Mỗi gói năm trăm gam, diện tích bảy héc ta."
        )


class TestRanges:
    def test_rainfall_range(self):
        assert say("Lượng mưa phổ biến 15-20 mm, có nơi trên 100mm.") == (
            "Lượng mưa phổ biến mười lăm đến hai mươi mi li mét, "
            "có nơi trên một trăm mi li mét."
        )

    def test_plain_range_and_years(self):
        assert say("Giai đoạn 2021-2025, mỗi tổ 10 - 15 hộ.") == (
            "Giai đoạn hai ngàn không trăm hai mươi mốt đến hai ngàn không trăm "
            "hai mươi lăm, mỗi tổ mười đến mười lăm hộ."
        )


class TestPhoneNumbers:
    def test_landline_in_groups(self):
        assert say("Mọi thông tin liên hệ ĐT: 0277 3851 234.") == (
            "Mọi thông tin liên hệ điện thoại: "
            "không hai bảy bảy, ba tám năm một, hai ba bốn."
        )

    def test_mobile_with_dots_and_hotline(self):
        assert say("Gọi 0912.345.678 hoặc đường dây nóng 1900 1006.") == (
            "Gọi không chín một hai, ba bốn năm, sáu bảy tám "
            "hoặc đường dây nóng một chín không không, một không không sáu."
        )

    def test_emergency_number_after_goi(self):
        assert say("Khi có cháy, gọi ngay 114.") == (
            "Khi có cháy, gọi ngay một một bốn."
        )

    def test_unseparated_mobile_and_plus84(self):
        assert say("SĐT 0912345678, +84 277 3851 234") == (
            "số điện thoại không chín một hai, ba bốn năm, sáu bảy tám, "
            "cộng tám bốn, hai bảy bảy, ba tám năm một, hai ba bốn."
        )


class TestMoney:
    def test_fines_and_fees(self):
        assert say("Phạt từ 1.500.000đ đến 2,5 triệu đồng.") == (
            "Phạt từ một triệu năm trăm ngàn đồng đến hai phẩy năm triệu đồng."
        )

    def test_price_per_unit(self):
        assert say("Giá lúa 7.500 đ/kg, học phí 300.000 VNĐ/tháng.") == (
            "Giá lúa bảy ngàn năm trăm đồng một ki lô gam, "
            "học phí ba trăm ngàn đồng một tháng."
        )

    def test_dollars_and_informal_thousands(self):
        assert say("Tài trợ 5.000 USD, vé 50k, $20.") == (
            "Tài trợ năm ngàn đô la Mỹ, vé năm mươi ngàn, hai mươi đô la."
        )


class TestUnits:
    def test_storm_warning(self):
        assert say("Gió mạnh cấp 8, giật cấp 10, sức gió 62-74 km/h.") == (
            "Gió mạnh cấp tám, giật cấp mười, "
            "sức gió sáu mươi hai đến bảy mươi bốn ki lô mét một giờ."
        )

    def test_heat_and_humidity(self):
        assert say("Nhiệt độ cao nhất 35oC, độ ẩm 55-60%.") == (
            "Nhiệt độ cao nhất ba mươi lăm độ xê, "
            "độ ẩm năm mươi lăm đến sáu mươi phần trăm."
        )

    def test_area_volume_and_flow(self):
        assert say("Ngập 120 ha lúa, xả 1.200 m3/s, 2 km2, 10 tấn.") == (
            "Ngập một trăm hai mươi héc ta lúa, xả một ngàn hai trăm mét khối "
            "trên giây, hai ki lô mét vuông, mười tấn."
        )

    def test_unit_after_a_word(self):
        assert say("Mật độ 473 người/km2.") == (
            "Mật độ bốn trăm bảy mươi ba người trên ki lô mét vuông."
        )

    def test_percent_with_decimal(self):
        assert say("Tỷ lệ tiêm đạt 98,5%.") == (
            "Tỷ lệ tiêm đạt chín mươi tám phẩy năm phần trăm."
        )


class TestRomanNumerals:
    def test_terms_and_congresses(self):
        assert say("Đại hội XIII, HĐND tỉnh khóa X, kỳ họp thứ IV.") == (
            "Đại hội mười ba, Hội đồng nhân dân tỉnh khóa mười, kỳ họp thứ tư."
        )

    def test_section_headings(self):
        assert say("I. TÌNH HÌNH\nII. NHIỆM VỤ") == ("một. TÌNH HÌNH. hai. NHIỆM VỤ.")

    def test_letters_after_category_words_stay_letters(self):
        assert say("Bằng lái hạng C.") == "Bằng lái hạng xê."


class TestAbbreviations:
    def test_administrative_bodies(self):
        assert say("UBND, HĐND và UBMTTQ xã phối hợp với CSGT, PCCC.") == (
            "Ủy ban nhân dân, Hội đồng nhân dân và Ủy ban Mặt trận Tổ quốc xã "
            "phối hợp với Cảnh sát giao thông, phòng cháy, chữa cháy."
        )

    def test_city_forms(self):
        assert say("TP.HCM, TP. HCM, TP.Cao Lãnh và TP Sa Đéc") == (
            "Thành phố Hồ Chí Minh, Thành phố Hồ Chí Minh, thành phố Cao Lãnh "
            "và thành phố Sa Đéc."
        )

    def test_comrade_and_pupils(self):
        assert say("Đ/c Bí thư Chi bộ và HS, GV trường THCS.") == (
            "đồng chí Bí thư Chi bộ và học sinh, giáo viên trường trung học cơ sở."
        )

    def test_schools_and_insurance(self):
        assert say("Học sinh THCS, THPT được cấp thẻ BHYT.") == (
            "Học sinh trung học cơ sở, trung học phổ thông được cấp thẻ bảo hiểm y tế."
        )

    def test_longest_entry_wins_and_no_match_inside_words(self):
        assert say("Bảo đảm TTATGT.") == "Bảo đảm trật tự an toàn giao thông."

    def test_road_number_runs_into_the_abbreviation(self):
        assert say("Sạt lở QL30.") == "Sạt lở quốc lộ ba mươi."

    def test_unknown_acronyms_are_spelled(self):
        assert say("Xem trên VTV, phòng H5N1.") == (
            "Xem trên vê tê vê, phòng hát năm nờ một."
        )

    def test_capitalised_words_are_not_spelled(self):
        assert say("THÔNG BÁO KHẨN") == "THÔNG BÁO KHẨN."

    def test_province_override_and_switch_off(self):
        lexicon = Lexicon.default().merged([("KP", "khóm"), ("TT", None)])
        assert say("KP 3 và TT", lexicon=lexicon) == "khóm ba và tê tê."


class TestDocumentNumbers:
    def test_plan_number_with_issuer(self):
        assert say("Kế hoạch số 119/KH-UBND ngày 13/4/2021.") == (
            "Kế hoạch số một trăm mười chín của Ủy ban nhân dân "
            "ngày mười ba tháng tư năm hai ngàn không trăm hai mươi mốt."
        )

    def test_circular_with_year(self):
        assert say("Theo Thông tư 39/2020/TT-BTTTT.") == (
            "Theo Thông tư ba mươi chín năm hai ngàn không trăm hai mươi "
            "của Bộ Thông tin và Truyền thông."
        )

    def test_kind_said_when_not_written_before(self):
        assert say("Căn cứ 135/QĐ-TTg.") == (
            "Căn cứ một trăm ba mươi lăm quyết định của Thủ tướng Chính phủ."
        )


class TestAddresses:
    def test_email_and_website(self):
        assert say("Gửi về ubnd@dongthap.gov.vn hoặc dichvucong.gov.vn.") == (
            "Gửi về u bê nờ dê a còng dong thap chấm gờ o vê chấm vê nờ "
            "hoặc dich vu cong chấm gờ o vê chấm vê nờ."
        )


class TestCleanup:
    def test_html_and_entities_are_removed(self):
        assert say("<p>Thông báo&nbsp;<b>khẩn</b></p><p>Sơ tán ngay</p>") == (
            "Thông báo khẩn. Sơ tán ngay."
        )

    def test_bullets_and_lines_become_sentences(self):
        assert say("Đề nghị bà con:\n- Gia cố nhà cửa\n- Dự trữ lương thực") == (
            "Đề nghị bà con: Gia cố nhà cửa. Dự trữ lương thực."
        )

    def test_brackets_and_dashes_become_pauses(self):
        assert say("Ấp Tân Dinh (xã Tân Phú) – khu vực trũng") == (
            "Ấp Tân Dinh, xã Tân Phú, khu vực trũng."
        )

    def test_symbols_become_words(self):
        assert say("Nam & nữ, và/hoặc") == "Nam và nữ, và hoặc."

    def test_script_in_text_is_only_text(self):
        spoken = say("<script>alert(1)</script>Họp dân")
        assert "<" not in spoken and "Họp dân" in spoken

    def test_empty_and_blank(self):
        assert say("") == ""
        assert say("   \n  ") == ""


@pytest.mark.parametrize(
    "notice",
    [
        # Flood warning (Đài Khí tượng Thủy văn tỉnh), power cut (Điện lực),
        # vaccination schedule (Trạm Y tế), tax deadline (Chi cục Thuế).
        "Hồi 13h00 ngày 15/9, mực nước tại Tân Châu 4,32 m, trên BĐ3 0,32 m; "
        "dự báo đến 7h ngày 18/9 lên mức 4,45 m.",
        "Điện lực Cao Lãnh tạm ngừng cung cấp điện từ 7h30 đến 16h30 ngày 20/3/2025 "
        "tại ấp 1, ấp 2 xã Mỹ Tân để bảo trì lưới điện 22 kV. Hotline 1900 1006.",
        "Trạm Y tế xã tổ chức tiêm vắc-xin sởi cho trẻ 9-18 tháng tuổi từ ngày "
        "5-7/4/2025, buổi sáng 7h-11h. Mang theo sổ tiêm chủng và thẻ BHYT.",
        "Hạn cuối nộp hồ sơ khai thuế quý I/2025 là ngày 30/4/2025; chậm nộp "
        "bị phạt 0,03%/ngày trên số tiền thuế chậm nộp theo Luật số 38/2019/QH14.",
    ],
)
def test_real_notices_leave_no_digits_or_acronyms(notice):
    spoken = say(notice, dialect=SOUTH)
    assert not any(ch.isdigit() for ch in spoken), spoken
    assert "BHYT" not in spoken and "BĐ" not in spoken and "QH" not in spoken


def test_normalizer_is_fast_and_total_on_hostile_input():
    import random
    import time

    rng = random.Random(5)
    alphabet = (
        "0123456789/.,:-–hgđ%°CUBNDTPQĐ ()&@+\n" + "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    )
    texts = ["".join(rng.choice(alphabet) for _ in range(400)) for _ in range(200)]
    start = time.perf_counter()
    for text in texts:
        normalize(text)
    assert time.perf_counter() - start < 5
    long_text = "Ngày 15/3/2025 lúc 7h30 UBND xã thông báo 1.500.000đ. " * 2000
    start = time.perf_counter()
    assert normalize(long_text)
    assert time.perf_counter() - start < 5
