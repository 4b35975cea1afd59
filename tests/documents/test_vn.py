"""Dates, numbers and capitals as NĐ 30/2020 writes them."""

import unicodedata
from datetime import date

import pytest

from documents.vn import date_text, document_number, name_title, place_date, upper_vi


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2019, 7, 2), "ngày 02 tháng 7 năm 2019"),
        (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (date(2025, 10, 10), "ngày 10 tháng 10 năm 2025"),
        (date(2025, 12, 31), "ngày 31 tháng 12 năm 2025"),
    ],
)
def test_date_text_pads_day_and_months_one_and_two_only(d, expected):
    assert date_text(d) == expected


def test_place_date_is_the_heading_line():
    assert place_date("Lạng Sơn", date(2019, 7, 2)) == "Lạng Sơn, ngày 02 tháng 7 năm 2019"
    assert place_date("  Tây   Ninh ", date(2026, 1, 1)) == "Tây Ninh, ngày 01 tháng 01 năm 2026"
    with pytest.raises(ValueError):
        place_date(" ", date(2026, 1, 1))


def test_document_number_pads_below_ten():
    assert document_number(5, "TTr", "BDT") == "05/TTr-BDT"
    assert document_number(148, "TTr", "SLĐTBXH") == "148/TTr-SLĐTBXH"
    assert document_number(10, "BC", "BTĐKT") == "10/BC-BTĐKT"
    assert document_number(3, "TB", "SNV-TĐKT") == "03/TB-SNV-TĐKT"


@pytest.mark.parametrize("bad", [0, -1, True, 2.0])
def test_document_number_refuses_non_positive_or_non_integer(bad):
    with pytest.raises(ValueError):
        document_number(bad, "TTr", "BDT")


def test_document_number_refuses_malformed_codes():
    with pytest.raises(ValueError):
        document_number(1, "TTr", "")
    with pytest.raises(ValueError):
        document_number(1, "T Tr", "BDT")


def test_upper_vi_keeps_diacritics():
    assert upper_vi("Ban Dân tộc tỉnh Lạng Sơn") == "BAN DÂN TỘC TỈNH LẠNG SƠN"
    assert upper_vi("ủy ban nhân dân huyện đình lập") == "ỦY BAN NHÂN DÂN HUYỆN ĐÌNH LẬP"
    assert upper_vi("phó trưởng ban") == "PHÓ TRƯỞNG BAN"


def test_upper_vi_composes_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Sở Nội vụ")
    result = upper_vi(decomposed)
    assert result == "SỞ NỘI VỤ"
    assert unicodedata.is_normalized("NFC", result)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nguyễn  thị ánh tuyết", "Nguyễn Thị Ánh Tuyết"),
        ("ĐẶNG VĂN ĐỨC", "Đặng Văn Đức"),
        (" lương   hữu  ước ", "Lương Hữu Ước"),
        ("h'hen niê", "H'Hen Niê"),
        (unicodedata.normalize("NFD", "ánh"), "Ánh"),
    ],
)
def test_name_title_capitalises_each_word(raw, expected):
    assert name_title(raw) == expected
