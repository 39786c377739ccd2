"""The text of the 6-month and year-end reports: paragraphs pre-filled from the figures in the register of report
209/BC-UBND ("Qua 6 tháng triển khai, với 8 chương trình tín dụng đã cung cấp nguồn vốn vay … cho 1.779 hộ …"),
which staff edit before finalising (``PeriodicReport.narrative``: one text per section key, one paragraph per
line). A sentence whose figure is zero or missing is left out rather than written as "0 hộ". Assessment, tasks
and proposals start from the previous period's report when there is one.
"""

from __future__ import annotations

import copy

from ..documents.data import Section
from ..models import ReportKind
from .policies import card_groups, credit_clauses, quarters_phrase
from .sections import BUILDERS
from .wording import CARD_GROUP_LABELS, Context, join_and, money, n, pct, share

__all__ = [
    "CARD_GROUP_LABELS",
    "NARRATIVE_SECTIONS",
    "card_groups",
    "credit_clauses",
    "default_narrative",
    "document_sections",
    "generated_text",
    "money",
    "n",
    "pct",
    "preamble_and_closing",
    "quarters_phrase",
    "refresh_narrative",
    "section_text",
    "sections_for",
    "share",
]

# (key, heading) of every text staff edit, in the order of the report.
NARRATIVE_SECTIONS = [
    ("preamble", "Mở đầu"),
    ("direction", "1. Công tác chỉ đạo điều hành"),
    ("communication", "2. Công tác tuyên truyền"),
    ("credit", "3.1. Các chương trình tín dụng"),
    ("health", "3.2. Hỗ trợ về y tế, khám chữa bệnh"),
    ("education", "3.3. Hỗ trợ về giáo dục đào tạo"),
    ("housing", "3.4. Hỗ trợ nhà ở"),
    ("water_sanitation", "3.5. Hỗ trợ nước sinh hoạt, vệ sinh môi trường"),
    ("production", "3.6. Hỗ trợ phát triển sản xuất"),
    ("training", "3.7. Chính sách đào tạo nghề, giải quyết việc làm"),
    ("extension", "3.8. Chương trình khuyến nông, định canh định cư"),
    ("other", "3.9. Một số chính sách trợ giúp khác"),
    ("target_results", "4. Kết quả thực hiện chỉ tiêu giảm nghèo năm"),
    ("review", "5. Kết quả rà soát hộ nghèo, hộ cận nghèo định kỳ"),
    ("achievements", "II.1. Mặt đạt được"),
    ("difficulties", "II.2. Khó khăn, hạn chế và nguyên nhân"),
    ("tasks", "III. Nhiệm vụ và giải pháp"),
    ("proposals", "IV. Đề xuất, kiến nghị"),
]
YEAR_END_ONLY = ("target_results", "review")
CARRIED = ("achievements", "difficulties", "tasks", "proposals")  # start from the previous period's text
POLICY_KEYS = [key for key, heading in NARRATIVE_SECTIONS if heading.startswith("3.")]


def sections_for(kind: str) -> list[tuple[str, str]]:
    """The editable sections of a report of ``kind`` (the year-end report adds target results and the review)."""
    return [(k, h) for k, h in NARRATIVE_SECTIONS if kind == ReportKind.YEAR_END or k not in YEAR_END_ONLY]


def generated_text(report, key: str) -> str:
    """The text built from the report's figures for one section (one paragraph per line). A support policy with
    nothing recorded says so in one sentence instead of listing zeros."""
    context = Context(report)
    text = "\n".join(p for p in BUILDERS[key](context) if p)
    if not text and key in POLICY_KEYS:
        text = f"{context.during}, chưa ghi nhận kết quả hỗ trợ về nội dung này trên cổng thông tin."
    return text


def section_text(report, key: str) -> str:
    """What the report says in a section: the text staff saved, else the one built from the figures."""
    saved = (report.narrative or {}).get(key, "")
    return saved if saved.strip() else generated_text(report, key)


def default_narrative(*, report, previous=None) -> dict[str, str]:
    """The starting text of every section: built from the figures; assessment, tasks and proposals from the
    previous period's report of the unit when there is one. The review-results tables have their own module."""
    if report.kind == ReportKind.REVIEW_RESULTS:
        from ..content import review_results_module

        module = review_results_module()
        return module.review_default_narrative(report=report, previous=previous)
    if report.kind == ReportKind.EMULATION_SUMMARY:
        from ..content import emulation_summary_module

        return emulation_summary_module().default_narrative(report=report, previous=previous)
    texts = {}
    for key, _heading in sections_for(report.kind):
        text = generated_text(report, key)
        if key in CARRIED and previous is not None and previous.kind != ReportKind.REVIEW_RESULTS:
            carried = section_text(previous, key)
            text = carried or text
        texts[key] = text
    return texts


def refresh_narrative(*, report, old_figures: dict, previous=None) -> dict[str, str]:
    """The texts after the figures were computed again: a section still holding the text built from the old figures
    (staff did not touch it) or left empty takes the text of the new figures; a section staff edited is kept."""
    old = copy.copy(report)
    old.figures = old_figures
    before = default_narrative(report=old, previous=previous)
    texts = dict(report.narrative or {})
    for key, text in default_narrative(report=report, previous=previous).items():
        current = texts.get(key, "").strip()
        if not current or current == before.get(key, "").strip():
            texts[key] = text
    return texts


# --- the document's sections ---------------------------------------------------------------------------------


def paragraphs_of(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def preamble_and_closing(report, recipients: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    from ..content import period_phrase

    c = Context(report)
    phrase = period_phrase(report.kind, report.period_start, report.period_end)
    to = join_and(list(recipients)) if recipients else "cấp trên"
    closing = (
        f"Trên đây là kết quả thực hiện Chương trình MTQG giảm nghèo bền vững {phrase}, {c.ubnd} "
        f"{c.proper} báo cáo {to} theo dõi và chỉ đạo./."
    )
    return paragraphs_of(section_text(report, "preamble")), closing


def document_sections(report) -> tuple[Section, ...]:
    """I. results (1, 2, 3.1–3.9 and, for the year-end report, 4 and 5), II. assessment, III. tasks, IV. proposals;
    each part with the typed figures of its section marked as entered."""
    from ..content import entered_figures

    figures = report.figures or {}
    headings = dict(NARRATIVE_SECTIONS)

    def part(key: str, heading: str | None = None) -> Section:
        return Section(
            heading=heading or headings[key],
            paragraphs=paragraphs_of(section_text(report, key)),
            entered=entered_figures(figures, key),
            key=key,
        )

    policies = tuple(part(key) for key in POLICY_KEYS)
    results = [
        part("direction"),
        part("communication"),
        Section(heading="3. Kết quả thực hiện một số chính sách hỗ trợ giảm nghèo", subsections=policies),
    ]
    if report.kind == ReportKind.YEAR_END:
        results.append(part("target_results", f"4. Kết quả thực hiện chỉ tiêu giảm nghèo năm {report.period_end.year}"))
        results.append(part("review", f"5. Kết quả rà soát hộ nghèo, hộ cận nghèo năm {report.period_end.year}"))
    if report.kind == ReportKind.YEAR_END or report.period_start.month >= 7:
        tasks_heading = f"III. NHIỆM VỤ VÀ GIẢI PHÁP NĂM {report.period_end.year + 1}"
    else:
        tasks_heading = f"III. NHIỆM VỤ VÀ GIẢI PHÁP 6 THÁNG CUỐI NĂM {report.period_end.year}"
    return (
        Section(heading="I. KẾT QUẢ THỰC HIỆN", subsections=tuple(results)),
        Section(
            heading="II. ĐÁNH GIÁ",
            subsections=(
                part("achievements", "1. Mặt đạt được"),
                part("difficulties", "2. Khó khăn, hạn chế và nguyên nhân"),
            ),
        ),
        part("tasks", tasks_heading),
        part("proposals", "IV. ĐỀ XUẤT, KIẾN NGHỊ"),
    )
