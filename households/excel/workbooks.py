"""Writing the export and the template, reading an uploaded workbook into rows."""

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedElementTree
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

from core.exports import no_progress, tracked
from core.gcpause import cyclic_gc_paused
from core.jobs import ProgressFn
from households.choices import EducationLevel, Employment, Latrine, Relationship, Sex, WaterSource
from households.forms import HouseholdForm
from households.models import Household, Member

from .columns import (
    AREA_CHOICES,
    COLUMNS,
    NO,
    YES,
    Column,
    accepted_values,
    cell_value,
    fold,
    format_vnd,
    is_empty,
    number_format,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A commune's whole register in one file: the portal's own export of 20.000 households (86.000 members) is 11 MB.
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # zip bomb guard: 16 MB of xlsx unpacks to far less than this
MAX_ROWS = 100_000  # rows under the header, empty ones included
HEADER_ROWS = 10  # the header row is looked for in the first ten rows
MAX_COLUMNS = 100  # the template has fewer than 40
# What reading a damaged or hostile sheet raises: XML syntax and entity declarations (defusedxml), a member cut
# short or failing its checksum (zipfile, zlib), and openpyxl's own complaints about cell values.
UNREADABLE = (
    ParseError,
    DefusedXmlException,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
)
EXAMPLE_CODE = "VIDU-001"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


# --- export ----------------------------------------------------------------------------------------------------


def export_queryset(households):
    """The households of a scoped, filtered list with their current members, read in chunks."""
    members = Member.objects.current().select_related("ethnic_group")
    return (
        households.select_related("village")
        .prefetch_related(Prefetch("members", queryset=members, to_attr="current_members"))
        .iterator(chunk_size=1000)
    )


def export_filename(today: date | None = None) -> str:
    return f"ho-gia-dinh-{(today or timezone.localdate()).strftime('%d-%m-%Y')}.xlsx"


def _header_cell(sheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=column.title)
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    return cell


def export_sheet():
    """A write-only workbook with the export's sheet: widths, frozen header row, the header; and each column's
    number format (the same layout for every writer that fills it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Hộ gia đình"))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append([_header_cell(sheet, column) for column in COLUMNS])
    return workbook, sheet, [number_format(column) for column in COLUMNS]


def export_workbook(
    households: Iterable[Household], *, target=None, progress: ProgressFn = no_progress, total: int | None = None
) -> bytes | None:
    """One row per current member (household columns repeated) in the template's layout, streamed row by row.

    With a ``target`` (a path or a file) the workbook is written there and nothing is returned; the write-only
    sheet keeps memory flat whatever the number of rows. ``progress`` hears every 1.000 households.
    """
    workbook, sheet, formats = export_sheet()
    for household in tracked(households, progress, total=total):
        members = sorted(
            household.current_members, key=lambda m: (m.relationship != Relationship.HEAD, m.date_of_birth, m.pk)
        )
        for member in members or [None]:  # a household without members still gets its row
            row = []
            for column, fmt in zip(COLUMNS, formats, strict=True):
                source = household if column.level == "household" else member
                value = None if source is None else cell_value(column, getattr(source, column.key))
                if fmt and value is not None:
                    value = WriteOnlyCell(sheet, value=value)
                    value.number_format = fmt
                row.append(value)
            sheet.append(row)
    return _save(workbook, target)


def _save(workbook: Workbook, target) -> bytes | None:
    if target is not None:
        workbook.save(target)
        return None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- template --------------------------------------------------------------------------------------------------


def template_workbook(user) -> bytes:
    """The blank import template: header, one example household of three members, a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Hộ gia đình")
    sheet.append([column.title for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    for row in _example_rows(user):
        sheet.append([row.get(column.key) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        fmt = number_format(column)
        if fmt:  # text cells keep the leading zero of IDs and phones typed by the officer
            for row_number in range(2, 502):
                sheet.cell(row=row_number, column=index).number_format = fmt
    _add_lists(workbook, sheet)
    _add_instructions(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example_rows(user) -> list[dict]:
    village = HouseholdForm(user=user).fields["village"].queryset.first()
    household = {
        "code": EXAMPLE_CODE, "village": village.name if village else "Buôn Chư Tê", "phone": "0912345678",
        "area_type": AREA_CHOICES[0][1], "agricultural": YES, "income_per_capita": 1_200_000, "floor_area_m2": 30,
        "non_durable_main_parts": 2, "water_source": WaterSource.DRILLED_WELL.label,
        "latrine": Latrine.SIMPLE_PIT.label,
    }
    people = [
        {"full_name": "Ksor Y Bhin", "relationship": Relationship.HEAD.label, "sex": Sex.MALE.label,
         "date_of_birth": date(1985, 3, 5), "ethnic_group": "Gia-rai", "personal_id": "064085012345",
         "personal_id_issued_on": date(2021, 4, 12), "health_insurance_number": "HN2640012345678",
         "health_insurance_valid_from": date(2026, 1, 1),
         "health_insurance_valid_to": date(2026, 12, 31), "in_school": NO,
         "education_level": EducationLevel.PRIMARY.label, "employment": Employment.SELF_EMPLOYED.label,
         "disability": NO},
        {"full_name": "Rơ Mah H'Nga", "relationship": Relationship.SPOUSE.label, "sex": Sex.FEMALE.label,
         "date_of_birth": date(1988, 7, 20), "ethnic_group": "Gia-rai", "personal_id": "064188012346",
         "in_school": NO, "education_level": EducationLevel.LOWER_SECONDARY.label,
         "employment": Employment.SELF_EMPLOYED.label, "disability": NO},
        {"full_name": "Rơ Mah Y Thuận", "relationship": Relationship.CHILD.label, "sex": Sex.MALE.label,
         "date_of_birth": date(2015, 9, 1), "ethnic_group": "Gia-rai", "personal_id": "064215012347",
         "in_school": YES, "education_level": EducationLevel.NONE.label, "employment": Employment.STUDYING.label,
         "disability": NO},
    ]
    return [{k: str(v) if isinstance(v, Promise) else v for k, v in {**household, **p}.items()} for p in people]


def _add_lists(workbook: Workbook, sheet) -> None:
    """Drop-down lists on the choice columns (a hidden sheet holds them: some labels contain commas)."""
    lists = workbook.create_sheet(_("Danh mục"))
    lists.sheet_state = "hidden"
    list_columns = [c for c in COLUMNS if c.kind in ("choice", "bool", "tristate")]
    for index, column in enumerate(list_columns, start=1):
        letter = get_column_letter(index)
        labels = [str(label) for _v, label in column.choices] if column.kind == "choice" else [str(YES), str(NO)]
        lists.cell(row=1, column=index, value=column.title)
        for row, label in enumerate(labels, start=2):
            lists.cell(row=row, column=index, value=label)
        validation = DataValidation(
            type="list", formula1=f"'{lists.title}'!${letter}$2:${letter}${len(labels) + 1}", allow_blank=True,
            errorStyle="warning", showErrorMessage=True,
            error=_("Giá trị không có trong danh sách. Xem trang Hướng dẫn."),
        )
        target = get_column_letter(COLUMNS.index(column) + 1)
        validation.add(f"{target}2:{target}5000")
        sheet.add_data_validation(validation)


def _add_instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(_("Hướng dẫn"))
    sheet.append([_("Cột"), _("Bắt buộc"), _("Giá trị chấp nhận"), _("Ghi chú")])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for column in COLUMNS:
        required = _("Có") if column.required else _("Không")
        if column.required and column.level == "member":
            required = _("Có (trên dòng có thành viên)")
        sheet.append([column.title, required, accepted_values(column), str(column.note)])
    sheet.append([])
    for line in (
        _("Mỗi dòng là một thành viên; các dòng cùng Mã hộ thuộc cùng một hộ. Thông tin hộ lấy theo dòng đầu tiên "
          "của hộ; các dòng sau có thể để trống các cột của hộ, nếu ghi thì phải giống dòng đầu."),
        _("Hộ đã có trong xã (cùng Mã hộ) được cập nhật: thành viên được nhận ra theo số định danh, hoặc theo họ tên "
          "và ngày sinh. Thành viên không có trong tệp không bị xoá khỏi hộ."),
        _("Hệ thống kiểm tra toàn bộ tệp trước (không ghi gì) và liệt kê mọi lỗi theo số dòng; chỉ khi không còn lỗi "
          "mới có nút Xác nhận nhập, và khi đó mọi hộ được ghi cùng một lúc."),
        _("Xoá các dòng ví dụ (Mã hộ %(code)s) trước khi nhập.") % {"code": EXAMPLE_CODE},
    ):
        sheet.append([line])
    for letter, width in zip("ABCD", (36, 16, 60, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP


# --- reading ---------------------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The upload is not a usable workbook (not xlsx, unknown headers, no rows): one Vietnamese message."""


@dataclass
class SheetRow:
    number: int  # as Excel shows it
    raw: dict[str, object]  # column key -> cell value


@dataclass
class Sheet:
    columns: list[str]  # keys of the columns present in the file
    rows: list[SheetRow]


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _not_xlsx() -> str:
    return _(
        "Tệp không phải bảng tính Excel .xlsx hợp lệ. Hãy lưu tệp dưới dạng “Excel Workbook (.xlsx)” rồi tải lên lại."
    )


def _sheet_too_big() -> str:
    return _(
        "Trang tính có hơn %(rows)s dòng hoặc hơn %(columns)s cột (tính cả dòng, cột trống đã định dạng); hãy xoá "
        "các dòng, cột thừa hoặc chia thành nhiều tệp nhỏ hơn."
    ) % {"rows": format_vnd(MAX_ROWS), "columns": MAX_COLUMNS}


def malformed_message() -> str:
    return _(
        "Không đọc được nội dung bảng tính: tệp bị hỏng, chưa tải lên hết hoặc không do Excel tạo ra. Hãy mở tệp bằng "
        "Excel, lưu lại dưới dạng “Excel Workbook (.xlsx)” rồi tải lên lại."
    )


def _dimension_size(ref: str) -> tuple[int, int] | None:
    """Rows and columns of a sheet's declared range ("A1:AH250"), or None when it cannot be read."""
    bounds = [_cell_position(part) for part in ref.upper().split(":")]
    if not bounds or None in bounds:
        return None
    (first_col, first_row), (last_col, last_row) = bounds[0], bounds[-1]
    return last_row - first_row + 1, last_col - first_col + 1


def _cell_position(cell: str) -> tuple[int, int] | None:
    try:
        column, row = coordinate_from_string(cell)
        return column_index_from_string(column), row
    except (ValueError, TypeError):
        return None


ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
SHEET_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?worksheet>\s*$")


def _check_sheet(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a sheet larger than the limits before any row is read: its declared ``dimension`` when present,
    otherwise its rows counted up to the limit, and a sheet cut short. The prologue up to the rows is parsed with
    defusedxml (no DTD, no entities); the rows themselves are only counted, on the bytes (an XML parser in Python
    took two minutes on the 86.292 rows of a 20.000-household export); the job's reader parses them."""
    with archive.open(name) as source:
        for _event, element in DefusedElementTree.iterparse(source, events=("start",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "dimension":
                size = _dimension_size(element.get("ref", ""))
                if size is not None and (size[0] > MAX_ROWS + HEADER_ROWS or size[1] > MAX_COLUMNS):
                    raise ImportFileError(_sheet_too_big())
                if size is not None:
                    return
            elif tag == "sheetData":
                break
    # Counted first by a bound: every row's start tag without a namespace prefix begins with "<row", which one C scan
    # of the bytes counts (the regular expression took ≈ 0,75 s of CPU on the 112 MiB of a 20.000-household export).
    # Only a sheet with prefixed tags or a bound above the limit is counted again exactly.
    if not _row_count_over(archive, name, exact=False):
        return
    if _row_count_over(archive, name, exact=True):
        raise ImportFileError(_sheet_too_big())


def _row_count_over(archive: zipfile.ZipFile, name: str, *, exact: bool) -> bool:
    """Whether the sheet has more rows than the limit, counted exactly (``ROW_START``) or bounded from above ("<row",
    with any prefixed ``:row`` making the bound unknown); raises ParseError for a sheet cut short."""
    rows, tail = 0, b""
    with archive.open(name) as source:
        while chunk := source.read(1 << 20):
            text = tail + chunk
            cut = max(text.rfind(b"<"), 0)  # a tag cut by the chunk's end is counted with the next chunk
            if exact:
                rows += len(ROW_START.findall(text, 0, cut))
            elif text.find(b":row", 0, cut) >= 0:
                return True
            else:
                rows += text.count(b"<row", 0, cut)
            if rows > MAX_ROWS + HEADER_ROWS:
                return True
            tail = text[cut:]
    if not SHEET_END.search(tail):
        raise ParseError("the sheet ends before </worksheet>")
    return False


def check_workbook(content: bytes) -> None:
    """The checks an upload passes before any row is read, cheap enough for the web request: size, a real xlsx
    package, its unpacked size (zip bombs), every sheet's size, XML without entity declarations."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("Tệp lớn hơn %(size)s MB; hãy chia thành nhiều tệp nhỏ hơn.") % {"size": MAX_UPLOAD_BYTES // 2**20}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
                raise ImportFileError(_not_xlsx())
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise ImportFileError(_("Tệp quá lớn sau khi giải nén; hãy chia thành nhiều tệp nhỏ hơn."))
            for name in names:
                if name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name:
                    _check_sheet(archive, name)
    except ImportFileError:
        raise
    except zipfile.BadZipFile as error:
        raise ImportFileError(_not_xlsx()) from error
    except UNREADABLE as error:
        raise ImportFileError(malformed_message()) from error


def _header_keys() -> dict[str, str]:
    """Headers in the active language and in Vietnamese (a colleague may have made the file in the other one)."""
    keys = {fold(column.header): column.key for column in COLUMNS}
    with override("vi"):
        keys.update({fold(column.header): column.key for column in COLUMNS})
    return keys


def _as_openpyxl(value):
    """A cell as openpyxl gives it: None when empty, whole numbers as int, dates as datetime."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is date:
        return datetime(value.year, value.month, value.day)
    return value


REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _declared_rows(content: bytes) -> int:
    """The last row the first worksheet declares (its ``dimension``): openpyxl yields empty rows up to it, and they
    count toward the row limit. 0 when the sheet declares none."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = DefusedElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheet = next(e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet")
        rels = DefusedElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next(e.get("Target") for e in rels if e.get("Id") == sheet.get(f"{REL_NS}id"))
        name = target.lstrip("/") if target.startswith("/") else "xl/" + target
        with archive.open(name) as source:
            for _event, element in DefusedElementTree.iterparse(source, events=("start",)):
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "dimension":
                    size = _dimension_size(element.get("ref", ""))
                    return size[0] if size else 0
                if tag == "sheetData":
                    return 0
    return 0


def _fast_rows(content: bytes):
    """The first worksheet's rows from calamine (a Rust reader, about ten times faster than openpyxl on a
    20.000-household file, docs/performance.md), as calamine gives them (``_as_openpyxl`` maps the cells that are
    read); None if it cannot read it."""
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        declared = _declared_rows(content)
    except (CalamineError, IndexError, ValueError, KeyError, StopIteration, *UNREADABLE):
        return None
    rows += [[]] * (declared - len(rows))  # the empty rows at the end that openpyxl would read
    return rows


def read_sheet(content: bytes) -> Sheet:
    """Read the first worksheet: find the header row, map headers to columns, keep the non-empty rows."""
    check_workbook(content)
    with cyclic_gc_paused():  # two million cells (core.gcpause)
        rows = _fast_rows(content)
        if rows is not None:
            return _read_rows(iter(rows), convert=_as_openpyxl)
    # A file calamine refuses is read by openpyxl, whose refusals have a message for each kind of damage.
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors…)
        raise ImportFileError(_not_xlsx()) from error
    try:
        return _read_rows(workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS))
    except ImportFileError:
        raise
    except UNREADABLE as error:  # a sheet cut short or garbled after the part the checks read
        raise ImportFileError(malformed_message()) from error
    finally:
        workbook.close()


def _read_rows(rows, convert=None) -> Sheet:
    """The sheet from its rows; ``convert`` maps a cell to the value openpyxl would give (calamine's rows), applied
    to the cells of known columns only, in the one pass that builds each row (86.292 rows of 26 cells)."""
    known = _header_keys()  # the household-code heading in either language marks the header row
    header_number = header = None
    for number, values in enumerate(rows, start=1):
        values = values[:MAX_COLUMNS]
        if convert is not None:
            values = [convert(v) for v in values]
        if any(known.get(fold(str(v).replace("*", ""))) == "code" for v in values if v is not None):
            header_number, header = number, values
            break
        if number >= 10:
            break
    if header is None:
        raise ImportFileError(
            _("Không tìm thấy dòng tiêu đề (có cột “Mã hộ”) ở trang đầu tiên của tệp. Hãy dùng tệp mẫu.")
        )
    positions, unknown = {}, []
    for index, value in enumerate(header):
        if is_empty(value):
            continue
        key = known.get(fold(str(value).replace("*", "")))
        if key is None:
            unknown.append(str(value).strip())
        elif key in positions:
            raise ImportFileError(_("Cột “%(name)s” xuất hiện hai lần.") % {"name": str(value).strip()})
        else:
            positions[key] = index
    if unknown:
        raise ImportFileError(
            _("Tệp có cột không thuộc tệp mẫu: %(names)s. Hãy dùng đúng tiêu đề của tệp mẫu.")
            % {"names": ", ".join(f"“{name}”" for name in unknown)}
        )
    missing = [c.title for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(_("Tệp thiếu cột bắt buộc: %(names)s.") % {"names": ", ".join(f"“{n}”" for n in missing)})
    data = []
    cells = list(positions.items())
    convert = convert or (lambda value: value)
    for number, values in enumerate(rows, start=header_number + 1):
        if number - header_number > MAX_ROWS:  # empty rows count too: each one costs as much to read
            raise ImportFileError(
                _("Tệp có hơn %(n)s dòng; hãy chia thành nhiều tệp nhỏ hơn.") % {"n": format_vnd(MAX_ROWS)}
            )
        size = len(values)
        raw = {key: convert(values[index]) if index < size else None for key, index in cells}
        for value in raw.values():  # is_empty, stopping at the first filled cell (usually the first)
            if value is not None and (value.__class__ is not str or value.strip()):
                data.append(SheetRow(number, raw))
                break
    if not data:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return Sheet(columns=sorted(positions, key=positions.get), rows=data)
