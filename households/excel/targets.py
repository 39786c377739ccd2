"""The targets table (chỉ tiêu giảm nghèo and progress) of a district or province as a workbook: the appendix a
district attaches to its decision assigning the communes' targets, and the progress it reports during the year."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from households.targets import Progress, ProgressRow

from .transitions import BOX, CENTRE, COUNT_FORMAT, RATE_FORMAT
from .workbooks import HEADER_FILL, HEADER_FONT


def _number(value):
    return float(value) if value is not None else None


def _columns(progress: Progress, future: bool):
    """(group title, column title, value of a row, number format)."""
    year = progress.year
    last = _("Năm trước (%(year)s)") % {"year": year - 1}
    target = _("Chỉ tiêu năm %(year)s") % {"year": year}
    result = _("Kết quả thực hiện (%(period)s)") % {"period": progress.period_label}
    columns = [
        (last, _("Hộ nghèo cuối năm"), lambda r: r.last_movement.counts["poor_end"] if r.last_movement else None, 0),
        (
            last,
            _("Tỷ lệ hộ nghèo (%)"),
            lambda r: _number(r.last_movement.rates["poor_end"]) if r.last_movement else None,
            1,
        ),
        (
            last,
            _("Số hộ thoát nghèo"),
            lambda r: r.last_movement.counts["escaped_poor"] if r.last_movement else None,
            0,
        ),
        (last, _("Chỉ tiêu thoát nghèo"), lambda r: r.last_target.households_to_escape if r.last_target else None, 0),
        (
            last,
            _("Giảm tỷ lệ (điểm %)"),
            lambda r: _number(r.last_movement.rates["poor_reduction"]) if r.last_movement else None,
            1,
        ),
        (last, _("Chỉ tiêu giảm tỷ lệ"), lambda r: _number(r.last_target.rate_reduction) if r.last_target else None, 1),
        (target, _("Số hộ thoát nghèo"), lambda r: r.target.households_to_escape if r.target else None, 0),
        (
            target,
            _("Giảm tỷ lệ hộ nghèo (điểm %)"),
            lambda r: _number(r.target.rate_reduction) if r.target else None,
            1,
        ),
        (target, _("Căn cứ giao chỉ tiêu"), lambda r: r.target.legal_basis if r.target else "", None),
    ]
    if not future:
        columns += [
            (result, _("Hộ đăng ký thoát nghèo"), lambda r: r.registered, 0),
            (result, _("Đã thoát nghèo"), lambda r: r.escaped, 0),
            (result, _("Đạt so với chỉ tiêu (%)"), lambda r: r.share, 0),
            (result, _("Giảm tỷ lệ (điểm %)"), lambda r: _number(r.rate_reduction), 1),
        ]
    return columns


def target_filename(year: int) -> str:
    return f"chi-tieu-giam-ngheo-{year}-{timezone.localdate():%d-%m-%Y}.xlsx"


def target_workbook(progress: Progress, *, scope_name: str, future: bool) -> bytes:
    """Title, two header rows (groups and columns), a row per unit and the total."""
    columns = _columns(progress, future)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Chỉ tiêu giảm nghèo")
    width = 2 + len(columns)
    sheet.append([_("CHỈ TIÊU GIẢM NGHÈO NĂM %(year)s VÀ KẾT QUẢ THỰC HIỆN") % {"year": progress.year}])
    sheet.append([scope_name])
    sheet.append([_("Lập ngày %(date)s từ lịch sử phân loại của hộ") % {"date": f"{timezone.localdate():%d/%m/%Y}"}])
    for row_number in (1, 2, 3):
        sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=width)
        sheet.cell(row=row_number, column=1).alignment = Alignment(horizontal="center")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)

    groups = [_("TT"), _("Đơn vị")] + [group for group, _title, _value, _kind in columns]
    titles = ["", ""] + [title for _group, title, _value, _kind in columns]
    sheet.append(groups)
    sheet.append(titles)
    top, bottom = 4, 5
    for column in (1, 2):
        sheet.merge_cells(start_row=top, start_column=column, end_row=bottom, end_column=column)
    column = 3
    while column <= width:
        end = column
        while end < width and groups[end] == groups[column - 1]:
            end += 1
        if end > column:
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=end)
        column = end + 1
    for row in sheet.iter_rows(min_row=top, max_row=bottom, max_col=width):
        for cell in row:
            cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, CENTRE, BOX

    def write(number, name, row: ProgressRow, bold=False):
        values = [value(row) for _group, _title, value, _kind in columns]
        if bold:  # the total: the units' targets added up, as on the screen
            values[6] = progress.children_target_households if progress.targets_set else None
            values[8] = ""
        sheet.append([number, name, *values])
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            cell.border = BOX
            if bold:
                cell.font = Font(bold=True)
            if index > 2:
                kind = columns[index - 3][3]
                if kind is not None:
                    cell.number_format = RATE_FORMAT if kind else COUNT_FORMAT

    for number, row in enumerate(progress.rows, start=1):
        write(number, row.unit.name, row)
    write("", _("Tổng cộng"), progress.total, bold=True)

    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 26
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 13
    sheet.column_dimensions[get_column_letter(2 + 9)].width = 36  # the legal basis
    sheet.freeze_panes = "C6"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
