"""Vietnamese date and number formatting for administrative documents (pure Python, no Django).

NĐ 30/2020/NĐ-CP, Phụ lục I, phần II, mục 4 (địa danh và thời gian ban hành): day and month are written in
Arabic numerals, days below 10 and months 1 and 2 with a leading zero ("ngày 05 tháng 01 năm 2026").
Numbers use "." for thousands and "," for decimals (TCVN / Vietnamese usage: 1.234.567; 85,5 %).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from .data import Letterhead

# Printed where a date or number is left for the signer to fill in by hand on a draft. Non-breaking spaces,
# because HTML would collapse ordinary ones.
_GAP = "\u00a0" * 7
BLANK_DATE = f"ngày{_GAP}tháng{_GAP}năm 20{_GAP}"
BLANK_NUMBER = "\u00a0" * 10


def long_date(value: datetime.date | None) -> str:
    """ "ngày 05 tháng 01 năm 2026"; a blank form when `value` is None (NĐ 30/2020, Phụ lục I, II.4)."""
    if value is None:
        return BLANK_DATE
    # NĐ 30/2020, Phụ lục I, II.4: "đối với những số thể hiện ngày nhỏ hơn 10 và tháng 1, 2 phải ghi thêm số 0
    # ở trước" (so "tháng 01" cannot be altered into "tháng 11"); months 3–12 take no leading zero ("tháng 3").
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_date(place: str, value: datetime.date | None) -> str:
    """ "Ia RSai, ngày 05 tháng 01 năm 2026" (NĐ 30/2020, Phụ lục I, ô số 4)."""
    return f"{place}, {long_date(value)}" if place else long_date(value)


def short_date(value: datetime.date | None) -> str:
    """ "05/01/2026" for tables and references; empty for None."""
    return value.strftime("%d/%m/%Y") if value else ""


def clock_time(value: datetime.datetime | datetime.time) -> str:
    """ "14 giờ 00 phút" as written in minutes (biên bản)."""
    return f"{value.hour:02d} giờ {value.minute:02d} phút"


def number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """1234567 -> "1.234.567"; 85.25 with decimals=1 -> "85,3" (half up, as people round by hand)."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"-{text}" if rounded < 0 else text


def percent(value: int | float | Decimal | None, decimals: int = 1) -> str:
    """85.0 -> "85,0 %" (value already in percent)."""
    return "" if value is None else f"{number(value, decimals)} %"


def document_number(letterhead: Letterhead) -> str:
    """ "Số: 12/QĐ-UBND", or "Số:      /QĐ-UBND" when the number is assigned on signing (NĐ 30/2020, ô số 3)."""
    if letterhead.number:
        return f"Số: {letterhead.number}"
    return f"Số: {BLANK_NUMBER}/{letterhead.symbol}" if letterhead.symbol else f"Số: {BLANK_NUMBER}"


def document_reference(letterhead: Letterhead) -> str:
    """ "số 12/QĐ-UBND ngày 20 tháng 12 năm 2026" for "(Kèm theo Quyết định số … ngày …)" lines."""
    num = letterhead.number or f"{BLANK_NUMBER}/{letterhead.symbol}"
    return f"số {num} {long_date(letterhead.date)}"


# Words that name the kind of unit ("Xã Ia RSai", "Thôn Buôn Ơi") and are written in lower case inside a
# sentence ("tại nhà văn hóa thôn Buôn Ơi, xã Ia RSai"), longest first so "Thị trấn" wins over "Thị".
_UNIT_KINDS = sorted(
    (
        "Tỉnh",
        "Thành phố",
        "Huyện",
        "Quận",
        "Thị xã",
        "Xã",
        "Phường",
        "Thị trấn",
        "Đặc khu",
        "Thôn",
        "Tổ dân phố",
        "Khu phố",
        "Ấp",
        "Bản",
        "Làng",
        "Buôn",
        "Plei",
        "Khóm",
        "Sóc",
        "Tổ",
    ),
    key=len,
    reverse=True,
)


def in_sentence(unit_name: str) -> str:
    """ "Xã Ia RSai" -> "xã Ia RSai": the kind of unit in lower case, the proper name untouched."""
    text = unit_name.strip()
    for kind in _UNIT_KINDS:
        if text.startswith(kind + " "):
            return kind.lower() + text[len(kind) :]
    return text
