"""Vietnamese dates and numbers in administrative documents (NĐ 30/2020/NĐ-CP, Phụ lục I)."""

import datetime
from decimal import Decimal

import pytest

from reports.documents import formatting as fmt
from reports.documents.data import Letterhead


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # NĐ 30/2020, Phụ lục I, II.4: days below 10 and months 1 and 2 take a leading zero, other months do not.
        (datetime.date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (datetime.date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        (datetime.date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (datetime.date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
        (datetime.date(2025, 12, 31), "ngày 31 tháng 12 năm 2025"),
    ],
)
def test_long_date(day, expected):
    assert fmt.long_date(day) == expected


def test_long_date_blank_for_a_draft():
    # Non-breaking gaps so the blanks survive HTML whitespace collapsing.
    blank = fmt.long_date(None)
    assert blank.split() == ["ngày", "tháng", "năm", "20"]
    assert "\u00a0\u00a0\u00a0" in blank


def test_place_date():
    assert fmt.place_date("Ia RSai", datetime.date(2026, 1, 5)) == "Ia RSai, ngày 05 tháng 01 năm 2026"
    assert fmt.place_date("", datetime.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"


def test_short_date_and_clock():
    assert fmt.short_date(datetime.date(2026, 1, 5)) == "05/01/2026"
    assert fmt.short_date(None) == ""
    assert fmt.clock_time(datetime.datetime(2026, 10, 5, 8, 0)) == "08 giờ 00 phút"
    assert fmt.clock_time(datetime.time(14, 35)) == "14 giờ 35 phút"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (1234567, 0, "1.234.567"),
        (-1234567, 0, "-1.234.567"),
        (85, 1, "85,0"),
        (85.25, 1, "85,3"),  # half up, as written by hand
        (Decimal("1234.5"), 2, "1.234,50"),
        (2_000_000.5, 0, "2.000.001"),
        (None, 0, ""),
    ],
)
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_percent():
    assert fmt.percent(61.538) == "61,5 %"
    assert fmt.percent(100) == "100,0 %"
    assert fmt.percent(None) == ""


def test_document_number_and_reference():
    signed = Letterhead("Ủy ban nhân dân xã Ia RSai", "Ia RSai", datetime.date(2026, 12, 20), "212/QĐ-UBND", "QĐ-UBND")
    assert fmt.document_number(signed) == "Số: 212/QĐ-UBND"
    assert fmt.document_reference(signed) == "số 212/QĐ-UBND ngày 20 tháng 12 năm 2026"
    draft = Letterhead("Ủy ban nhân dân xã Ia RSai", "Ia RSai", None, symbol="QĐ-UBND")
    assert fmt.document_number(draft).startswith("Số: ") and fmt.document_number(draft).endswith("/QĐ-UBND")
    assert fmt.document_reference(draft).split() == ["số", "/QĐ-UBND", "ngày", "tháng", "năm", "20"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Xã Ia RSai", "xã Ia RSai"),
        ("Thị trấn Phú Túc", "thị trấn Phú Túc"),
        ("Thôn Quý Đức", "thôn Quý Đức"),
        ("Buôn Chư Tê", "buôn Chư Tê"),
        ("Tổ dân phố 3", "tổ dân phố 3"),
        ("Ia Mrơn", "Ia Mrơn"),
    ],
)
def test_unit_name_inside_a_sentence(name, expected):
    assert fmt.in_sentence(name) == expected
