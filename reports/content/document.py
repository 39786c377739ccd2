"""The document of a 6-month or year-end report (NĐ 30/2020 layout) from its stored figures, narrative and fields
only: letterhead, abstract, "Kính gửi", preamble, sections, closing, "Nơi nhận", signature block, appendices."""

from __future__ import annotations

import datetime

from areas.choices import UnitLevel

from ..documents.data import EnteredFigure, Letterhead, PeriodicReportDocument, Signer
from ..documents.signing import CHAIRMAN, signature_block
from ..models import ReportKind
from ..narrative import document_sections, preamble_and_closing

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
        from . import review_results_module

        return review_results_module().review_document(report)
    if report.kind == ReportKind.EMULATION_SUMMARY:
        from . import emulation_summary_module

        return emulation_summary_module().summary_document(report)
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


def appendices(report):
    from .appendices import appendix_tables

    return appendix_tables(report)
