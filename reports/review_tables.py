"""Review-results tables (biểu tổng hợp kết quả rà soát hộ nghèo, hộ cận nghèo) and the short báo cáo they go with.

Layout: TT 17/2016/TT-BLĐTBXH, Mẫu số 3 ("Tổng hợp kết quả điều tra, rà soát hộ nghèo, hộ cận nghèo năm … cấp
xã/huyện/tỉnh"); the 2022–2025 forms of TT 07/2021 follow the same logic [P] (domain.md §3.1). For the poor and
for the near-poor, one row per commune of a district or province report (per village of a commune report),
grouped "I. Khu vực thành thị" / "II. Khu vực nông thôn" by the row unit's area type, with subtotals and a total:

    tổng số hộ dân cư | đầu năm: số hộ, tỷ lệ, hộ DTTS, tỷ lệ | diễn biến trong năm (thoát, tái, phát sinh)
                      | cuối năm: số hộ, tỷ lệ, hộ DTTS, tỷ lệ

Movements come from ``households.transitions`` (the class on the day before the period and on its last day,
domain.md §2.8) and balance in every row:

    hộ nghèo cuối năm     = đầu năm − thoát nghèo + tái nghèo + phát sinh (phát sinh includes near-poor → poor)
    hộ cận nghèo cuối năm = đầu năm − thoát cận nghèo − chuyển sang hộ nghèo + tái cận nghèo + phát sinh
                            + từ hộ nghèo chuyển sang

``compute_review_figures`` returns a JSON snapshot (stored as ``PeriodicReport.figures``);
``review_document`` turns a report holding it into the plain document the renderers take, reading nothing but
the report's own fields, so a finalised report re-renders identically.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from areas.choices import AreaType, UnitLevel
from areas.models import AdministrativeUnit
from households.models import Household
from households.transitions import Populations, ReportPeriod, percent, transition_counts
from reviews.choices import LegalTopic
from reviews.models import LegalDocument

from .documents.data import Column, Letterhead, PeriodicReportDocument, Section, Signer, Table, TableRow
from .documents.formatting import BLANK_NUMBER, in_sentence, short_date
from .documents.formatting import number as fmt_number
from .documents.signing import CHAIRMAN, signature_block

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
        "unit": {"id": unit.pk, "name": unit.name, "level": unit.level, "code": unit.code},
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


# --- the document --------------------------------------------------------------------------------------------------

# Keys of PeriodicReport.narrative staff edit for this kind, with their headings; prefilled by
# review_default_narrative. "review_proposals" is printed only when it holds text.
REVIEW_NARRATIVE_SECTIONS = [
    ("review_poor", "1. Hộ nghèo"),
    ("review_near_poor", "2. Hộ cận nghèo"),
    ("review_proposals", "II. ĐỀ XUẤT, KIẾN NGHỊ"),
]

_WHOLE = {UnitLevel.PROVINCE: "toàn tỉnh", UnitLevel.DISTRICT: "toàn huyện", UnitLevel.COMMUNE: "toàn xã"}
_UNIT_PREFIX = re.compile(r"^(Tỉnh|Thành phố|Huyện|Quận|Thị xã|Xã|Phường|Thị trấn|Đặc khu)\s+")


def _pct(value: str | None) -> str:
    """ "12.34" -> "12,34%" (the seed's way: no space before %)."""
    return "" if value is None else f"{fmt_number(Decimal(value), 2)}%"


def _n(value: int) -> str:
    return fmt_number(value)


def _start_word(figures: dict) -> tuple[str, str]:
    """ "đầu năm"/"cuối năm" for a calendar year, "đầu kỳ"/"cuối kỳ" otherwise (column headings)."""
    return ("đầu năm", "cuối năm") if _calendar_year(figures) else ("đầu kỳ", "cuối kỳ")


def _calendar_year(figures: dict) -> bool:
    start = datetime.date.fromisoformat(figures["period_start"])
    end = datetime.date.fromisoformat(figures["period_end"])
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year


def _moments(figures: dict) -> tuple[str, str, str]:
    """ "Đầu năm 2025", "Cuối năm 2025", "Trong năm" (or the days before and at the end of another period)."""
    if _calendar_year(figures):
        year = figures["year"]
        return f"Đầu năm {year}", f"Cuối năm {year}", "Trong năm"
    before = datetime.date.fromisoformat(figures["period_start"]) - datetime.timedelta(days=1)
    end = datetime.date.fromisoformat(figures["period_end"])
    return f"Đến ngày {short_date(before)}", f"Đến ngày {short_date(end)}", "Trong kỳ"


def _share(count: int, noun: str, rate: str | None, population: int) -> str:
    """ "1.234 hộ nghèo, chiếm 5,12% tổng số hộ dân cư (24.100 hộ)"."""
    if rate is None:
        return f"{_n(count)} {noun}"
    return f"{_n(count)} {noun}, chiếm {_pct(rate)} tổng số hộ dân cư ({_n(population)} hộ)"


def _listing(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} và {parts[-1]}"


def _minority(count: int, rate: str | None) -> str:
    """ "; trong đó hộ dân tộc thiểu số 1.100 hộ, chiếm 4,56%"."""
    return f"; trong đó hộ dân tộc thiểu số {_n(count)} hộ" + (f", chiếm {_pct(rate)}" if rate is not None else "")


def _poor_text(figures: dict) -> str:
    t, r = figures["total"], figures["total"]["rates"]
    whole = _WHOLE.get(figures["unit"]["level"], "toàn địa bàn")
    at_start, at_end, during = _moments(figures)
    start_word, end_word = _start_word(figures)
    first = f"{at_start}, {whole} có " + _share(t["poor_start"], "hộ nghèo", r["poor_start"], t["population_start"])
    if t["poor_start"]:
        first += _minority(t["poor_start_em"], r["poor_start_em"])
    escaped = f"{_n(t['escaped_poor'])} hộ thoát nghèo"
    if t["poor_to_near"]:
        escaped += f" (trong đó {_n(t['poor_to_near'])} hộ chuyển sang hộ cận nghèo)"
    new = f"{_n(t['new_poor'])} hộ nghèo phát sinh"
    if t["near_to_poor"]:
        new += f" (trong đó {_n(t['near_to_poor'])} hộ từ hộ cận nghèo)"
    relapsed = f"{_n(t['relapsed_poor'])} hộ tái nghèo"
    movements = f"{during}, có " + _listing([escaped, relapsed, new])
    last = f"{at_end}, {whole} có " + _share(t["poor_end"], "hộ nghèo", r["poor_end"], t["population_end"])
    if t["poor_end"]:
        last += _minority(t["poor_end_em"], r["poor_end_em"])
    if r["poor_start"] is not None and r["poor_end"] is not None:
        change = Decimal(r["poor_start"]) - Decimal(r["poor_end"])
        if change > 0:
            last += f". Tỷ lệ hộ nghèo giảm {_pct(str(change))} so với {start_word}"
        elif change < 0:
            last += f". Tỷ lệ hộ nghèo tăng {_pct(str(-change))} so với {start_word}"
        else:
            last += f". Tỷ lệ hộ nghèo không thay đổi so với {start_word}"
    paragraphs = [f"{first}.", f"{movements}.", f"{last}."]
    areas = [
        f"{group['heading'].split('. ', 1)[1].lower()} {_n(group['subtotal']['poor_end'])} hộ"
        + (f" ({_pct(group['subtotal']['rates']['poor_end'])})" if group["subtotal"]["rates"]["poor_end"] else "")
        for group in figures["groups"]
        if group["rows"]
    ]
    if len(areas) > 1:
        paragraphs.append(f"Số hộ nghèo {end_word} theo khu vực: {_listing(areas)}.")
    return "\n".join(paragraphs)


def _near_text(figures: dict) -> str:
    t, r = figures["total"], figures["total"]["rates"]
    whole = _WHOLE.get(figures["unit"]["level"], "toàn địa bàn")
    at_start, at_end, during = _moments(figures)
    first = f"{at_start}, {whole} có " + _share(t["near_start"], "hộ cận nghèo", r["near_start"], t["population_start"])
    if t["near_start"]:
        first += _minority(t["near_start_em"], r["near_start_em"])
    movements = f"{during}, có " + _listing(
        [
            f"{_n(t['escaped_near'])} hộ thoát cận nghèo",
            f"{_n(t['near_to_poor'])} hộ cận nghèo chuyển thành hộ nghèo",
            f"{_n(t['relapsed_near'])} hộ tái cận nghèo",
            f"{_n(t['new_near'])} hộ cận nghèo phát sinh",
            f"{_n(t['poor_to_near'])} hộ nghèo chuyển sang hộ cận nghèo",
        ]
    )
    last = f"{at_end}, {whole} có " + _share(t["near_end"], "hộ cận nghèo", r["near_end"], t["population_end"])
    if t["near_end"]:
        last += _minority(t["near_end_em"], r["near_end_em"])
    return "\n".join([f"{first}.", f"{movements}.", f"{last}."])


def review_default_narrative(*, report, previous=None) -> dict[str, str]:
    """The editable texts of a review-results report: the two result paragraphs built from ``report.figures``;
    the proposals start from the previous period's text (empty when there is none: the section is then left out)."""
    figures = report.figures or {}
    narrative = {"review_poor": "", "review_near_poor": "", "review_proposals": ""}
    if figures.get("kind") == "review_results":
        narrative["review_poor"] = _poor_text(figures)
        narrative["review_near_poor"] = _near_text(figures)
    if previous is not None:
        narrative["review_proposals"] = (previous.narrative or {}).get("review_proposals", "")
    return narrative


# The name reports.narrative.default_narrative calls for this kind of report.
default_narrative = review_default_narrative


def _place(unit_name: str) -> str:
    """ "Huyện Krông Pa" -> "Krông Pa" (địa danh of "Krông Pa, ngày … tháng … năm …")."""
    return _UNIT_PREFIX.sub("", unit_name)


def _issuer(unit_name: str) -> str:
    return f"Ủy ban nhân dân {in_sentence(unit_name)}"


def _short_issuer(unit_name: str) -> str:
    return f"UBND {in_sentence(unit_name)}"


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip().rstrip(";").strip() for line in (text or "").splitlines() if line.strip())


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def review_tables(figures: dict, *, subtitle: str) -> tuple[Table, Table]:
    """The two appendix tables (poor, near-poor) from the figures, with two-level headers and ratio columns."""
    start_word, end_word = _start_word(figures)
    year = figures["year"]
    row_label = "Thôn, buôn, tổ dân phố" if figures["row_level"] == UnitLevel.VILLAGE else "Xã, phường, thị trấn"
    head = (
        Column("stt", "TT", kind="text", total=False),
        Column("name", row_label, kind="text", total=False),
        Column("population_start", start_word.capitalize(), group="Tổng số hộ dân cư"),
        Column("population_end", end_word.capitalize(), group="Tổng số hộ dân cư"),
    )

    def block(group: str, key: str, *, minority: bool = False, rate: bool = True) -> tuple[Column, ...]:
        columns = [Column(key, "Số hộ", group=group)]
        if rate:
            columns.append(Column(f"{key}_rate", "Tỷ lệ (%)", "percent", group, ratio_of=(key, RATE_BASIS[key])))
        if minority:
            em = f"{key}_em"
            columns += [
                Column(em, "Hộ DTTS", group=group),
                Column(f"{em}_rate", "Tỷ lệ hộ DTTS (%)", "percent", group, ratio_of=(em, RATE_BASIS[em])),
            ]
        return tuple(columns)

    poor_columns = (
        *head,
        *block(f"Hộ nghèo {start_word}", "poor_start", minority=True),
        *block("Thoát nghèo", "escaped_poor"),
        Column("poor_to_near", "Trong đó: sang hộ cận nghèo", group="Thoát nghèo"),
        *block("Tái nghèo", "relapsed_poor"),
        *block("Hộ nghèo phát sinh", "new_poor"),
        Column("near_to_poor", "Trong đó: từ hộ cận nghèo", group="Hộ nghèo phát sinh"),
        *block(f"Hộ nghèo {end_word}", "poor_end", minority=True),
    )
    near_columns = (
        *head,
        *block(f"Hộ cận nghèo {start_word}", "near_start", minority=True),
        *block("Thoát cận nghèo", "escaped_near"),
        Column("near_to_poor", "Chuyển thành hộ nghèo"),
        *block("Tái cận nghèo", "relapsed_near"),
        *block("Hộ cận nghèo phát sinh", "new_near"),
        Column("poor_to_near", "Từ hộ nghèo chuyển sang"),
        *block(f"Hộ cận nghèo {end_word}", "near_end", minority=True),
    )
    missing = figures.get("missing_population") or []
    note = (
        "Tỷ lệ (%) = số hộ / tổng số hộ dân cư × 100: số hộ " + start_word + " và số hộ ra khỏi danh sách tính trên "
        "tổng số hộ dân cư " + start_word + ", các cột khác trên tổng số hộ dân cư " + end_word + "; tỷ lệ hộ DTTS "
        "tính trên tổng số hộ dân cư. " + figures.get("ethnic_minority_rule", "")
    )
    if missing:
        note += " Chưa có số liệu tổng số hộ dân cư của " + ", ".join(missing) + ": tỷ lệ của các đơn vị này để trống."
    poor = Table(
        title=f"TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM {year}",
        columns=poor_columns,
        rows=_table_rows(figures, poor_columns),
        subtitle=subtitle,
        note=note + " Số hộ nghèo " + end_word + " = " + start_word + " − thoát nghèo + tái nghèo + phát sinh.",
        sheet_name=f"Hộ nghèo {year}",
    )
    near = Table(
        title=f"TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO NĂM {year}",
        columns=near_columns,
        rows=_table_rows(figures, near_columns),
        subtitle=subtitle,
        note=note
        + " Số hộ cận nghèo "
        + end_word
        + " = "
        + start_word
        + " − thoát cận nghèo − chuyển thành hộ nghèo + tái cận nghèo + phát sinh + từ hộ nghèo chuyển sang.",
        sheet_name=f"Hộ cận nghèo {year}",
    )
    return poor, near


def _values(row: dict, columns: tuple[Column, ...], **fixed) -> dict:
    values = {}
    for column in columns:
        if column.key in fixed:
            values[column.key] = fixed[column.key]
        elif column.kind == "percent":
            rate = row["rates"].get(column.ratio_of[0]) if column.ratio_of else None
            values[column.key] = None if rate is None else Decimal(rate)
        elif column.kind == "text":
            values[column.key] = row.get(column.key, "")
        else:
            values[column.key] = row[column.key]
    return values


def _table_rows(figures: dict, columns: tuple[Column, ...]) -> tuple[TableRow, ...]:
    rows: list[TableRow] = []
    for group in figures["groups"]:
        rows.append(TableRow(values={}, heading=group["heading"]))
        for number, row in enumerate(group["rows"], start=1):
            rows.append(TableRow(values=_values(row, columns, stt=str(number), name=row["name"])))
        rows.append(TableRow(values=_values(group["subtotal"], columns, stt="", name=group["label"]), subtotal=True))
    return tuple(rows)


def review_document(report) -> PeriodicReportDocument:
    """A short báo cáo "Kết quả rà soát hộ nghèo, hộ cận nghèo năm …" (domain.md §5.6) with the two tables as
    landscape appendices, from the report's own fields only (figures snapshot, narrative, number, date, signer)."""
    figures = report.figures
    unit_name = figures["unit"]["name"]
    year = figures["year"]
    issuer = _issuer(unit_name)
    number = report.number if report.status != "draft" else ""
    issued_on = report.issued_on if report.status != "draft" else None
    reference = f"số {number or BLANK_NUMBER + '/BC-UBND'} ngày {short_date(issued_on) or BLANK_NUMBER}"
    subtitle = f"(Kèm theo Báo cáo {reference} của {_short_issuer(unit_name)})"
    narrative = {**review_default_narrative(report=report), **{k: v for k, v in (report.narrative or {}).items() if v}}
    headings = dict(REVIEW_NARRATIVE_SECTIONS)
    results = Section(
        heading="I. KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO",
        paragraphs=("Kết quả chi tiết theo từng đơn vị tại các biểu tổng hợp kèm theo báo cáo này.",),
        subsections=tuple(
            Section(heading=headings[key], paragraphs=_paragraphs(narrative[key]), key=key)
            for key in ("review_poor", "review_near_poor")
        ),
    )
    sections = [results]
    if narrative.get("review_proposals", "").strip():
        sections.append(
            Section(
                heading=headings["review_proposals"],
                paragraphs=_paragraphs(narrative["review_proposals"]),
                key="review_proposals",
            )
        )
    procedure = figures.get("procedure") or []
    basis = f"Thực hiện {procedure[0]}" if procedure else "Thực hiện quy trình rà soát hộ nghèo, hộ cận nghèo hằng năm"
    preamble = (f"{basis}; {issuer} báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} trên địa bàn như sau:",)
    signer = (
        Signer(title=report.signer_title, name=report.signer_name, authority=report.signer_authority)
        if report.signer_title
        else signature_block(collective=True, capacity=CHAIRMAN, name=report.signer_name)
    )
    recipients = _lines(report.recipients) or _default_recipients(report)
    return PeriodicReportDocument(
        letterhead=Letterhead(issuer=issuer, place=_place(unit_name), date=issued_on, number=number, symbol="BC-UBND"),
        abstract=report.abstract or f"Kết quả rà soát hộ nghèo, hộ cận nghèo năm {year}",
        recipients=recipients,
        preamble=preamble,
        sections=tuple(sections),
        closing=f"Trên đây là báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} của {issuer}./.",
        distribution=_lines(report.distribution) or ("Như trên", "Lưu: VT"),
        signer=signer,
        appendices=review_tables(figures, subtitle=subtitle),
        draft=report.status == "draft",
    )


def _default_recipients(report) -> tuple[str, ...]:
    """The unit above the reporting unit (a commune reports to its district, or to the province where there is
    none; domain.md §5.6 [P]), used only when the report names no recipient."""
    parent = report.unit.parent
    return (_issuer(parent.name),) if parent is not None else ()
