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
from households.summary import figures_read_once
from households.targets import target_level, target_progress
from households.transitions import ReportPeriod, transition_table
from programs.figures import Period, grouped_figures, unit_figures

from ..documents.data import Section
from ..indicators import indicator_snapshot
from ..models import ReportKind
from ..narrative import NARRATIVE_SECTIONS, default_narrative, sections_for
from .document import (
    abstract_for,
    build_document,
    default_distribution,
    default_recipients,
    entered_figures,
    issuer_for,
    period_phrase,
    split_name,
    unit_phrase,
)

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
    from .. import review_tables  # the review-results tables of reports.review_tables

    return review_tables


def emulation_summary_module():
    from emulation import summary  # the summary report of the emulation movement (sơ kết, tổng kết)

    return summary


# --- figures (the snapshot) ----------------------------------------------------------------------------------


def compute_figures(*, unit: AdministrativeUnit, kind: str, period_start: datetime.date, period_end: datetime.date):
    """Every figure of the report of ``unit`` for the period, as JSON-serialisable data (Decimals as strings)."""
    if kind == ReportKind.REVIEW_RESULTS:
        return review_results_module().compute_review_figures(
            unit=unit, period_start=period_start, period_end=period_end
        )
    if kind == ReportKind.EMULATION_SUMMARY:
        return emulation_summary_module().compute_summary_figures(
            unit=unit, period_start=period_start, period_end=period_end
        )
    support = support_figures(unit, period_start, period_end)
    # the movement section and the appendix rows read the communes' summary rows once, as one snapshot
    with figures_read_once():
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
    (households.transitions), for the unit as a whole: from the communes' summary rows when they hold the period
    (every stale commune counted live first, so the snapshot is exact), else counted live."""
    table = transition_table(
        UnitReader(unit), period=ReportPeriod(period_start, period_end), level=unit.level, scope=unit, exact=True
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
    progress = target_progress(UnitReader(unit), scope=unit, year=year, exact=True)
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
    movements = ReportPeriod(period_start, period_end)
    table = transition_table(UnitReader(unit), period=movements, level=level, scope=unit, exact=True)
    period = Period(period_start, period_end)
    # one grouped pass per figure family for every row, not the whole figures once per unit below
    supports = grouped_figures(unit=unit, children=[movement.unit for movement in table.rows], period=period)
    rows = []
    for movement in table.rows:
        child = movement.unit
        support = supports[child.pk]
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


__all__ = [
    "NARRATIVE_SECTIONS",
    "abstract_for",
    "default_distribution",
    "default_recipients",
    "issuer_for",
    "period_phrase",
    "split_name",
    "unit_phrase",
    "Section",
    "build_document",
    "compute_figures",
    "default_narrative",
    "entered_figures",
    "sections_for",
]
