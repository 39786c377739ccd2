"""Vietnamese formatting for texts an officer reads: 1.500.000 đồng, 31/12/2026, "nông thôn"."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

AREA_TYPES = ("rural", "urban")

AREA_LABELS = {"rural": "nông thôn", "urban": "thành thị"}


def format_vnd(amount: int) -> str:
    """1500000 -> "1.500.000" (dot as the thousands separator, as Vietnamese documents write it)."""
    sign = "-" if amount < 0 else ""
    return sign + f"{abs(amount):,}".replace(",", ".")


def format_date(day: date) -> str:
    """date(2026, 12, 31) -> "31/12/2026"."""
    return day.strftime("%d/%m/%Y")


def area_label(area_type: str) -> str:
    """The Vietnamese name of an area type; ValueError for anything but "rural" / "urban"."""
    check_area_type(area_type)
    return AREA_LABELS[area_type]


def check_area_type(area_type: str) -> None:
    if area_type not in AREA_TYPES:
        raise ValueError(f"Khu vực không hợp lệ: {area_type!r} (chỉ nhận 'rural' – nông thôn, 'urban' – thành thị).")


def format_number(value: Decimal | float | int, places: int = 1, rounding: str = ROUND_HALF_UP) -> str:
    """Decimal comma, trailing zeros dropped: 7.50 -> "7,5", 8 -> "8", 33.333 -> "33,3"."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=rounding)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
