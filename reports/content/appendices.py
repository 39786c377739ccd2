"""The appendix tables of a 6-month or year-end report, one row per unit below the reporting unit: support per
policy, credit shares, health-insurance cards, movements of the poor and near-poor lists (ratio columns are computed
from the columns' totals by the renderers)."""

from __future__ import annotations

from decimal import Decimal

from ..documents.data import Column, Table, TableRow
from .document import period_phrase, unit_phrase

# --- appendix tables -----------------------------------------------------------------------------------------


def programme_group(credit: dict, group: str) -> dict:
    """Borrowers of the programme for ``group`` who were of that group, and all households of the group at the
    period's end (seed 004 §3.1: "269 hộ nghèo vay vốn, chiếm 11,5% tổng số hộ nghèo"; programs.figures
    ``programme_shares``), as {"borrowers", "households"}. A snapshot taken before the figure had programme rows
    reads the older per-household groups."""
    for row in credit.get("programme_shares") or []:
        if row.get("target_group") == group:
            return {"borrowers": row.get("group_households") or 0, "households": row.get("group_total") or 0}
    return credit.get("groups", {}).get(group, {})


def _ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def appendix_tables(report) -> tuple[Table, ...]:
    figures = report.figures
    children = figures.get("children") or []
    if not children:
        return ()
    reference = "(Kèm theo Báo cáo"
    if report.number:
        reference += f" số {report.number}"
    if report.issued_on:
        reference += f" ngày {report.issued_on:%d/%m/%Y}"
    issuer = f"UBND {unit_phrase(figures['unit'])}"
    subtitle = f"{reference} của {issuer})"
    phrase = period_phrase(report.kind, report.period_start, report.period_end)
    name_column = Column("name", "Đơn vị", kind="text", total=False)
    return (
        support_table(children, phrase, subtitle, name_column),
        credit_table(children, phrase, subtitle, name_column),
        insurance_table(children, phrase, subtitle, name_column),
        movement_table(children, phrase, subtitle, name_column),
    )


def support_table(children, phrase, subtitle, name_column) -> Table:
    columns = (
        name_column,
        Column("credit", "Vay vốn tín dụng ưu đãi (hộ)", group="Số hộ, người được hỗ trợ"),
        Column("cards", "Thẻ BHYT (thẻ)", group="Số hộ, người được hỗ trợ"),
        Column("education", "Giáo dục (hộ)", group="Số hộ, người được hỗ trợ"),
        Column("housing", "Nhà ở (hộ)", group="Số hộ, người được hỗ trợ"),
        Column("water", "Nước, vệ sinh (hộ)", group="Số hộ, người được hỗ trợ"),
        Column("livelihood", "Sản xuất, sinh kế (hộ)", group="Số hộ, người được hỗ trợ"),
        Column("training", "Đào tạo nghề (người)", group="Số hộ, người được hỗ trợ"),
        Column("electricity", "Tiền điện (hộ)", group="Số hộ, người được hỗ trợ"),
        Column("rice", "Gạo cứu đói (hộ)", group="Số hộ, người được hỗ trợ"),
        Column("households", "Tổng số hộ được hỗ trợ", group="Tổng cộng"),
        Column("amount", "Kinh phí (đồng)", kind="money", group="Tổng cộng"),
    )
    rows = []
    for child in children:
        kinds = child["kinds"]
        rows.append(
            TableRow(
                values={
                    "name": child["name"],
                    "credit": child["credit"]["households"],
                    "cards": child["health_insurance"]["cards"],
                    "education": kinds["education"]["households"],
                    "housing": child["housing"]["households"],
                    "water": kinds["water_sanitation"]["households"],
                    "livelihood": kinds["livelihood"]["households"],
                    "training": child["training"]["trainees"],
                    "electricity": kinds["electricity"]["households"],
                    "rice": kinds["in_kind"]["households"],
                    "households": child["overall"]["households"],
                    "amount": child["overall"]["amount"],
                }
            )
        )
    return Table(
        title=f"KẾT QUẢ THỰC HIỆN CÁC CHÍNH SÁCH HỖ TRỢ GIẢM NGHÈO {phrase.upper()}",
        columns=columns,
        rows=tuple(rows),
        subtitle=subtitle,
        note="Số hộ của từng cột đếm mỗi hộ một lần trong cột đó; một hộ có thể được nhiều chính sách hỗ trợ.",
        sheet_name="Chính sách hỗ trợ",
    )


def credit_table(children, phrase, subtitle, name_column) -> Table:
    poor_group, near_group = "Hộ nghèo", "Hộ cận nghèo"
    columns = (
        name_column,
        Column("poor", "Tổng số hộ nghèo", group=poor_group),
        Column("poor_borrowers", "Số hộ vay vốn", group=poor_group),
        Column("poor_share", "Tỷ lệ (%)", kind="percent", group=poor_group, ratio_of=("poor_borrowers", "poor")),
        Column("near", "Tổng số hộ cận nghèo", group=near_group),
        Column("near_borrowers", "Số hộ vay vốn", group=near_group),
        Column("near_share", "Tỷ lệ (%)", kind="percent", group=near_group, ratio_of=("near_borrowers", "near")),
        Column("households", "Số hộ vay vốn", group="Tổng cộng"),
        Column("amount", "Doanh số cho vay (đồng)", kind="money", group="Tổng cộng"),
    )
    rows = []
    for child in children:
        poor, near = programme_group(child["credit"], "poor"), programme_group(child["credit"], "near_poor")
        rows.append(
            TableRow(
                values={
                    "name": child["name"],
                    "poor": poor.get("households", 0),
                    "poor_borrowers": poor.get("borrowers", 0),
                    "poor_share": _ratio(poor.get("borrowers", 0), poor.get("households", 0)),
                    "near": near.get("households", 0),
                    "near_borrowers": near.get("borrowers", 0),
                    "near_share": _ratio(near.get("borrowers", 0), near.get("households", 0)),
                    "households": child["credit"]["households"],
                    "amount": child["credit"]["amount"],
                }
            )
        )
    return Table(
        title=f"KẾT QUẢ CHO VAY VỐN TÍN DỤNG ƯU ĐÃI {phrase.upper()}",
        columns=columns,
        rows=tuple(rows),
        subtitle=subtitle,
        note="Tỷ lệ tính trên tổng số hộ nghèo, hộ cận nghèo của đơn vị cuối kỳ báo cáo.",
        sheet_name="Tín dụng",
    )


def insurance_table(children, phrase, subtitle, name_column) -> Table:
    from ..narrative import CARD_GROUP_LABELS, card_groups

    groups = []
    for child in children:
        for key, _label in card_groups(child["health_insurance"]):
            if key not in groups:
                groups.append(key)
    columns = [name_column]
    columns += [Column(f"g_{key}", CARD_GROUP_LABELS.get(key, key), group="Thẻ BHYT đã cấp") for key in groups]
    columns += [
        Column("cards", "Tổng số thẻ", group="Thẻ BHYT đã cấp"),
        Column("insured", "Số người có thẻ còn hạn", group="Tham gia BHYT"),
        Column("population", "Dân số", group="Tham gia BHYT"),
        Column("rate", "Tỷ lệ (%)", kind="percent", group="Tham gia BHYT", ratio_of=("insured", "population")),
    ]
    rows = []
    for child in children:
        insurance = child["health_insurance"]
        values = {"name": child["name"], "cards": insurance["cards"]}
        values.update({f"g_{key}": insurance["by_group"].get(key, 0) for key in groups})
        values["insured"] = insurance.get("insured", 0)
        values["population"] = insurance.get("population", 0)
        values["rate"] = _dec(insurance.get("rate"))
        rows.append(TableRow(values=values))
    return Table(
        title=f"KẾT QUẢ CẤP THẺ BẢO HIỂM Y TẾ {phrase.upper()}",
        columns=tuple(columns),
        rows=tuple(rows),
        subtitle=subtitle,
        sheet_name="BHYT",
    )


def movement_table(children, phrase, subtitle, name_column) -> Table:
    poor, near = "Hộ nghèo", "Hộ cận nghèo"
    columns = (
        name_column,
        Column("total_start", "Tổng số hộ dân cư đầu kỳ"),
        Column("total_end", "Tổng số hộ dân cư cuối kỳ"),
        Column("poor_start", "Đầu kỳ", group=poor),
        Column(
            "poor_start_rate", "Tỷ lệ đầu kỳ (%)", kind="percent", group=poor, ratio_of=("poor_start", "total_start")
        ),
        Column("escaped_poor", "Thoát nghèo", group=poor),
        Column("relapsed_poor", "Tái nghèo", group=poor),
        Column("new_poor", "Phát sinh", group=poor),
        Column("poor_end", "Cuối kỳ", group=poor),
        Column("poor_end_rate", "Tỷ lệ cuối kỳ (%)", kind="percent", group=poor, ratio_of=("poor_end", "total_end")),
        Column("near_start", "Đầu kỳ", group=near),
        Column("escaped_near", "Thoát cận nghèo", group=near),
        Column("relapsed_near", "Tái cận nghèo", group=near),
        Column("new_near", "Phát sinh", group=near),
        Column("poor_to_near", "Từ hộ nghèo chuyển sang", group=near),
        Column("near_to_poor", "Chuyển thành hộ nghèo", group=near),
        Column("near_end", "Cuối kỳ", group=near),
    )
    rows = []
    for child in children:
        movement = child["movements"]
        counts, rates = movement["counts"], movement["rates"]
        values = {"name": child["name"]}
        for key in ("poor_start", "escaped_poor", "relapsed_poor", "new_poor", "poor_end"):
            values[key] = counts.get(key, 0)
        for key in (
            "near_start",
            "escaped_near",
            "relapsed_near",
            "new_near",
            "poor_to_near",
            "near_to_poor",
            "near_end",
        ):
            values[key] = counts.get(key, 0)
        values["total_start"] = movement["start_total"]["households"]
        values["total_end"] = movement["end_total"]["households"]
        values["poor_start_rate"] = _dec(rates.get("poor_start"))
        values["poor_end_rate"] = _dec(rates.get("poor_end"))
        rows.append(TableRow(values=values))
    return Table(
        title=f"BIẾN ĐỘNG HỘ NGHÈO, HỘ CẬN NGHÈO {phrase.upper()}",
        columns=columns,
        rows=tuple(rows),
        subtitle=subtitle,
        note="Tỷ lệ hộ nghèo = số hộ nghèo / tổng số hộ dân cư × 100; đầu kỳ theo danh sách được công nhận "
        "trước ngày đầu kỳ. Hộ cận nghèo cuối kỳ = đầu kỳ + phát sinh + tái cận nghèo + từ hộ nghèo chuyển sang "
        "− thoát cận nghèo − chuyển thành hộ nghèo.",
        sheet_name="Biến động",
    )
