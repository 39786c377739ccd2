"""The review-results report as a plain document (reports.documents.data): a short báo cáo "Kết quả rà soát hộ
nghèo, hộ cận nghèo năm …" (domain.md §5.6) whose paragraphs are built from the figures, and the two tables as
landscape appendices with two-level headers and ratio columns. Reads nothing but the report's own fields."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from areas.choices import UnitLevel

from ..documents.data import Column, Letterhead, PeriodicReportDocument, Section, Signer, Table, TableRow
from ..documents.formatting import BLANK_NUMBER, in_sentence, short_date
from ..documents.formatting import number as fmt_number
from ..documents.signing import CHAIRMAN, signature_block
from .figures import RATE_BASIS

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


def appendix_tables(figures: dict, *, subtitle: str) -> tuple[Table, Table]:
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
    recipients = _lines(report.recipients) or _default_recipients(figures)
    return PeriodicReportDocument(
        letterhead=Letterhead(issuer=issuer, place=_place(unit_name), date=issued_on, number=number, symbol="BC-UBND"),
        abstract=report.abstract or f"Kết quả rà soát hộ nghèo, hộ cận nghèo năm {year}",
        recipients=recipients,
        preamble=preamble,
        sections=tuple(sections),
        closing=f"Trên đây là báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} của {issuer}./.",
        distribution=_lines(report.distribution) or ("Như trên", "Lưu: VT"),
        signer=signer,
        appendices=appendix_tables(figures, subtitle=subtitle),
        draft=report.status == "draft",
    )


def _default_recipients(figures: dict) -> tuple[str, ...]:
    """The unit above the reporting unit when the figures were computed (a commune reports to its district, or to
    the province where there is none; domain.md §5.6 [P]), used only when the report names no recipient."""
    parent = figures["unit"].get("parent_name", "")
    return (_issuer(parent),) if parent else ()
