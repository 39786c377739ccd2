"""The content of the 6-month and year-end reports (báo cáo 6 tháng, báo cáo năm) of a reporting unit.

Two steps, so a finalised report re-renders identically (STYLE.md rule 8):

- ``compute_figures`` reads the records once — support delivered (programs.figures), movements and rates
  (households.transitions), the year's target and escape registrations (households.targets), the annual review
  (reviews), the typed indicators (reports.indicators) — and returns plain JSON data, stored as
  ``PeriodicReport.figures``;
- ``build_document`` turns a report's stored figures, narrative and document fields into the plain
  ``PeriodicReportDocument`` the three renderers take, without querying a figure again.

The structure is the one of report 209/BC-UBND of Krông Pa (seed 004): I. results (direction, communication,
3.1–3.8 support policies, other support), II. assessment, III. tasks, IV. proposals, with per-unit appendix
tables. The review-results tables are another kind of report (reports.review_tables).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Model, Q

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from households.targets import target_level, target_progress
from households.transitions import ReportPeriod, transition_table
from programs.figures import Period, unit_figures

from .documents.data import Column, EnteredFigure, Letterhead, PeriodicReportDocument, Section, Signer, Table, TableRow
from .documents.signing import CHAIRMAN, signature_block
from .indicators import indicator_snapshot
from .models import ReportKind
from .narrative import NARRATIVE_SECTIONS, default_narrative, document_sections, preamble_and_closing, sections_for

SCHEMA = 1
EXTENSION_PROGRAMMES = ("AGRI_EXTENSION",)  # report 209/BC-UBND, 3.8: khuyến nông, định canh định cư
RICE_PROGRAMMES = ("RICE_TET", "RICE_LEAN")  # 3.8 "Một số chính sách trợ giúp khác": gạo cứu đói Tết, giáp hạt
# Loans counted apart in 3.1 ("cho 258 hộ vay vốn làm công trình vệ sinh, nước sinh hoạt; … 329 hộ vay vốn phát
# triển sản xuất kinh doanh … giải quyết việc làm cho 117 hộ").
CREDIT_PURPOSES = ("VBSP_WATER", "VBSP_PRODUCTION", "VBSP_JOBS")


@dataclass(frozen=True)
class UnitReader:
    """The reporting unit as the reader of its own records: the selectors that take a user (accounts.scoping)
    see exactly the unit and everything below it, as an officer of that unit would."""

    unit: AdministrativeUnit
    is_authenticated: bool = True
    is_active: bool = True
    is_system_admin: bool = False

    @property
    def unit_id(self) -> int:
        return self.unit.pk


def review_results_module():
    from . import review_tables  # the review-results tables of reports.review_tables

    return review_tables


# --- figures (the snapshot) ----------------------------------------------------------------------------------


def compute_figures(*, unit: AdministrativeUnit, kind: str, period_start: datetime.date, period_end: datetime.date):
    """Every figure of the report of ``unit`` for the period, as JSON-serialisable data (Decimals as strings)."""
    if kind == ReportKind.REVIEW_RESULTS:
        return review_results_module().compute_review_figures(
            unit=unit, period_start=period_start, period_end=period_end
        )
    support = support_figures(unit, period_start, period_end)
    figures = {
        "schema": SCHEMA,
        "kind": str(kind),
        "unit": unit_info(unit),
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat(), "year": period_end.year},
        **support,
        "movements": movement_figures(unit, period_start, period_end),
        "target": target_figures(unit, period_end.year),
        "children": child_rows(unit, period_start, period_end),
        "indicators": indicator_snapshot(unit=unit, period_start=period_start, period_end=period_end),
    }
    if kind == ReportKind.YEAR_END:
        figures["review"] = annual_review_figures(unit, period_end.year)
    return plain(figures)


def unit_info(unit: AdministrativeUnit) -> dict:
    parent = unit.parent
    province = unit
    while province.parent_id and province.level != UnitLevel.PROVINCE:
        province = province.parent
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "kind": unit.kind,
        "parent_name": parent.name if parent else "",
        "parent_level": parent.level if parent else "",
        "province_name": province.name if province.level == UnitLevel.PROVINCE else "",
    }


def plain(value):
    """JSON-ready data: Decimals as strings, dates in ISO form, model instances left out of dicts."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if not isinstance(v, Model | Period | ReportPeriod)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def support_figures(unit: AdministrativeUnit, period_start: datetime.date, period_end: datetime.date) -> dict:
    """The support delivered (programs.figures.unit_figures, every key kept), with the programme rows made plain
    and regrouped as report 209/BC-UBND reads them: education per policy, extension apart from production, rice
    per distribution, loans per purpose."""
    figures = unit_figures(unit=unit, period=Period(period_start, period_end))
    programmes = []
    for row in figures.pop("programmes"):
        programme = row["programme"]
        programmes.append(
            {
                **{k: v for k, v in row.items() if k not in ("programme", "by_status")},
                "kind": programme.kind,
                "name": programme.name,
                "short_name": programme.short_name,
                "by_status": {
                    status: {k: v for k, v in values.items() if k != "household_status"}
                    for status, values in row["by_status"].items()
                },
            }
        )
    by_code = {row["code"]: row for row in programmes}
    figures.pop("unit", None)
    figures.pop("period", None)
    figures["programmes"] = programmes
    figures["education_by_programme"] = [row for row in programmes if row["kind"] == "education"]
    figures["extension"] = [by_code[code] for code in EXTENSION_PROGRAMMES if code in by_code]
    figures["production"] = [
        row for row in programmes if row["kind"] == "livelihood" and row["code"] not in EXTENSION_PROGRAMMES
    ]
    figures["rice"] = [by_code[code] for code in RICE_PROGRAMMES if code in by_code]
    figures["credit_purposes"] = {code: by_code[code] for code in CREDIT_PURPOSES if code in by_code}
    return figures


def movement_figures(unit: AdministrativeUnit, period_start: datetime.date, period_end: datetime.date) -> dict:
    """Poor and near-poor households at the start and end of the period, the movements between and the rates
    (households.transitions), for the unit as a whole."""
    table = transition_table(
        UnitReader(unit), period=ReportPeriod(period_start, period_end), level=unit.level, scope=unit
    )
    return transition_row(table.total)


def transition_row(row) -> dict:
    return {
        "counts": dict(row.counts),
        "rates": dict(row.rates),
        "start_total": {"households": row.start_total.households, "source": row.start_total.source},
        "end_total": {"households": row.end_total.households, "source": row.end_total.source},
    }


def target_figures(unit: AdministrativeUnit, year: int) -> dict:
    """The year's poverty-reduction target of the unit (its own, else the sum of its units'), the escape
    registrations and how many of them escaped so far (households.targets)."""
    progress = target_progress(UnitReader(unit), scope=unit, year=year)
    own = progress.total.target
    if own is None and unit.level == UnitLevel.COMMUNE:
        own = next((row.target for row in progress.rows if row.unit.pk == unit.pk), None)
    target = None
    if own is not None:
        target = {
            "households_to_escape": own.households_to_escape,
            "rate_reduction": own.rate_reduction,
            "legal_basis": own.legal_basis,
            "revisions": own.revisions,
            "assigned_by_level_above": True,
        }
    return {
        "year": year,
        "own": target,
        "units_with_target": progress.targets_set if unit.level != UnitLevel.COMMUNE else int(own is not None),
        "units": len(progress.rows),
        "units_households_to_escape": progress.children_target_households,
        "registered": progress.total.registered,
        "achieved": progress.total.achieved,
        "escaped_in_year": progress.total.escaped,
        "rate_reduction_in_year": progress.total.rate_reduction,
        "registered_units": sum(1 for row in progress.rows if row.registered),
    }


def child_level(unit: AdministrativeUnit) -> str:
    """The rows of the appendix tables: a district's communes, a commune's villages, a province's districts (or
    its communes once it has none)."""
    if unit.level == UnitLevel.COMMUNE:
        return UnitLevel.VILLAGE
    return target_level(unit)


def child_rows(unit: AdministrativeUnit, period_start: datetime.date, period_end: datetime.date) -> list[dict]:
    """One row per unit below (appendix tables): support per kind, credit shares, health-insurance cards and
    movements — each the same figure that unit's own report would give."""
    level = child_level(unit)
    table = transition_table(UnitReader(unit), period=ReportPeriod(period_start, period_end), level=level, scope=unit)
    rows = []
    for movement in table.rows:
        child = movement.unit
        support = unit_figures(unit=child, period=Period(period_start, period_end))
        by_code = {row["code"]: row for row in support["programmes"]}
        rows.append(
            {
                "id": child.pk,
                "code": child.code,
                "name": child.name,
                "area_type": child.area_type,
                "households_by_status": support["households_by_status"],
                "overall": support["overall"],
                "credit": support["credit"],
                "health_insurance": support["health_insurance"],
                "kinds": {
                    key: {"households": support[key]["households"], "amount": support[key]["amount"]}
                    for key in ("education", "water_sanitation", "livelihood", "electricity", "in_kind", "other")
                },
                "housing": {"households": support["housing"]["households"], "amount": support["housing"]["total"]},
                "training": {"trainees": support["training"]["trainees"], "amount": support["training"]["amount"]},
                "rice": {
                    code: {"households": by_code[code]["households"], "quantity": by_code[code]["quantity"]}
                    for code in RICE_PROGRAMMES
                    if code in by_code
                },
                "movements": transition_row(movement),
            }
        )
    return rows


def annual_review_figures(unit: AdministrativeUnit, year: int) -> dict:
    """The annual review of ``year`` in the unit's communes (QĐ 24/2021, Điều 4): how many communes opened it, how
    far each came, and the households proposed poor / near-poor / escaping in the cases surveyed."""
    from households.choices import HouseholdClass
    from reviews.choices import RoundKind, RoundState
    from reviews.models import ReviewCase, ReviewRound

    rounds = ReviewRound.objects.filter(
        commune__path__startswith=unit.path, year=year, kind=RoundKind.PERIODIC
    ).order_by("commune_id", "-revision")
    latest = {}
    for round in rounds:
        latest.setdefault(round.commune_id, round)
    states = dict.fromkeys(RoundState.values, 0)
    for round in latest.values():
        states[round.state] += 1
    poor, near = HouseholdClass.POOR, HouseholdClass.NEAR_POOR
    cases = ReviewCase.objects.filter(round__in=list(latest.values())).aggregate(
        surveyed=Count("pk", filter=~Q(proposed_class="")),
        proposed_poor=Count("pk", filter=Q(proposed_class=poor)),
        proposed_near_poor=Count("pk", filter=Q(proposed_class=near)),
        escaped_poor=Count("pk", filter=Q(previous_class=poor) & ~Q(proposed_class__in=["", poor])),
        escaped_near_poor=Count("pk", filter=Q(previous_class=near) & ~Q(proposed_class__in=["", poor, near])),
        new_poor=Count("pk", filter=Q(proposed_class=poor) & ~Q(previous_class=poor)),
        new_near_poor=Count("pk", filter=Q(proposed_class=near) & ~Q(previous_class__in=[poor, near])),
    )
    communes = AdministrativeUnit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE)
    return {
        "year": year,
        "communes": communes.valid_on(datetime.date(year, 12, 31)).count(),
        "rounds": len(latest),
        "states": states,
        "decided": states[RoundState.APPROVED] + states[RoundState.RECOGNISED],
        **cases,
    }


# --- the document --------------------------------------------------------------------------------------------

SYMBOL = "BC-UBND"
# Who the district's (or a two-tier province's commune's) report goes to: the provincial department in charge of
# poverty reduction, which moved from labour to agriculture on 1/3/2025 (NĐ 35/2025/NĐ-CP; domain.md §4).
# (valid from, valid to, department). A report's own "Kính gửi" overrides it.
PROVINCIAL_DEPARTMENTS = (
    (None, datetime.date(2025, 2, 28), "Sở Lao động – Thương binh và Xã hội"),
    (datetime.date(2025, 3, 1), None, "Sở Nông nghiệp và Môi trường"),
)
MINISTRIES = (
    (None, datetime.date(2025, 2, 28), "Bộ Lao động – Thương binh và Xã hội"),
    (datetime.date(2025, 3, 1), None, "Bộ Nông nghiệp và Môi trường"),
)


def in_force(table, day: datetime.date) -> str:
    for valid_from, valid_to, value in table:
        if (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to):
            return value
    return table[-1][2]


KIND_WORDS = ("Thành phố", "Thị xã", "Thị trấn", "Đặc khu", "Huyện", "Quận", "Tỉnh", "Xã", "Phường")


def split_name(name: str) -> tuple[str, str]:
    """ "Huyện Krông Pa" -> ("huyện", "Krông Pa")."""
    for word in KIND_WORDS:
        if name.startswith(word + " "):
            return word.lower(), name[len(word) + 1 :]
    return "", name


def unit_phrase(unit: dict) -> str:
    """ "huyện Krông Pa" inside a sentence."""
    kind, proper = split_name(unit["name"])
    return f"{kind} {proper}".strip()


def default_recipients(figures: dict, day: datetime.date) -> tuple[str, ...]:
    """Kính gửi: a district (or a commune of a two-tier province) reports to the provincial department in charge;
    a commune of a district to the district's People's Committee; a province to the ministry (domain.md §3.3, §4)."""
    unit = figures["unit"]
    if unit["level"] == UnitLevel.PROVINCE:
        return (in_force(MINISTRIES, day),)
    if unit["level"] == UnitLevel.COMMUNE and unit["parent_level"] == UnitLevel.DISTRICT:
        return (f"Ủy ban nhân dân {unit_phrase({'name': unit['parent_name']})}",)
    province = unit_phrase({"name": unit["province_name"]}) if unit["province_name"] else ""
    return (f"{in_force(PROVINCIAL_DEPARTMENTS, day)} {province}".strip(),)


def default_distribution(figures: dict) -> tuple[str, ...]:
    """Nơi nhận as in report 209/BC-UBND: the party committee and council for information, the committee's
    leaders, the programme's steering board, the file copy."""
    level = figures["unit"]["level"]
    word = {UnitLevel.PROVINCE: "tỉnh", UnitLevel.DISTRICT: "huyện", UnitLevel.COMMUNE: "xã"}.get(level, "")
    party = {UnitLevel.PROVINCE: "Tỉnh ủy", UnitLevel.DISTRICT: "Huyện ủy", UnitLevel.COMMUNE: "Đảng ủy xã"}
    lines = [
        "Như trên",
        f"TT. {party.get(level, 'Đảng ủy')} (b/c)",
        f"TT. HĐND {word} (b/c)",
        f"Lãnh đạo UBND {word}",
        f"Ban Chỉ đạo các Chương trình MTQG {word}",
        "Lưu: VT, VHXH",
    ]
    return tuple(lines)


def period_phrase(kind: str, period_start: datetime.date, period_end: datetime.date) -> str:
    """ "6 tháng đầu năm 2026", "6 tháng cuối năm 2026", "năm 2026"."""
    if kind == ReportKind.YEAR_END:
        return f"năm {period_end.year}"
    if period_start.month >= 7:
        return f"6 tháng cuối năm {period_end.year}"
    return f"6 tháng đầu năm {period_end.year}"


def abstract_for(report) -> str:
    phrase = period_phrase(report.kind, report.period_start, report.period_end)
    return f"Kết quả thực hiện Chương trình MTQG giảm nghèo bền vững {phrase}"


def issuer_for(unit: dict) -> tuple[str, str, str]:
    """(issuer, parent issuer, place): "Ủy ban nhân dân huyện Krông Pa", "", "Krông Pa"; a commune of a district
    carries the district as its parent body, as the review documents do (reviews.documents.parent_issuer)."""
    kind, proper = split_name(unit["name"])
    issuer = f"Ủy ban nhân dân {unit_phrase(unit)}"
    parent = ""
    if unit["level"] == UnitLevel.COMMUNE and unit["parent_level"] == UnitLevel.DISTRICT:
        parent = f"Ủy ban nhân dân {unit_phrase({'name': unit['parent_name']})}"
    return issuer, parent, proper


def signer_for_report(report) -> Signer:
    """The report's own signer fields; otherwise the People's Committee's block with the chairman's title, the
    name to be filled in (NĐ 30/2020, Điều 13: TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH)."""
    if report.signer_title or report.signer_name or report.signer_authority:
        default = signature_block(collective=True, capacity=CHAIRMAN, name="")
        return Signer(
            title=report.signer_title or default.title,
            name=report.signer_name,
            authority=report.signer_authority or default.authority,
        )
    return signature_block(collective=True, capacity=CHAIRMAN, name="")


def lines_of(text: str) -> tuple[str, ...]:
    return tuple(line.strip().removeprefix("- ").strip() for line in text.splitlines() if line.strip())


def build_document(report) -> PeriodicReportDocument:
    """The document of a report from its stored figures, narrative and fields only (never the records)."""
    if report.kind == ReportKind.REVIEW_RESULTS:
        return review_results_module().review_document(report)
    figures = report.figures
    issuer, parent, place = issuer_for(figures["unit"])
    day = report.issued_on or report.period_end
    recipients = lines_of(report.recipients) or default_recipients(figures, day)
    preamble, closing = preamble_and_closing(report, recipients)
    return PeriodicReportDocument(
        letterhead=Letterhead(
            issuer=issuer,
            place=place,
            date=report.issued_on,
            number=report.number,
            symbol=SYMBOL,
            parent_issuer=parent,
        ),
        abstract=report.abstract or abstract_for(report),
        recipients=recipients,
        preamble=preamble,
        sections=document_sections(report),
        closing=closing,
        distribution=lines_of(report.distribution) or default_distribution(figures),
        signer=signer_for_report(report),
        appendices=appendices(report),
        draft=report.status == "draft",
    )


def entered_figures(figures: dict, section: str) -> tuple[EnteredFigure, ...]:
    return tuple(
        EnteredFigure(
            label=row["label"],
            value=row["display"],
            measure=row["measure"],
            source=row["source"],
            entered_by=row.get("entered_by", ""),
        )
        for row in figures.get("indicators", [])
        if row["section"] == section
    )


# --- appendix tables -----------------------------------------------------------------------------------------


def _ratio(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def appendices(report) -> tuple[Table, ...]:
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
        groups = child["credit"]["groups"]
        poor, near = groups.get("poor", {}), groups.get("near_poor", {})
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
    from .narrative import CARD_GROUP_LABELS, card_groups

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


__all__ = [
    "NARRATIVE_SECTIONS",
    "Section",
    "build_document",
    "compute_figures",
    "default_narrative",
    "entered_figures",
    "sections_for",
]
