"""Number words: the forms a Vietnamese listener expects, by region."""

import pytest

from grassroots.tts.normalize import numbers
from grassroots.tts.normalize.numbers import CENTRAL, NORTH, SOUTH, Dialect


@pytest.mark.parametrize(
    ("n", "south", "north"),
    [
        (0, "không", "không"),
        (5, "năm", "năm"),
        (10, "mười", "mười"),
        (11, "mười một", "mười một"),
        (14, "mười bốn", "mười bốn"),
        (15, "mười lăm", "mười lăm"),
        (20, "hai mươi", "hai mươi"),
        (21, "hai mươi mốt", "hai mươi mốt"),
        (24, "hai mươi bốn", "hai mươi tư"),
        (25, "hai mươi lăm", "hai mươi lăm"),
        (55, "năm mươi lăm", "năm mươi lăm"),
        (100, "một trăm", "một trăm"),
        (101, "một trăm lẻ một", "một trăm linh một"),
        (105, "một trăm lẻ năm", "một trăm linh năm"),
        (110, "một trăm mười", "một trăm mười"),
        (115, "một trăm mười lăm", "một trăm mười lăm"),
        (1000, "một ngàn", "một nghìn"),
        (1005, "một ngàn không trăm lẻ năm", "một nghìn không trăm linh năm"),
        (1050, "một ngàn không trăm năm mươi", "một nghìn không trăm năm mươi"),
        (
            2025,
            "hai ngàn không trăm hai mươi lăm",
            "hai nghìn không trăm hai mươi lăm",
        ),
        (10_500, "mười ngàn năm trăm", "mười nghìn năm trăm"),
        (1_000_000, "một triệu", "một triệu"),
        (1_000_005, "một triệu không trăm lẻ năm", "một triệu không trăm linh năm"),
        (
            2_050_000,
            "hai triệu không trăm năm mươi ngàn",
            "hai triệu không trăm năm mươi nghìn",
        ),
        (1_500_000, "một triệu năm trăm ngàn", "một triệu năm trăm nghìn"),
        (12_000_000_000, "mười hai tỷ", "mười hai tỷ"),
        (
            1_000_000_000_005,
            "một ngàn tỷ không trăm lẻ năm",
            "một nghìn tỷ không trăm linh năm",
        ),
    ],
)
def test_cardinal_uses_the_regional_forms(n, south, north):
    assert numbers.cardinal(n, SOUTH) == south
    assert numbers.cardinal(n, NORTH) == north


def test_central_voice_says_ngan_and_le():
    assert numbers.cardinal(1105, CENTRAL) == "một ngàn một trăm lẻ năm"


def test_colloquial_nham_is_available_for_five_after_tens():
    nham = Dialect("north", "nghìn", "linh", "tư", five_after_tens="nhăm")
    assert numbers.cardinal(25, nham) == "hai mươi nhăm"
    assert numbers.cardinal(15, nham) == "mười lăm"  # never "mười nhăm"


def test_negative_numbers_say_am():
    assert numbers.cardinal(-5) == "âm năm"


@pytest.mark.parametrize(
    ("n", "words"), [(1, "nhất"), (2, "hai"), (4, "tư"), (14, "mười bốn")]
)
def test_ordinals(n, words):
    assert numbers.ordinal(n) == words


def test_month_four_is_tu_and_early_days_take_mung():
    assert numbers.month(4) == "tư"
    assert numbers.month(12) == "mười hai"
    assert numbers.day(5) == "mùng năm"
    assert numbers.day(15) == "mười lăm"


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("1.500.000", "một triệu năm trăm ngàn"),
        ("1,5", "một phẩy năm"),
        ("3,14", "ba phẩy mười bốn"),
        ("0,05", "không phẩy không năm"),
        ("12,5", "mười hai phẩy năm"),
        ("1,500,000", "một triệu năm trăm ngàn"),
        ("4.0", "bốn chấm không"),
        ("05", "năm"),
        (
            "079201001234",
            "không bảy chín hai, không một không không, một hai ba bốn",
        ),
    ],
)
def test_read_written_numbers(written, words):
    assert numbers.read(written) == words


def test_grouped_digits_reads_phone_shapes():
    assert numbers.grouped_digits("0912345678") == (
        "không chín một hai, ba bốn năm, sáu bảy tám"
    )
    assert numbers.grouped_digits("02773851234") == (
        "không hai bảy bảy, ba tám năm một, hai ba bốn"
    )
    assert (
        numbers.grouped_digits("19001006")
        == "một chín không không, một không không sáu"
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("I", 1), ("III", 3), ("IV", 4), ("IX", 9), ("XIII", 13), ("XV", 15)],
)
def test_roman_numerals(text, value):
    assert numbers.roman(text) == value


def test_not_a_roman_numeral():
    assert numbers.roman("IIII") is None
    assert numbers.roman("ABC") is None
    assert numbers.roman("") is None
