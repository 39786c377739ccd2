"""Classifying a household (poor, near-poor, average living, non-poor) under a standard, with an explanation.

Income boundaries are inclusive ("từ … trở xuống"). The rules per standard (domain.md §1.2, §1.3, §1.5, §2.6):

* QĐ 59/2015, Điều 2 ("income_or_band"): income ≤ poverty line → poor whatever the deprivations;
  poverty line < income ≤ near-poverty line → poor with ≥ 3 deprivations, otherwise near-poor.
* NĐ 07/2021, Điều 3 khoản 2 and NĐ 351/2025 ("line_and_deprivation"): income ≤ line → poor with ≥ 3
  deprivations, otherwise near-poor; above the line never poor or near-poor.
* Average living (NĐ 07/2021, Điều 3 khoản 2 điểm c): only agri/forestry/fishery/salt households above the
  band and at most the average-living upper bound.
* Without an income, the proxy score: TT 07/2021 (score A and B) or TT 17/2016 as amended by TT 14/2018
  (B1 and B2) for 2016–2021.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .formatting import area_label, check_area_type, format_date
from .formatting import format_vnd as vnd
from .standards import IncomeLines, IndicatorSpec, Standard

HOUSEHOLD_CLASSES = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average_living": "Hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình",
    "non_poor": "Hộ không nghèo",
}


@dataclass(frozen=True)
class ClassificationInput:
    """What the classification needs: income (or score A), deprivations after officer overrides, the area."""

    reference_date: date
    area_type: str
    income_per_capita: int | None = None
    score_a: int | None = None
    deprived: frozenset[str] = frozenset()
    triggered_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    agricultural: bool = False
    local_poverty_line: IncomeLines | None = None


@dataclass(frozen=True)
class ExplanationRow:
    """One test the classification made, shown to the officer as a table row."""

    rule: str
    value: str
    threshold: str
    met: bool
    detail: str


@dataclass(frozen=True)
class Classification:
    """The class, the standard and basis used, the line applied, a one-sentence summary and the rows behind it."""

    household_class: str
    standard_code: str
    basis: str
    deprivation_count: int
    line: int
    summary: str
    rows: tuple[ExplanationRow, ...]


def classify(data: ClassificationInput, standard: Standard) -> Classification:
    """Classify one household under ``standard``; income wins over the proxy score when both are given.

    The standard must be the one in force on the reference date (domain.md §1.1: a 2026 review still uses
    NĐ 07/2021, a 2027 review NĐ 351/2025); ValueError otherwise, and on missing or negative inputs.
    """
    check_area_type(data.area_type)
    if not standard.in_force(data.reference_date):
        end = format_date(standard.valid_to) if standard.valid_to else "nay"
        raise ValueError(
            f"{standard.citation} không áp dụng cho ngày {format_date(data.reference_date)} "
            f"(áp dụng từ {format_date(standard.valid_from)} đến {end})."
        )
    # Only the standard's own indicators count (an override for a code of another period is ignored).
    deprived = tuple(spec for spec in standard.indicators if spec.code in data.deprived)
    if data.income_per_capita is not None:
        if data.income_per_capita < 0:
            raise ValueError("Thu nhập bình quân không được âm.")
        return _by_income(data, standard, deprived)
    if data.score_a is not None:
        if data.score_a < 0:
            raise ValueError("Điểm A không được âm.")
        return _by_proxy(data, standard, deprived)
    raise ValueError("Chưa có thu nhập bình quân hoặc điểm A nên chưa phân loại được hộ.")


def low_income_worker(income_per_capita: int, area_type: str, household_class: str, standard: Standard) -> bool:
    """A member of a household that is neither poor nor near-poor, income per capita ≤ the NĐ 30/2025 bound.

    NĐ 30/2025 (sửa đổi NĐ 07/2021, Điều 3): ≤ 2.250.000 (nông thôn) / ≤ 3.000.000 (thành thị). A standard without
    that bound (QĐ 59/2015; NĐ 351/2025 until its text is confirmed) has no low-income workers.
    """
    check_area_type(area_type)
    if household_class not in HOUSEHOLD_CLASSES:
        raise ValueError(f"Phân loại hộ không hợp lệ: {household_class!r}.")
    if income_per_capita < 0:
        raise ValueError("Thu nhập bình quân không được âm.")
    upper = standard.low_income_worker_upper
    if upper is None or household_class in ("poor", "near_poor"):
        return False
    return income_per_capita <= upper.for_area(area_type)


# --- by income -------------------------------------------------------------------------------------------------


def _by_income(data: ClassificationInput, standard: Standard, deprived: tuple[IndicatorSpec, ...]) -> Classification:
    income, area, citation = data.income_per_capita, data.area_type, standard.citation
    count, needed = len(deprived), standard.deprivation_threshold
    national = standard.poverty_line.for_area(area)
    local = data.local_poverty_line.for_area(area) if data.local_poverty_line else None
    # A province may set a higher local line for its own programmes (NĐ 351/2025 [P]); the national line is a floor.
    line = local if local is not None and local > national else national
    by_province = line != national
    if by_province:
        line_detail = f"Áp dụng chuẩn nghèo của tỉnh ({vnd(local)} đồng), cao hơn chuẩn quốc gia {vnd(national)} đồng."
    elif local is not None:
        line_detail = (
            f"Chuẩn nghèo của tỉnh ({vnd(local)} đồng) không cao hơn chuẩn quốc gia nên áp dụng chuẩn quốc gia "
            f"{vnd(national)} đồng."
        )
    else:
        line_detail = f"Chuẩn nghèo theo {citation}."
    line_text = f"{vnd(line)} đồng" + (" (chuẩn nghèo của tỉnh)" if by_province else "")
    value = f"{vnd(income)} đồng/người/tháng"
    place = f"chuẩn nghèo của tỉnh, {area_label(area)}" if by_province else area_label(area)
    rows = [ExplanationRow("Thu nhập bình quân", value, f"≤ {vnd(line)} ({place})", income <= line, line_detail)]

    two_lines = standard.rule == "income_or_band"
    # QĐ 59/2015, Điều 2: the near-poverty line bounds the band; a higher local line cannot make it narrower.
    band_top = max(standard.near_poverty_line.for_area(area), line) if two_lines else line
    if two_lines:
        rows.append(
            ExplanationRow(
                "Thu nhập so với chuẩn cận nghèo",
                value,
                f"≤ {vnd(band_top)} ({area_label(area)})",
                income <= band_top,
                f"Chuẩn cận nghèo theo {citation}.",
            )
        )
    rows.append(_deprivation_row(data, deprived, needed))
    names = _names(deprived)

    household_class, summary = None, ""
    if two_lines and income <= line:
        # QĐ 59/2015, Điều 2: income-poor, deprivations do not matter.
        household_class = "poor"
        summary = f"thu nhập {vnd(income)} ≤ {line_text}, thuộc diện nghèo không phụ thuộc số chỉ số thiếu hụt."
    elif income <= band_top:
        in_band = f"thu nhập {vnd(income)} ≤ {line_text}"
        if two_lines:
            in_band = f"thu nhập {vnd(income)} đồng, trên chuẩn nghèo {vnd(line)} và không quá chuẩn cận nghèo"
            in_band += f" {vnd(band_top)} đồng"
        if count >= needed:
            household_class = "poor"
            summary = f"{in_band} và thiếu hụt {count} chỉ số ({names})."
        else:
            household_class = "near_poor"
            summary = f"{in_band} nhưng {_few(count, names)}, dưới ngưỡng {needed} chỉ số."
    else:
        household_class, summary = _above_band(data, standard, rows, band_top, two_lines)
    return Classification(
        household_class=household_class,
        standard_code=standard.code,
        basis="income",
        deprivation_count=count,
        line=line,
        summary=f"{HOUSEHOLD_CLASSES[household_class]} theo {citation}: {summary}",
        rows=tuple(rows),
    )


def _above_band(
    data: ClassificationInput, standard: Standard, rows: list[ExplanationRow], band_top: int, two_lines: bool
) -> tuple[str, str]:
    income, area = data.income_per_capita, data.area_type
    which = "chuẩn cận nghèo" if two_lines else "chuẩn nghèo"
    above = f"thu nhập {vnd(income)} đồng, trên {which} {vnd(band_top)} đồng"
    if standard.average_upper is None:
        note = " Chuẩn này chưa có mức sống trung bình nên không xét." if data.agricultural else ""
        return "non_poor", f"{above}.{note}"
    upper = standard.average_upper.for_area(area)
    in_band = income <= upper
    if not data.agricultural:
        detail = "Hộ không làm nông, lâm, ngư, diêm nghiệp nên không xét mức sống trung bình."
    else:
        detail = f"Hộ làm nông, lâm, ngư, diêm nghiệp; mức sống trung bình theo {standard.citation}."
    rows.append(
        ExplanationRow(
            "Mức sống trung bình",
            f"{vnd(income)} đồng/người/tháng",
            f"> {vnd(band_top)} và ≤ {vnd(upper)} ({area_label(area)})",
            data.agricultural and in_band,
            detail,
        )
    )
    if data.agricultural and in_band:
        return "average_living", f"{above} và không quá {vnd(upper)} đồng."
    if in_band:
        return "non_poor", f"{above}. {detail}"
    return "non_poor", f"{above}, trên mức sống trung bình {vnd(upper)} đồng."


# --- by proxy score -----------------------------------------------------------------------------------------------


def _by_proxy(data: ClassificationInput, standard: Standard, deprived: tuple[IndicatorSpec, ...]) -> Classification:
    proxy, area, score, citation = standard.proxy, data.area_type, data.score_a, standard.citation
    if proxy is None:
        raise ValueError(
            f"{citation} chưa có bảng chấm điểm A nên không phân loại được theo điểm; cần nhập thu nhập bình quân."
        )
    count, names = len(deprived), _names(deprived)
    a_line, b_score, b_needed = proxy.a_line.for_area(area), proxy.points_per_indicator * count, proxy.b_threshold
    # 2016–2021 sheets are named B1 (income) and B2 (deprivation); TT 07/2021 uses A and B (domain.md §2.6).
    old_sheets = proxy.a_upper is not None
    a_name, b_name = ("B1", "B2") if old_sheets else ("A", "B")
    rows = [
        ExplanationRow(
            f"Điểm {a_name} (ước tính thu nhập)",
            f"{score} điểm",
            f"≤ {a_line} ({area_label(area)})",
            score <= a_line,
            f"Chấm điểm theo {proxy.legal_basis}.",
        )
    ]
    a_upper = proxy.a_upper.for_area(area) if old_sheets else a_line
    if old_sheets:
        rows.append(
            ExplanationRow(
                f"Điểm {a_name} so với ngưỡng cận nghèo",
                f"{score} điểm",
                f"≤ {a_upper} ({area_label(area)})",
                score <= a_upper,
                f"Chấm điểm theo {proxy.legal_basis}.",
            )
        )
    rows.append(
        ExplanationRow(
            f"Điểm {b_name} (thiếu hụt)",
            f"{b_score} điểm ({count} chỉ số × {proxy.points_per_indicator})",
            f"≥ {b_needed}",
            b_score >= b_needed,
            _deprivation_detail(data, deprived),
        )
    )
    if data.local_poverty_line is not None:
        rows.append(
            ExplanationRow(
                "Chuẩn nghèo của tỉnh",
                f"{vnd(data.local_poverty_line.for_area(area))} đồng/người/tháng",
                "—",
                False,
                "Chỉ áp dụng khi có thu nhập bình quân; điểm A được quy đổi theo chuẩn quốc gia.",
            )
        )

    b_text = f"điểm {b_name} {b_score}"
    if old_sheets and score <= a_line:
        # TT 17/2016 as amended by TT 14/2018: B1 at or below the poverty score is poor whatever B2.
        household_class = "poor"
        summary = f"điểm {a_name} {score} ≤ {a_line}, thuộc diện nghèo không phụ thuộc điểm {b_name}."
    elif score <= a_upper:
        where = f"điểm {a_name} {score} ≤ {a_line}"
        if old_sheets:
            where = f"điểm {a_name} {score} trên {a_line} và không quá {a_upper}"
        if b_score >= b_needed:
            household_class = "poor"
            summary = f"{where} và {b_text} ≥ {b_needed} (thiếu hụt {count} chỉ số: {names})."
        else:
            household_class = "near_poor"
            summary = f"{where} nhưng {b_text} < {b_needed}, {_few(count, names)}."
    else:
        household_class = "non_poor"
        summary = (
            f"điểm {a_name} {score} > {a_upper}, không thuộc diện nghèo, cận nghèo. Điểm {a_name} không đủ để xác định "
            "hộ có mức sống trung bình; cần thu nhập bình quân."
        )
    label = "Hộ không nghèo, không cận nghèo" if household_class == "non_poor" else HOUSEHOLD_CLASSES[household_class]
    return Classification(
        household_class=household_class,
        standard_code=standard.code,
        basis="proxy",
        deprivation_count=count,
        line=a_line,
        summary=f"{label} theo {citation} (chấm điểm theo {proxy.legal_basis}): {summary}",
        rows=tuple(rows),
    )


# --- shared --------------------------------------------------------------------------------------------------------


def _names(deprived: tuple[IndicatorSpec, ...]) -> str:
    return ", ".join(spec.name for spec in deprived)


def _few(count: int, names: str) -> str:
    return "không thiếu hụt chỉ số nào" if count == 0 else f"chỉ thiếu hụt {count} chỉ số ({names})"


def _deprivation_detail(data: ClassificationInput, deprived: tuple[IndicatorSpec, ...]) -> str:
    """Each deprived indicator by its Vietnamese name, with the members who triggered it."""
    parts = []
    for spec in deprived:
        members = tuple(data.triggered_by.get(spec.code, ()))
        parts.append(f"{spec.name} ({', '.join(members)})" if members else spec.name)
    return "; ".join(parts) + "." if parts else "Không thiếu hụt chỉ số nào."


def _deprivation_row(data: ClassificationInput, deprived: tuple[IndicatorSpec, ...], needed: int) -> ExplanationRow:
    count = len(deprived)
    detail = _deprivation_detail(data, deprived)
    return ExplanationRow("Số chỉ số thiếu hụt", f"{count} chỉ số", f"≥ {needed}", count >= needed, detail)
