"""Registry input rules (personal ID per Thông tư 59/2021/TT-BCA, Điều 7; phones; names; dates)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from households.validation import (
    normalise_name,
    validate_date_of_birth,
    validate_household_members,
    validate_personal_id,
    validate_personal_id_issued_on,
    validate_phone,
)

MAN_1980 = {"sex": "male", "date_of_birth": date(1980, 3, 1)}


@pytest.mark.parametrize(
    "value,facts,expected",
    [
        ("064080012345", MAN_1980, []),  # Gia Lai (064), man born in the 1900s (0), 1980 (80)
        ("064180012345", {"sex": "female", "date_of_birth": date(1980, 3, 1)}, []),  # woman, 1900s: 1
        ("064215012345", {"sex": "male", "date_of_birth": date(2015, 5, 1)}, []),  # man, 2000s: 2
        ("064315012345", {"sex": "female", "date_of_birth": date(2015, 5, 1)}, []),  # woman, 2000s: 3
        ("001080012345", MAN_1980, []),  # Hà Nội
        ("", MAN_1980, []),  # not known yet: allowed
        ("06408001234", MAN_1980, ["đúng 12 chữ số"]),
        ("06408001234A", MAN_1980, ["đúng 12 chữ số"]),
        ("999080012345", MAN_1980, ["mã tỉnh"]),
        ("064180012345", MAN_1980, ["Chữ số thứ tư là 1"]),
        ("064281012345", MAN_1980, ["Chữ số thứ tư là 2", "hai số cuối của năm sinh"]),
        ("064079012345", MAN_1980, ["hai số cuối của năm sinh 1980"]),
    ],
)
def test_personal_id(value, facts, expected):
    errors = validate_personal_id(value, **facts)
    assert len(errors) == len(expected)
    for error, fragment in zip(errors, expected, strict=True):
        assert fragment in error


TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "issued,personal_id,expected",
    [
        (None, "", []),
        (None, "064080012345", []),
        (date(2021, 4, 12), "064080012345", []),
        (TODAY, "064080012345", []),  # issued today
        (date(1980, 3, 1), "064080012345", []),  # a card can be issued from birth (Luật Căn cước 2023)
        (date(2021, 4, 12), "", ["Có ngày cấp CCCD/thẻ căn cước 12/04/2021 nhưng chưa có số định danh cá nhân."]),
        (date(2026, 11, 27), "064080012345", ["Ngày cấp CCCD/thẻ căn cước 27/11/2026 ở tương lai."]),
        (date(1980, 2, 29), "064080012345", ["Ngày cấp CCCD/thẻ căn cước 29/02/1980 trước ngày sinh 01/03/1980."]),
    ],
)
def test_personal_id_issue_date(issued, personal_id, expected):
    errors = validate_personal_id_issued_on(
        issued, personal_id=personal_id, date_of_birth=date(1980, 3, 1), today=TODAY
    )
    assert errors == expected


@pytest.mark.parametrize(
    "raw,clean",
    [("0912 345 678", "0912345678"), ("+84 912.345.678", "0912345678"), ("02693 123 456", "02693123456"), ("", "")],
)
def test_phone_accepts_vietnamese_formats(raw, clean):
    assert validate_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "0123456789", "091234567", "+1 202 555 0100"])
def test_phone_rejects_other_formats(raw):
    with pytest.raises(ValidationError, match="không đúng định dạng Việt Nam"):
        validate_phone(raw)


def test_names_are_nfc_with_single_spaces():
    assert normalise_name("  Nguye\u0302\u0303n   Va\u0306n  A ") == "Nguyễn Văn A"


def test_date_of_birth_not_in_the_future():
    assert validate_date_of_birth(date(2030, 1, 1), today=date(2026, 11, 22))
    assert validate_date_of_birth(date(1899, 1, 1), today=date(2026, 11, 22))
    assert not validate_date_of_birth(date(2026, 11, 22), today=date(2026, 11, 22))


def people(*rows):
    return [{"full_name": n, "relationship": r, "date_of_birth": d} for n, r, d in rows]


@pytest.mark.parametrize(
    "rows,fragment",
    [
        ((("A", "spouse", date(1980, 1, 1)),), "đúng một chủ hộ (đang có 0)"),
        ((("A", "head", date(1980, 1, 1)), ("B", "head", date(1981, 1, 1))), "đang có 2"),
        ((("A", "head", date(1980, 1, 1)), ("B", "grandparent", date(1985, 1, 1))), "không lớn tuổi hơn"),
        ((("A", "head", date(1980, 1, 1)), ("B", "grandchild", date(1979, 1, 1))), "không nhỏ tuổi hơn"),
    ],
)
def test_household_member_rules(rows, fragment):
    errors = validate_household_members(people(*rows))
    assert errors and fragment in errors[0]


def test_consistent_household_passes():
    rows = people(("A", "head", date(1980, 1, 1)), ("B", "parent", date(1950, 1, 1)), ("C", "child", date(2010, 1, 1)))
    assert validate_household_members(rows) == []
