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
    hộ cận nghèo cuối năm = đầu năm − thoát cận nghèo − chuyển thành hộ nghèo + tái cận nghèo + phát sinh
                            + từ hộ nghèo chuyển sang

``figures.compute_review_figures`` returns a JSON snapshot (stored as ``PeriodicReport.figures``);
``document.review_document`` turns a report holding it into the plain document the renderers take, reading nothing
but the report's own fields, so a finalised report re-renders identically; ``document.default_narrative`` prefills
the texts staff edit (``REVIEW_NARRATIVE_SECTIONS``). Choices with alternatives: docs/adr/0028.
"""

from .document import (
    REVIEW_NARRATIVE_SECTIONS,
    appendix_tables,
    default_narrative,
    review_default_narrative,
    review_document,
)
from .figures import (
    AREA_GROUPS,
    COUNT_KEYS,
    ETHNIC_MINORITY_RULE,
    RATE_BASIS,
    balance_errors,
    compute_review_figures,
)

__all__ = [
    "AREA_GROUPS",
    "COUNT_KEYS",
    "ETHNIC_MINORITY_RULE",
    "RATE_BASIS",
    "REVIEW_NARRATIVE_SECTIONS",
    "balance_errors",
    "compute_review_figures",
    "default_narrative",
    "review_default_narrative",
    "review_document",
    "appendix_tables",
]
