"""Excel for the programmes: the exportable lists (coverage, BHYT, electricity, a programme's records) and reading
the bulk-entry sheets (BHYT card numbers back from the social-insurance agency, a training course's participants).

The workbook style and the cell parsing are those of the registry (households.excel): bold shaded headers, frozen
first row, dates dd/mm/yyyy, money 1.234.567, Vietnamese error messages naming the accepted values.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from core.exports import no_progress, tracked
from core.jobs import ProgressFn
from core.spreadsheets import sheet_title
from households.excel import DATE_FORMAT, VND_FORMAT, XLSX_CONTENT_TYPE, ImportFileError
from households.excel.columns import fold, is_empty
from households.excel.workbooks import (
    HEADER_FILL,
    HEADER_FONT,
    MAX_COLUMNS,
    UNREADABLE,
    WRAP,
    check_workbook,
    malformed_message,
)

__all__ = ["XLSX_CONTENT_TYPE", "ImportFileError", "Col", "table_workbook", "read_table", "SheetRow"]

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    width: int = 14
    kind: str = "text"  # text, date, money, int, decimal
    required: bool = False

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else str(self.header)


FORMATS = {"date": DATE_FORMAT, "money": VND_FORMAT, "text": "@"}


def table_workbook(
    title: str,
    columns: Sequence[Col],
    rows: Iterable[dict],
    *,
    heading: Sequence[str] = (),
    notes: Sequence[str] = (),
    target=None,
    progress: ProgressFn = no_progress,
    total: int | None = None,
) -> bytes | None:
    """A one-sheet workbook: optional heading lines, the header row, the rows (dicts keyed by column key), notes.

    Written row by row (write-only); with a ``target`` (a path or a file) it goes there and nothing is returned.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))  # a programme's short name may hold a '/'
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for line in heading:
        cell = WriteOnlyCell(sheet, value=line)
        cell.font = HEADER_FONT
        sheet.append([cell])
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        header.append(cell)
    sheet.append(header)
    if total is None and isinstance(rows, Sequence):
        total = len(rows)
    for row in tracked(rows, progress, total=total):
        cells = []
        for column in columns:
            value = row.get(column.key)
            if value is None or value == "":
                cells.append(None)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            fmt = FORMATS.get(column.kind)
            if fmt and (column.kind != "text" or isinstance(value, str)):
                cell.number_format = fmt
            cells.append(cell)
        sheet.append(cells)
    if notes:
        sheet.append([])
        for line in notes:
            sheet.append([line])
    if target is not None:
        workbook.save(target)
        return None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class SheetRow:
    number: int
    raw: dict


def _not_xlsx() -> str:
    return _(
        "Tệp không phải bảng tính Excel .xlsx hợp lệ. Hãy lưu tệp dưới dạng “Excel Workbook (.xlsx)” rồi tải lên lại."
    )


def read_table(content: bytes, columns: Sequence[Col]) -> list[SheetRow]:
    """Find the header row (within the first 15 rows) by the required headers, read the non-empty rows below."""
    check_workbook(content)  # size, package, unpacked size, sheet dimensions, no XML entities
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl's many exception kinds
        raise ImportFileError(_not_xlsx()) from error
    try:
        return _read_table(workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS), columns)
    except ImportFileError:
        raise
    except UNREADABLE as error:  # a sheet cut short or garbled after the part the checks read
        raise ImportFileError(malformed_message()) from error
    finally:
        workbook.close()


def _read_table(rows, columns: Sequence[Col]) -> list[SheetRow]:
    """The header row (within the first 15 rows) found by the required headers, then the non-empty rows."""
    known = {fold(c.header): c.key for c in columns}
    required = [c for c in columns if c.required]
    positions: dict[str, int] = {}
    header_number = None
    for number, values in enumerate(rows, start=1):
        found = {
            known[fold(str(v).replace("*", ""))]: i
            for i, v in enumerate(values)
            if v is not None and fold(str(v).replace("*", "")) in known
        }
        if required and all(c.key in found for c in required):
            positions, header_number = found, number
            break
        if number >= 15:
            break
    if header_number is None:
        names = ", ".join(f"“{c.header}”" for c in required)
        raise ImportFileError(
            _("Không tìm thấy dòng tiêu đề có các cột %(names)s. Hãy dùng tệp xuất từ cổng.") % {"names": names}
        )
    data = []
    for number, values in enumerate(rows, start=header_number + 1):
        if number - header_number > MAX_ROWS:  # empty rows count too: each one costs as much to read
            raise ImportFileError(_("Tệp có quá nhiều dòng; hãy chia thành nhiều tệp nhỏ hơn."))
        raw = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        if all(is_empty(v) for v in raw.values()):
            continue
        data.append(SheetRow(number, raw))
    if not data:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return data


def xlsx_filename(stem: str, day: date) -> str:
    return f"{stem}-{day.strftime('%d-%m-%Y')}.xlsx"
