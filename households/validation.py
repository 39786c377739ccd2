"""Registry rules with Vietnamese messages: personal identification numbers, ages, heads, phones, names."""

import json
import re
import unicodedata
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from areas.loader import DATASETS

from .choices import Relationship, Sex

PHONE_RE = re.compile(r"^(0[35789]\d{8}|02\d{9})$")

OLDER_THAN_HEAD = {Relationship.PARENT, Relationship.PARENT_IN_LAW, Relationship.GRANDPARENT}
YOUNGER_THAN_HEAD = {Relationship.CHILD, Relationship.CHILD_IN_LAW, Relationship.GRANDCHILD}


def normalise_name(value: str) -> str:
    """Unicode NFC with single spaces: the same name typed on two keyboards compares equal."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def validate_phone(value: str) -> str:
    """Return the phone in 0xxxxxxxxx form, or raise a Vietnamese error."""
    phone = normalise_phone(value)
    if phone and not PHONE_RE.match(phone):
        raise ValidationError(
            _("Số điện thoại “%(value)s” không đúng định dạng Việt Nam (ví dụ 0912345678 hoặc 02693123456).")
            % {"value": value}
        )
    return phone


@lru_cache(maxsize=1)
def province_id_codes() -> frozenset[str]:
    """Three-digit province codes used as the first digits of personal identification numbers.

    Cards issued before 01/07/2025 carry the 63 old province codes; the 34 new provinces kept codes of
    that list, so the union of both official lists covers every valid prefix.
    """
    codes = set()
    for path in DATASETS.values():
        with open(path, encoding="utf-8") as handle:
            codes.update(str(p["code"]).zfill(3) for p in json.load(handle)["provinces"])
    return frozenset(codes)


def validate_personal_id(value: str, *, sex: str | None, date_of_birth: date | None) -> list[str]:
    """Check a 12-digit personal identification number (Thông tư 59/2021/TT-BCA, Điều 7).

    Digits 1–3: province of birth registration; digit 4: sex and century of birth (0/1 for 1900s men/women,
    2/3 for 2000s, 4/5 for 2100s…); digits 5–6: the last two digits of the year of birth.
    """
    if not value:
        return []
    if not re.fullmatch(r"\d{12}", value):
        return [_("Số định danh cá nhân phải gồm đúng 12 chữ số (đang nhập: “%(value)s”).") % {"value": value}]
    errors = []
    if value[:3] not in province_id_codes():
        errors.append(_("Ba số đầu “%(code)s” không phải mã tỉnh, thành phố hợp lệ.") % {"code": value[:3]})
    if sex and date_of_birth:
        century_index = (date_of_birth.year // 100) - 19
        expected = (century_index % 5) * 2 + (1 if sex == Sex.FEMALE else 0)
        if int(value[3]) != expected:
            errors.append(
                _("Chữ số thứ tư là %(digit)s nhưng với giới tính %(sex)s, sinh năm %(year)s thì phải là %(expected)s.")
                % {
                    "digit": value[3],
                    "sex": Sex(sex).label.lower(),
                    "year": date_of_birth.year,
                    "expected": expected,
                }
            )
        if value[4:6] != f"{date_of_birth.year % 100:02d}":
            errors.append(
                _("Chữ số thứ năm và sáu (“%(digits)s”) phải là hai số cuối của năm sinh %(year)s.")
                % {"digits": value[4:6], "year": date_of_birth.year}
            )
    return errors


def validate_date_of_birth(value: date | None, *, today: date) -> list[str]:
    if value and value > today:
        return [_("Ngày sinh %(date)s ở tương lai.") % {"date": value.strftime("%d/%m/%Y")}]
    if value and value.year < 1900:
        return [_("Năm sinh %(year)s không hợp lý.") % {"year": value.year}]
    return []


def validate_personal_id_issued_on(
    value: date | None, *, personal_id: str, date_of_birth: date | None, today: date
) -> list[str]:
    """The issue date of the citizen identity card / identity card (Luật Căn cước 2023, Điều 18–19).

    Only meaningful with a personal identification number; never in the future, never before the holder was born
    (since 01/07/2024 a card can be issued from birth, so no minimum age is checked).
    """
    if value is None:
        return []
    shown = value.strftime("%d/%m/%Y")
    if not personal_id:
        return [_("Có ngày cấp CCCD/thẻ căn cước %(date)s nhưng chưa có số định danh cá nhân.") % {"date": shown}]
    if value > today:
        return [_("Ngày cấp CCCD/thẻ căn cước %(date)s ở tương lai.") % {"date": shown}]
    if date_of_birth and value < date_of_birth:
        return [
            _("Ngày cấp CCCD/thẻ căn cước %(date)s trước ngày sinh %(birth)s.")
            % {"date": shown, "birth": date_of_birth.strftime("%d/%m/%Y")}
        ]
    return []


def validate_household_members(members: list[dict]) -> list[str]:
    """Rules across the members of one household: exactly one head; ages agree with relationships.

    ``members`` are dicts with full_name, relationship and date_of_birth (the members staying in the household).
    """
    heads = [m for m in members if m["relationship"] == Relationship.HEAD]
    if len(heads) != 1:
        return [_("Mỗi hộ phải có đúng một chủ hộ (đang có %(n)s).") % {"n": len(heads)}]
    head = heads[0]
    errors = []
    for member in members:
        if member is head or not member.get("date_of_birth") or not head.get("date_of_birth"):
            continue
        relation = Relationship(member["relationship"])
        if relation in OLDER_THAN_HEAD and member["date_of_birth"] >= head["date_of_birth"]:
            errors.append(
                _("%(name)s là %(relation)s của chủ hộ nhưng không lớn tuổi hơn chủ hộ %(head)s.")
                % {"name": member["full_name"], "relation": relation.label.lower(), "head": head["full_name"]}
            )
        if relation in YOUNGER_THAN_HEAD and member["date_of_birth"] <= head["date_of_birth"]:
            errors.append(
                _("%(name)s là %(relation)s của chủ hộ nhưng không nhỏ tuổi hơn chủ hộ %(head)s.")
                % {"name": member["full_name"], "relation": relation.label.lower(), "head": head["full_name"]}
            )
    return errors
