"""The appendix tables of a periodic report as an Excel workbook (openpyxl): one sheet per table.

Each sheet has the table's title and subtitle, its two-level header merged as in the PDF, numbers stored as
numbers, and the totals, subtotals and ratios as formulas over the rows above them (``=SUM(C6:C9)``,
``=IF(C6=0,"",D6/C6*100)``), so an officer who corrects a commune's figure sees the totals follow. The formulas
are the portal's own: they are written as ``core.spreadsheets.Formula`` values, the one kind of value the
workbook guard lets through as a formula; every text in a cell, whoever typed it, stays text (docs/adr/0012).

A subtotal or a ratio becomes a formula only when the figure the report prints equals what the formula gives
(a content builder may print a count that is not the sum of the rows, e.g. households counted once across
villages); otherwise the printed figure is written as it is, so the workbook never contradicts the PDF.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.spreadsheets import Formula, sheet_title

from .data import Column, PeriodicReportDocument, Table
from .report_layout import LaidOutRow, LaidOutTable, document_title, lay_out, number_value, ratio_agrees

__all__ = ["periodic_report_xlsx"]

FONT_NAME = "Times New Roman"
# 1.234.567 whatever the reader's Excel locale (the Vietnamese convention, as households.excel's VND_FORMAT):
# literal dots between groups of digits. A format has at most two conditions, so values of a billion or more
# (money in đồng) take a second format whose smallest group is the thousands.
INTEGER_FORMAT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
LARGE_INTEGER_FORMAT = '[>=1000000000]#"."###"."###"."###;[>=1000000]#"."###"."###;#"."###'
# One decimal. Excel has no literal for the decimal mark: it shows the reader's own (11,5 in a Vietnamese Excel).
PERCENT_FORMAT = "0.0"
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 4

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


def integer_format(value) -> str:
    number = number_value(value)
    return LARGE_INTEGER_FORMAT if number is not None and abs(number) >= 1_000_000_000 else INTEGER_FORMAT


def _ranges(letter: str, rows: list[int]) -> str:
    """Contiguous runs of rows as ranges: [6, 7, 8, 11] -> "C6:C8,C11"."""
    parts, start = [], None
    for i, row in enumerate(rows):
        if start is None:
            start = row
        if i + 1 == len(rows) or rows[i + 1] != row + 1:
            parts.append(f"{letter}{start}:{letter}{row}" if row != start else f"{letter}{row}")
            start = None
    return ",".join(parts)


def _is_row_number(column: Column, index: int) -> bool:
    return index == 0 and column.kind == "text" and column.label.strip().upper() in ("TT", "STT")


class _Sheet:
    def __init__(self, sheet, laid: LaidOutTable):
        self.sheet, self.laid = sheet, laid
        self.columns = laid.columns
        self.letters = {c.key: get_column_letter(i) for i, c in enumerate(self.columns, start=1)}
        self.first_row = HEADER_ROW + laid.header_levels
        # Excel row of each laid-out row.
        self.excel_rows = [self.first_row + i for i in range(len(laid.rows))]

    def cell(self, row: int, col: int, value, *, bold=False, italic=False, alignment=CENTRE, size=12, fmt=None):
        cell = self.sheet.cell(row=row, column=col, value=value)
        cell.font = Font(name=FONT_NAME, size=size, bold=bold, italic=italic)
        cell.alignment = alignment
        if fmt:
            cell.number_format = fmt
        return cell

    def write(self) -> None:
        table, width = self.laid.table, len(self.columns)
        self.cell(TITLE_ROW, 1, table.title.upper(), bold=True, size=13)
        self.sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=width)
        if table.subtitle:
            self.cell(SUBTITLE_ROW, 1, table.subtitle, italic=True)
            self.sheet.merge_cells(start_row=SUBTITLE_ROW, start_column=1, end_row=SUBTITLE_ROW, end_column=width)
        self.header()
        for laid_row, excel_row in zip(self.laid.rows, self.excel_rows, strict=True):
            self.row(laid_row, excel_row)
        last = self.excel_rows[-1] if self.excel_rows else self.first_row - 1
        for row in self.sheet.iter_rows(min_row=HEADER_ROW, max_row=last, max_col=width):
            for cell in row:
                cell.border = BORDER
        if table.note:
            self.cell(last + 2, 1, table.note, italic=True, alignment=Alignment(horizontal="left"))
        self.page_setup(last)

    def header(self) -> None:
        for cell in self.laid.header:
            row, col = HEADER_ROW + cell.row, cell.col + 1
            self.cell(row, col, cell.text, bold=True, size=11)
            if cell.rowspan > 1 or cell.colspan > 1:
                self.sheet.merge_cells(
                    start_row=row, start_column=col, end_row=row + cell.rowspan - 1, end_column=col + cell.colspan - 1
                )
        for level in range(self.laid.header_levels):
            self.sheet.row_dimensions[HEADER_ROW + level].height = 45 if self.laid.header_levels == 1 else 32

    def covered(self, row: LaidOutRow) -> list[int]:
        return [self.excel_rows[i] for i in row.covers]

    def row(self, row: LaidOutRow, r: int) -> None:
        width = len(self.columns)
        if row.kind == "heading":
            self.cell(r, 1, row.heading, bold=True, alignment=LEFT)
            self.sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            return
        bold = row.kind in ("subtotal", "total")
        for index, column in enumerate(self.columns, start=1):
            value = row.values.get(column.key)
            if row.kind == "total" and self.laid.label_span and index <= self.laid.label_span:
                if index == 1:
                    self.cell(r, 1, value, bold=True)
                    if self.laid.label_span > 1:
                        self.sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=self.laid.label_span)
                continue
            if column.kind == "text":
                alignment = CENTRE if _is_row_number(column, index - 1) else LEFT
                self.cell(r, index, None if value is None else str(value), bold=bold, alignment=alignment)
                continue
            self.number(row, r, index, column, value, bold)

    def number(self, row: LaidOutRow, r: int, index: int, column: Column, value, bold: bool) -> None:
        letter = self.letters[column.key]
        number = number_value(value)
        if column.ratio_of:
            num_key, den_key = column.ratio_of
            num, den = self.letters.get(num_key), self.letters.get(den_key)
            if num and den and ratio_agrees(value, row.values.get(num_key), row.values.get(den_key)):
                # Vietnamese Excel shows this as =IF(C6=0;"";D6/C6*100): the file always stores commas.
                formula = Formula(f'=IF({den}{r}=0,"",{num}{r}/{den}{r}*100)')
                self.cell(r, index, formula, bold=bold, alignment=RIGHT, fmt=PERCENT_FORMAT)
                return
        elif row.kind in ("subtotal", "total") and column.kind in ("count", "money") and column.total:
            covered = self.covered(row)
            parts = [number_value(self.laid.rows[i].values.get(column.key)) for i in row.covers]
            expected = sum(p for p in parts if p is not None)
            if covered and number is not None and Decimal(number) == Decimal(expected):
                formula = Formula(f"=SUM({_ranges(letter, covered)})")
                self.cell(r, index, formula, bold=bold, alignment=RIGHT, fmt=integer_format(number))
                return
        if number is None:
            # A note in a numeric cell ("-", "x") stays text; an empty one stays empty.
            self.cell(r, index, None if value is None else str(value), bold=bold, alignment=RIGHT)
            return
        fmt = PERCENT_FORMAT if column.kind == "percent" else integer_format(number)
        self.cell(r, index, number, bold=bold, alignment=RIGHT, fmt=fmt)

    def page_setup(self, last: int) -> None:
        sheet = self.sheet
        for index, column in enumerate(self.columns, start=1):
            letter = get_column_letter(index)
            if _is_row_number(column, index - 1):
                sheet.column_dimensions[letter].width = 6
            elif column.kind == "text":
                sheet.column_dimensions[letter].width = 34
            else:
                sheet.column_dimensions[letter].width = 17 if column.kind == "money" else 12
        sheet.freeze_panes = f"{get_column_letter(max(self.laid.label_span, 1) + 1)}{self.first_row}"
        # NĐ 30/2020, Phụ lục I, I.2: a wide table is printed landscape; the header repeats on every page.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = f"{HEADER_ROW}:{self.first_row - 1}"


def _unique_title(table: Table, taken: set[str], index: int) -> str:
    base = sheet_title(table.sheet_name or table.title, fallback=f"Biểu {index}")
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = sheet_title(base[: 31 - len(suffix)] + suffix), n + 1
    taken.add(title.lower())
    return title


def periodic_report_xlsx(doc: PeriodicReportDocument) -> bytes:
    """One sheet per appendix table of the report, totals and ratios as formulas; a report without appendix
    tables gives one sheet that says so."""
    workbook = Workbook()
    workbook.properties.title = document_title(doc)
    workbook.properties.creator = doc.letterhead.issuer
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for index, table in enumerate(doc.appendices, start=1):
        sheet = workbook.create_sheet(_unique_title(table, taken, index))
        _Sheet(sheet, lay_out(table)).write()
    if not doc.appendices:
        sheet = workbook.create_sheet("Báo cáo")
        sheet["A1"] = "Báo cáo không có biểu kèm theo."
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
