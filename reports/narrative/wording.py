"""Formatting and context of the report's sentences: numbers 1.234.567 and 11,5%, sums in "tỷ đồng"/"triệu đồng"
as report 209/BC-UBND writes them, clauses joined with zero ones left out, and what every sentence needs to know
about the report (period wording, the unit's kind, the typed indicators)."""

from __future__ import annotations

from decimal import Decimal

from areas.choices import UnitLevel

from ..documents.formatting import number
from ..models import ReportKind

CARD_GROUP_ORDER = ("ethnic_minority", "kinh_region_iii", "poor", "near_poor", "average_living", "other")
CARD_GROUP_LABELS = {
    "ethnic_minority": "Người DTTS",
    "kinh_region_iii": "Người kinh vùng III",
    "poor": "Người nghèo",
    "near_poor": "Người thuộc hộ cận nghèo",
    "average_living": "Người thuộc hộ có mức sống trung bình",
    "other": "Các đối tượng khác",
}


# --- formatting ----------------------------------------------------------------------------------------------


def n(value) -> str:
    return number(Decimal(str(value)))


def pct(value, decimals: int | None = None) -> str:
    """11.5 -> "11,5%"; "96.75" -> "96,75%" (as many decimals as the figure has, one to two)."""
    value = Decimal(str(value))
    if decimals is None:
        exponent = value.as_tuple().exponent
        decimals = min(max(-exponent if isinstance(exponent, int) else 1, 1), 2)
    return f"{number(value, decimals)}%"


def money(amount) -> str:
    """Sums as report 209/BC-UBND writes them: whole tenths of a billion or of a million in "tỷ đồng"/"triệu đồng"
    ("1,5 tỷ đồng", "350 triệu đồng"), ten billion and more rounded to a tenth ("113 tỷ đồng"), anything else to
    the đồng ("5.400.000 đồng", "1.898.378.000 đồng")."""
    amount = Decimal(str(amount or 0))
    for scale, word, smallest in ((Decimal(10) ** 9, "tỷ đồng", 1), (Decimal(10) ** 6, "triệu đồng", 10)):
        if (
            amount >= scale * 10
            and scale == Decimal(10) ** 9
            or (amount >= scale * smallest and amount % (scale / 10) == 0)
        ):
            value = (amount / scale).quantize(Decimal("0.1"))
            decimals = 0 if value == value.to_integral_value() else 1
            return f"{number(value, decimals)} {word}"
    return f"{number(amount)} đồng"


def exact_money(amount) -> str:
    return f"{number(Decimal(str(amount or 0)))} đồng"


def share(part, whole) -> str:
    return pct((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))) if whole else ""


def sentence(*clauses: str, joiner: str = "; ") -> str:
    """Clauses joined, empty ones left out, with a full stop; "" when nothing is left."""
    kept = [c for c in clauses if c]
    if not kept:
        return ""
    text = joiner.join(kept)
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def join_and(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


class Context:
    """What every sentence needs: the figures, the period wording and the unit's kind ("huyện", "xã")."""

    def __init__(self, report):
        self.report = report
        self.figures = report.figures or {}
        self.kind = report.kind
        self.start, self.end = report.period_start, report.period_end
        unit = self.figures.get("unit", {})
        self.level = unit.get("level", UnitLevel.DISTRICT)
        from ..content import split_name

        self.word, self.proper = split_name(unit.get("name", ""))
        self.word = self.word or "đơn vị"
        self.ubnd = f"UBND {self.word}"
        self.whole = f"toàn {self.word}"
        self.year = self.end.year
        self.indicators = {row["code"]: row for row in self.figures.get("indicators", [])}
        if self.kind == ReportKind.YEAR_END:
            self.during, self.over = f"Trong năm {self.year}", f"Qua một năm triển khai (năm {self.year})"
        else:
            self.during, self.over = "Trong 6 tháng", "Qua 6 tháng triển khai"

    def get(self, *path, default=None):
        value = self.figures
        for key in path:
            if not isinstance(value, dict) or key not in value or value[key] is None:
                return default
            value = value[key]
        return value

    def ind(self, code: str) -> str:
        """A typed indicator, formatted ("1.085"), or "" when not entered or zero."""
        row = self.indicators.get(code)
        if row is None or Decimal(row["value"]) == 0:
            return ""
        return row["display"]

    def ind_money(self, code: str) -> str:
        row = self.indicators.get(code)
        return money(row["value"]) if row and Decimal(row["value"]) else ""

    def subunits(self) -> str:
        return {UnitLevel.DISTRICT: "xã, thị trấn", UnitLevel.PROVINCE: "huyện, thị xã, thành phố"}.get(
            self.level, "thôn, buôn, tổ dân phố"
        )


def count_of(value, noun: str) -> str:
    """ "269 hộ" or "" when zero or missing."""
    return f"{n(value)} {noun}" if value else ""
