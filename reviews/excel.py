"""A submission's lists as a workbook for the commune and the district to sort, filter and print: a summary sheet,
one sheet per list of QĐ 24/2021 (poor, near-poor, escaped, newly poor, relapsed) and every reviewed household.
Built from the frozen snapshot, like the PDFs (STYLE.md rule 8): a re-download is identical."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from households.choices import HouseholdClass, Transition
from households.excel.workbooks import HEADER_FILL, HEADER_FONT

from .choices import LIST_KEYS, LIST_TITLES
from .snapshot import rows_of

SHEET_NAMES = {  # Excel allows 31 characters per sheet name
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "escaped_poor": "Thoát nghèo",
    "escaped_near_poor": "Thoát cận nghèo",
    "new_poor": "Phát sinh",
    "relapsed": "Tái nghèo, tái cận nghèo",
}


def _columns():
    classes, moves = dict(HouseholdClass.choices), dict(Transition.choices)
    return [
        (_("Mã hộ"), 12, lambda r: r["code"]),
        (_("Chủ hộ"), 26, lambda r: r["head_name"]),
        (_("Thôn, buôn"), 18, lambda r: r["village"]),
        (_("Số khẩu"), 9, lambda r: r["members"]),
        (_("Hộ DTTS"), 9, lambda r: _("Có") if r["ethnic_minority"] else ""),
        (_("Trước rà soát"), 18, lambda r: str(classes.get(r["previous_class"], ""))),
        (_("Sau rà soát"), 18, lambda r: str(classes.get(r["proposed_class"], ""))),
        (_("Biến động"), 22, lambda r: str(moves.get(r["transition"], ""))),
        (_("Điểm A"), 9, lambda r: r.get("score_a")),
        (_("Điểm B"), 9, lambda r: r.get("score_b")),
    ]


def _title(sheet, lines: list[str], width: int) -> None:
    for number, line in enumerate(lines, start=1):
        sheet.append([line])
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)


def _table(sheet, rows: list[dict], columns, start: int) -> None:
    sheet.append([_("STT")] + [title for title, _w, _v in columns])
    for cell in sheet[start]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, row in enumerate(rows, start=1):
        sheet.append([number] + [value(row) for _t, _w, value in columns])
    sheet.column_dimensions["A"].width = 6
    for index, (_t, width, _v) in enumerate(columns, start=2):
        sheet.column_dimensions[sheet.cell(row=start, column=index).column_letter].width = width
    sheet.freeze_panes = sheet.cell(row=start + 1, column=1)
    if rows:
        sheet.auto_filter.ref = f"A{start}:{sheet.cell(row=start + len(rows), column=len(columns) + 1).coordinate}"


def submission_filename(submission) -> str:
    return f"danh-sach-ra-soat-{submission.round.commune.code}-{submission.round.year}-lan-{submission.number}.xlsx"


def submission_workbook(submission) -> bytes:
    """Summary, one sheet per non-empty list, and all reviewed households."""
    round, snapshot = submission.round, submission.snapshot
    columns = _columns()
    heading = [
        f"{round} – " + _("lần trình %(n)s") % {"n": submission.number},
        _("Trình ngày %(date)s · %(state)s · tải về ngày %(today)s")
        % {
            "date": f"{timezone.localtime(submission.submitted_at):%d/%m/%Y}",
            "state": submission.get_state_display(),
            "today": f"{timezone.localdate():%d/%m/%Y}",
        },
    ]
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Tổng hợp")
    _title(summary, [*heading, ""], 3)
    summary.append([_("Danh sách"), _("Số hộ"), _("Tỷ lệ (%)")])
    for cell in summary[4]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    total = snapshot.get("total_households") or 0
    for key in LIST_KEYS:
        count = len(snapshot["lists"].get(key, []))
        rate = round_rate(count, total) if key in ("poor", "near_poor") else None
        summary.append([str(LIST_TITLES[key]), count, rate])
        summary.cell(row=summary.max_row, column=3).number_format = "0.00"
    summary.append([_("Tổng số hộ đang theo dõi của xã"), total, None])
    summary.column_dimensions["A"].width = 46
    summary.column_dimensions["B"].width = 10
    summary.column_dimensions["C"].width = 10
    for key in LIST_KEYS:
        rows = rows_of(snapshot, key)
        if not rows:
            continue
        sheet = workbook.create_sheet(SHEET_NAMES[key])
        _title(sheet, [f"{LIST_TITLES[key]} ({len(rows)})", *heading], len(columns) + 1)
        _table(sheet, rows, columns, start=4)
    everyone = workbook.create_sheet(_("Tất cả hộ rà soát"))
    _title(everyone, [_("Tất cả hộ được rà soát (%(n)s)") % {"n": len(snapshot["rows"])}, *heading], len(columns) + 1)
    _table(everyone, snapshot["rows"], columns, start=4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def round_rate(count: int, total: int) -> float | None:
    return round(count * 100 / total, 2) if total else None
