"""The movement table (biến động hộ nghèo, hộ cận nghèo) as a workbook, laid out like the summary forms
(TT 17/2016, Mẫu số 3 [V]; TT 07/2021, Phụ lục VII [P]): start of period, movements, end of period."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from households.transitions import TransitionRow, TransitionTable

from .workbooks import HEADER_FILL, HEADER_FONT

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
RATE_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"


def _columns():
    """(group title, column title, value of a row, is a rate) in the order of the form."""
    return [
        (_("Tổng số hộ dân cư"), _("Đầu kỳ"), lambda r: r.start_total.households, False),
        (_("Tổng số hộ dân cư"), _("Cuối kỳ"), lambda r: r.end_total.households, False),
        (_("Hộ nghèo đầu kỳ"), _("Số hộ"), lambda r: r.counts["poor_start"], False),
        (_("Hộ nghèo đầu kỳ"), _("Tỷ lệ (%)"), lambda r: r.rates["poor_start"], True),
        (_("Diễn biến hộ nghèo trong kỳ"), _("Thoát nghèo"), lambda r: r.counts["escaped_poor"], False),
        (_("Diễn biến hộ nghèo trong kỳ"), _("Trong đó sang cận nghèo"), lambda r: r.counts["poor_to_near"], False),
        (_("Diễn biến hộ nghèo trong kỳ"), _("Tái nghèo"), lambda r: r.counts["relapsed_poor"], False),
        (_("Diễn biến hộ nghèo trong kỳ"), _("Nghèo phát sinh"), lambda r: r.counts["new_poor"], False),
        (_("Diễn biến hộ nghèo trong kỳ"), _("Trong đó từ cận nghèo"), lambda r: r.counts["near_to_poor"], False),
        (_("Hộ nghèo cuối kỳ"), _("Số hộ"), lambda r: r.counts["poor_end"], False),
        (_("Hộ nghèo cuối kỳ"), _("Tỷ lệ (%)"), lambda r: r.rates["poor_end"], True),
        (_("Hộ nghèo cuối kỳ"), _("Hộ DTTS"), lambda r: r.counts["poor_end_em"], False),
        (_("Mức giảm tỷ lệ hộ nghèo (điểm %)"), "", lambda r: r.rates["poor_reduction"], True),
        (_("Hộ cận nghèo đầu kỳ"), _("Số hộ"), lambda r: r.counts["near_start"], False),
        (_("Hộ cận nghèo đầu kỳ"), _("Tỷ lệ (%)"), lambda r: r.rates["near_start"], True),
        (_("Diễn biến hộ cận nghèo trong kỳ"), _("Thoát cận nghèo"), lambda r: r.counts["escaped_near"], False),
        (_("Diễn biến hộ cận nghèo trong kỳ"), _("Tái cận nghèo"), lambda r: r.counts["relapsed_near"], False),
        (_("Diễn biến hộ cận nghèo trong kỳ"), _("Cận nghèo phát sinh"), lambda r: r.counts["new_near"], False),
        (_("Diễn biến hộ cận nghèo trong kỳ"), _("Từ hộ nghèo chuyển sang"), lambda r: r.counts["poor_to_near"], False),
        (_("Diễn biến hộ cận nghèo trong kỳ"), _("Chuyển sang hộ nghèo"), lambda r: r.counts["near_to_poor"], False),
        (_("Hộ cận nghèo cuối kỳ"), _("Số hộ"), lambda r: r.counts["near_end"], False),
        (_("Hộ cận nghèo cuối kỳ"), _("Tỷ lệ (%)"), lambda r: r.rates["near_end"], True),
        (_("Nguồn tổng số hộ dân cư"), "", lambda r: r.end_total.note, False),
    ]


def transition_filename(period) -> str:
    """The file name of the movements of ``period`` (known before the table is computed)."""
    return f"bien-dong-ho-ngheo-{period.start:%d-%m-%Y}-{period.end:%d-%m-%Y}.xlsx"


def transition_workbook(table: TransitionTable, *, scope_name: str, level_label: str) -> bytes:
    """One sheet: title, period, two header rows (groups and columns), a row per unit and the total."""
    columns = _columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Biến động")
    width = 3 + len(columns)
    sheet.append([_("BIẾN ĐỘNG HỘ NGHÈO, HỘ CẬN NGHÈO")])
    sheet.append([f"{scope_name} · {table.period.label} · {level_label}"])
    sheet.append([_("Lập ngày %(date)s từ lịch sử phân loại của hộ") % {"date": f"{timezone.localdate():%d/%m/%Y}"}])
    for row_number in (1, 2, 3):
        sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=width)
        sheet.cell(row=row_number, column=1).alignment = Alignment(horizontal="center")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)

    groups = [_("TT"), _("Đơn vị"), _("Thuộc")] + [group for group, _title, _value, _rate in columns]
    titles = ["", "", ""] + [title for _group, title, _value, _rate in columns]
    sheet.append(groups)
    sheet.append(titles)
    header_top, header_bottom = 4, 5
    column = 1
    while column <= width:  # merge each group over its columns, or over both header rows when it has none
        group = groups[column - 1]
        end = column
        while end < width and groups[end] == group and titles[end]:
            end += 1
        if not titles[column - 1]:
            sheet.merge_cells(start_row=header_top, start_column=column, end_row=header_bottom, end_column=column)
        elif end > column:
            sheet.merge_cells(start_row=header_top, start_column=column, end_row=header_top, end_column=end)
        column = end + 1
    for row in sheet.iter_rows(min_row=header_top, max_row=header_bottom, max_col=width):
        for cell in row:
            cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, CENTRE, BOX

    def write(number, name, parent, row: TransitionRow, bold=False):
        values = [number, name, parent] + [value(row) for _group, _title, value, _rate in columns]
        values = [
            float(v) if v is not None and rate else v
            for v, rate in zip(values, [False] * 3 + [c[3] for c in columns], strict=True)
        ]
        sheet.append(values)
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            cell.border = BOX
            if bold:
                cell.font = Font(bold=True)
            if index > 3 and index < width:
                cell.number_format = RATE_FORMAT if columns[index - 4][3] else COUNT_FORMAT

    for number, row in enumerate(table.rows, start=1):
        write(number, row.unit.name, row.unit.parent.name if row.unit.parent_id else "", row)
    write("", _("Tổng cộng"), scope_name, table.total, bold=True)

    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 26
    sheet.column_dimensions["C"].width = 20
    for index in range(4, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.column_dimensions[get_column_letter(width)].width = 36
    sheet.freeze_panes = "D6"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
