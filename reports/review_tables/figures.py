"""The review-results figures (biểu tổng hợp kết quả rà soát): one row per commune or village, counted from the status
history through households.transitions, with the resident households of UnitPopulation; a JSON snapshot stored as
``PeriodicReport.figures`` (reports.review_tables, docs/adr/0028)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from areas.choices import AreaType, UnitLevel
from areas.models import AdministrativeUnit
from households.models import Household
from households.transitions import Populations, ReportPeriod, percent, transition_counts
from reviews.choices import LegalTopic
from reviews.models import LegalDocument

SCHEMA = 1

# The counts of one row, as households.transitions names them.
COUNT_KEYS = (
    "households",  # households in the registry counted in the period (shown nowhere: never a denominator)
    "poor_start",
    "poor_start_em",
    "escaped_poor",
    "poor_to_near",
    "relapsed_poor",
    "new_poor",
    "near_to_poor",
    "poor_end",
    "poor_end_em",
    "near_start",
    "near_start_em",
    "escaped_near",
    "relapsed_near",
    "new_near",
    "near_end",
    "near_end_em",
)

# Which total of resident households each rate is taken on (the convention of households.transitions): what is
# on the list at the start, and what leaves it, on the households at the start; what joins and what is on the
# list at the end, on the households at the end. tỷ lệ (%) = số hộ / tổng số hộ dân cư × 100 (domain.md §3.1 [P]).
RATE_BASIS = {
    "poor_start": "population_start",
    "poor_start_em": "population_start",
    "escaped_poor": "population_start",
    "relapsed_poor": "population_end",
    "new_poor": "population_end",
    "poor_end": "population_end",
    "poor_end_em": "population_end",
    "near_start": "population_start",
    "near_start_em": "population_start",
    "escaped_near": "population_start",
    "relapsed_near": "population_end",
    "new_near": "population_end",
    "near_end": "population_end",
    "near_end_em": "population_end",
}

AREA_GROUPS = (
    (AreaType.URBAN.value, "I. Khu vực thành thị", "Cộng khu vực thành thị"),
    (AreaType.RURAL.value, "II. Khu vực nông thôn", "Cộng khu vực nông thôn"),
)

ETHNIC_MINORITY_RULE = (
    "Hộ dân tộc thiểu số: chủ hộ hoặc vợ/chồng chủ hộ là người dân tộc thiểu số (theo thành viên hiện có trong sổ)."
)


# --- figures -----------------------------------------------------------------------------------------------------


def compute_review_figures(*, unit: AdministrativeUnit, period_start: datetime.date, period_end: datetime.date) -> dict:
    """The review-results figures of ``unit`` for the period, JSON-serialisable (rates as strings "12.34").

    Rows: the communes inside a district or province, the villages of a commune (the units in force on the last
    day, and any other unit that still has households counted in the period, so the total is the whole registry of
    the unit). Every count is read from ``households.transitions`` grouped by the row unit (so a unit's first list
    imported as an opening balance is counted at the start, never as newly poor or near-poor). The total of resident
    households of each row comes from ``UnitPopulation`` only (the record in force in the year before the period
    for the start, in the period's last year for the end), never from the registry, which holds only the households
    the commune tracks and would inflate every rate: a unit without a record has an empty total and empty rates,
    and ``missing_population`` names it. Subtotals and the total are sums of the rows (a total of resident households
    over a unit without one is unknown); their rates are recomputed from the sums.

    Hộ dân tộc thiểu số (DTTS) [P]: the portal's existing rule (households.services, docs/adr/0007): the head or
    the head's spouse belongs to an ethnic minority, read from the current members (the registry keeps no history
    of members). The DTTS rates are taken on the total of resident households, like the other rates, not on the
    number of DTTS households (domain.md §3.1: "same denominator for DTTS sub-rates unless the form states
    'trong tổng số hộ DTTS'" [P]); the population records hold no count of DTTS households.
    """
    if unit.level not in (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE):
        raise ValidationError(_("Chỉ lập biểu tổng hợp kết quả rà soát cho cấp xã, huyện hoặc tỉnh."))
    if period_end < period_start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    period = ReportPeriod(period_start, period_end)
    row_level = UnitLevel.VILLAGE if unit.level == UnitLevel.COMMUNE else UnitLevel.COMMUNE
    households = Household.objects.filter(village__path__startswith=unit.path)

    counts = transition_counts(households, period, row_level)

    row_units = _row_units(unit, row_level, period_end, set(counts))
    populations = Populations(Q(unit__path__startswith=unit.path), {period.before.year, period.end.year})
    notes: list[str] = []
    grouped: dict[str, list[dict]] = {key: [] for key, _heading, _label in AREA_GROUPS}
    for row_unit in row_units:
        row_counts = {key: int(counts.get(row_unit.pk, {}).get(key, 0) or 0) for key in COUNT_KEYS}
        # No registry fallback (None): the rates use the official population or nothing.
        start = populations.for_unit(row_unit, period.before.year, None, []).households
        end = populations.for_unit(row_unit, period.end.year, None, []).households
        row = {
            "unit_id": row_unit.pk,
            "code": row_unit.code,
            "name": row_unit.name,
            "area_type": _area_of(row_unit),
            **row_counts,
            "population_start": start,
            "population_end": end,
        }
        row["rates"] = _rates(row)
        grouped[row["area_type"]].append(row)
        if start is None or end is None:
            notes.append(row_unit.name)

    groups = []
    for key, heading, label in AREA_GROUPS:
        rows = grouped[key]
        groups.append({"area_type": key, "heading": heading, "label": label, "rows": rows, "subtotal": _sum(rows)})
    total = _sum([row for group in groups for row in group["rows"]])
    return {
        "schema": SCHEMA,
        "kind": "review_results",
        "unit": {
            "id": unit.pk,
            "name": unit.name,
            "level": unit.level,
            "code": unit.code,
            # the body the report goes to when staff name none (snapshotted: units are re-parented by reforms)
            "parent_name": unit.parent.name if unit.parent_id else "",
        },
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "year": period_end.year,
        "row_level": row_level,
        "groups": groups,
        "total": total,
        "missing_population": notes,
        "ethnic_minority_rule": ETHNIC_MINORITY_RULE,
        "procedure": _procedure_citations(period_end),
    }


def _row_units(unit: AdministrativeUnit, row_level: str, day: datetime.date, counted: set[int]):
    """The units of the rows in official code order: those in force on ``day`` and those with households counted."""
    inside = AdministrativeUnit.objects.filter(path__startswith=unit.path, level=row_level)
    units = (inside.valid_on(day) | inside.filter(pk__in=counted)).distinct().select_related("parent")
    return sorted(units, key=lambda u: (u.parent.code if u.parent_id else "", u.code))


def _area_of(unit: AdministrativeUnit) -> str:
    # QĐ 24/2021 and NĐ 07/2021: thành thị = phường, thị trấn; nông thôn = xã [P, domain.md §4]. The unit's own
    # area type decides (an officer can correct it); a unit without one is counted as rural.
    return AreaType.URBAN.value if unit.area_type == AreaType.URBAN else AreaType.RURAL.value


def _rates(row: dict) -> dict[str, str | None]:
    rates = {}
    for key, basis in RATE_BASIS.items():
        value = percent(row[key], row[basis])
        rates[key] = None if value is None else str(value)
    return rates


def _sum(rows: list[dict]) -> dict:
    summed = {key: sum(row[key] for row in rows) for key in COUNT_KEYS}
    for key in ("population_start", "population_end"):
        # A total over a unit without a population record is unknown, not the sum of the others.
        known = [row[key] for row in rows]
        summed[key] = None if None in known else sum(known)
    summed["rates"] = _rates(summed)
    return summed


def _procedure_citations(day: datetime.date) -> list[str]:
    """The review procedure in force on ``day`` (QĐ 24/2021/QĐ-TTg for 2022–2025…), as its "Căn cứ" line reads."""
    return [doc.citation() for doc in LegalDocument.objects.cited_on(LegalTopic.REVIEW_PROCEDURE, day)]


def balance_errors(row: dict) -> list[str]:
    """The balance equations a row breaks (none on figures computed here): start + arrivals − departures = end."""
    errors = []
    if row["poor_start"] - row["escaped_poor"] + row["relapsed_poor"] + row["new_poor"] != row["poor_end"]:
        errors.append("poor")
    near = (
        row["near_start"]
        - row["escaped_near"]
        - row["near_to_poor"]
        + row["relapsed_near"]
        + row["new_near"]
        + row["poor_to_near"]
    )
    if near != row["near_end"]:
        errors.append("near_poor")
    return errors
