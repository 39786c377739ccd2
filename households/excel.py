"""Excel workbooks for the registry: the import template, the export and the import (dry run, then commit).

One row per member; the household columns are repeated on every row of the household (the export writes them on
every row, the import reads them from the first row of each household and refuses conflicting later rows). The
export and the template share one column layout (``COLUMNS``), so an exported file can be imported again.

The import validates with the registry's own forms (HouseholdForm, MemberForm) and service (``household_save``),
inside a transaction that is rolled back in the dry run (STYLE.md rule 9): cross-household rules such as a personal
ID used twice in the province are reported exactly as they would be on commit.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit

from .choices import EducationLevel, Employment, HouseholdState, Latrine, Relationship, Sex, WaterSource
from .forms import HouseholdForm, MemberForm
from .models import EthnicGroup, Household, Member
from .services import household_save
from .validation import normalise_name

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # a zip bomb guard: 5 MB of xlsx is far below this once unpacked
MAX_ROWS = 20_000
EXAMPLE_CODE = "VIDU-001"

DATE_FORMAT = "DD/MM/YYYY"
# 1.234.567 whatever the reader's Excel locale (Vietnamese administrative convention).
VND_FORMAT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
TEXT_FORMAT = "@"

AREA_CHOICES = [("rural", gettext_lazy("Nông thôn")), ("urban", gettext_lazy("Thành thị"))]
YES, NO = gettext_lazy("Có"), gettext_lazy("Không")


# --- the column layout ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the template: which field it fills, how its cells are read and written, what it accepts."""

    key: str  # the model field it fills
    header: str
    kind: str  # text, phone, id, int, money, decimal, date, bool, tristate, choice, village, ethnic
    level: str  # household or member
    required: bool = False
    width: int = 14
    choices: tuple = ()
    note: str = ""

    @property
    def title(self) -> str:
        """The header as written in the workbook: required columns end with an asterisk."""
        return f"{self.header}*" if self.required else str(self.header)

    def label_of(self, value) -> str:
        return str(dict(self.choices).get(value, value)) if value not in (None, "") else ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        gettext_lazy("Mã hộ"),
        "text",
        "household",
        required=True,
        width=12,
        note=gettext_lazy(
            "Mã hộ trong xã, ví dụ IRS-0001. Các dòng cùng mã hộ là các thành viên của một hộ. "
            "Nếu xã đã có hộ mang mã này thì hộ đó được cập nhật."
        ),
    ),
    Column(
        "village",
        gettext_lazy("Thôn/buôn"),
        "village",
        "household",
        required=True,
        width=20,
        note=gettext_lazy(
            "Tên hoặc mã thôn, buôn, tổ dân phố trong xã của bạn, ví dụ “Buôn Chư Tê” hoặc "
            "“24079-01”. Gõ không dấu cũng được."
        ),
    ),
    Column("address", gettext_lazy("Địa chỉ"), "text", "household", width=24),
    Column(
        "phone",
        gettext_lazy("Điện thoại"),
        "phone",
        "household",
        width=13,
        note=gettext_lazy("Số điện thoại Việt Nam, ví dụ 0912345678."),
    ),
    Column(
        "area_type",
        gettext_lazy("Khu vực"),
        "choice",
        "household",
        width=12,
        choices=tuple(AREA_CHOICES),
        note=gettext_lazy("Để trống để lấy theo thôn, buôn."),
    ),
    Column(
        "agricultural",
        gettext_lazy("Hộ làm nông lâm ngư diêm nghiệp"),
        "bool",
        "household",
        width=14,
        note=gettext_lazy("Có hoặc Không. Để trống: hộ mới là Có, hộ đã có giữ nguyên."),
    ),
    Column(
        "income_per_capita",
        gettext_lazy("Thu nhập bình quân (đồng/người/tháng)"),
        "money",
        "household",
        width=18,
        note=gettext_lazy("Số nguyên, ví dụ 1.200.000."),
    ),
    Column(
        "score_a",
        gettext_lazy("Điểm A"),
        "int",
        "household",
        width=9,
        note=gettext_lazy("Điểm A theo phiếu B1 (Thông tư 07/2021), dùng khi chưa có thu nhập."),
    ),
    Column(
        "floor_area_m2",
        gettext_lazy("Diện tích nhà ở (m²)"),
        "decimal",
        "household",
        width=12,
        note=gettext_lazy("Số, tối đa một chữ số thập phân, ví dụ 36 hoặc 36,5."),
    ),
    Column(
        "non_durable_main_parts",
        gettext_lazy("Số kết cấu chính không bền chắc"),
        "int",
        "household",
        width=14,
        note=gettext_lazy("Từ 0 đến 3, trong ba kết cấu chính: tường, cột, mái."),
    ),
    Column(
        "water_source", gettext_lazy("Nguồn nước"), "choice", "household", width=22, choices=tuple(WaterSource.choices)
    ),
    Column("latrine", gettext_lazy("Nhà tiêu"), "choice", "household", width=20, choices=tuple(Latrine.choices)),
    Column("full_name", gettext_lazy("Họ và tên"), "text", "member", required=True, width=24),
    Column(
        "relationship",
        gettext_lazy("Quan hệ với chủ hộ"),
        "choice",
        "member",
        required=True,
        width=16,
        choices=tuple(Relationship.choices),
        note=gettext_lazy("Mỗi hộ có đúng một Chủ hộ. Cũng nhận: Vợ, Chồng, Bố, Mẹ, Con dâu, Con rể, Ông, Bà…"),
    ),
    Column("sex", gettext_lazy("Giới tính"), "choice", "member", required=True, width=9, choices=tuple(Sex.choices)),
    Column(
        "date_of_birth",
        gettext_lazy("Ngày sinh"),
        "date",
        "member",
        required=True,
        width=12,
        note=gettext_lazy("Dạng dd/mm/yyyy, ví dụ 05/03/1980, hoặc ô ngày của Excel."),
    ),
    Column(
        "ethnic_group",
        gettext_lazy("Dân tộc"),
        "ethnic",
        "member",
        required=True,
        width=12,
        note=gettext_lazy(
            "Tên dân tộc theo danh mục 54 dân tộc, ví dụ Kinh, Gia-rai (Jrai), Ê-đê, Ba na. Gõ không dấu cũng được."
        ),
    ),
    Column(
        "personal_id",
        gettext_lazy("Số định danh cá nhân"),
        "id",
        "member",
        width=16,
        note=gettext_lazy("12 chữ số (số căn cước). Nên định dạng ô là Văn bản để giữ số 0 ở đầu."),
    ),
    Column("health_insurance_number", gettext_lazy("Số thẻ BHYT"), "id", "member", width=18),
    Column(
        "health_insurance_valid_from",
        gettext_lazy("BHYT từ ngày"),
        "date",
        "member",
        width=12,
        note=gettext_lazy("Dạng dd/mm/yyyy."),
    ),
    Column(
        "health_insurance_valid_to",
        gettext_lazy("BHYT đến ngày"),
        "date",
        "member",
        width=12,
        note=gettext_lazy("Dạng dd/mm/yyyy."),
    ),
    Column(
        "in_school",
        gettext_lazy("Đang đi học"),
        "tristate",
        "member",
        width=10,
        note=gettext_lazy("Có, Không, hoặc để trống nếu chưa rõ."),
    ),
    Column(
        "education_level",
        gettext_lazy("Trình độ học vấn"),
        "choice",
        "member",
        width=24,
        choices=tuple(EducationLevel.choices),
    ),
    Column("employment", gettext_lazy("Việc làm"), "choice", "member", width=26, choices=tuple(Employment.choices)),
    Column(
        "disability",
        gettext_lazy("Khuyết tật"),
        "bool",
        "member",
        width=10,
        note=gettext_lazy("Có hoặc Không. Để trống: thành viên mới là Không, thành viên đã có giữ nguyên."),
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
HOUSEHOLD_COLUMNS = tuple(c for c in COLUMNS if c.level == "household")
MEMBER_COLUMNS = tuple(c for c in COLUMNS if c.level == "member")

# Other ways officers write the same value (folded: no accents, no spaces, lower case).
ALIASES = {
    "relationship": {
        "vo": "spouse",
        "chong": "spouse",
        "bo": "parent",
        "me": "parent",
        "cha": "parent",
        "conde": "child",
        "condau": "child_in_law",
        "conre": "child_in_law",
        "chaunoi": "grandchild",
        "chaungoai": "grandchild",
        "ong": "grandparent",
        "ba": "grandparent",
        "anh": "sibling",
        "chi": "sibling",
        "em": "sibling",
        "bovo": "parent_in_law",
        "mevo": "parent_in_law",
        "bochong": "parent_in_law",
        "mechong": "parent_in_law",
    },
    "ethnic_group": {
        "jrai": "10",
        "giarai": "10",
        "ede": "12",
        "rhade": "12",
        "bahnar": "13",
        "mong": "08",
        "hmong": "08",
        "khmer": "05",
        "raglai": "21",
    },
}
TRUE_WORDS = {"co", "c", "x", "1", "true", "yes", "dung"}
FALSE_WORDS = {"khong", "k", "0", "false", "no", "sai"}


def fold(value) -> str:
    """Compare text the way officers type it: no accents, no case, no spaces or punctuation."""
    text = unicodedata.normalize("NFD", str(value)).replace("đ", "d").replace("Đ", "D")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def format_vnd(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _ddmmyyyy(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# --- writing --------------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


def _cell_value(column: Column, value):
    """A model value as written in a cell (labels for choices, Có/Không, dates as real dates)."""
    if value is None or value == "":
        return None
    if column.kind in ("bool", "tristate"):
        return str(YES if value else NO)
    if column.kind == "choice":
        return column.label_of(value)
    if column.kind == "village":
        return value.name
    if column.kind == "ethnic":
        return value.name
    return value


def _number_format(column: Column) -> str | None:
    return {
        "date": DATE_FORMAT,
        "money": VND_FORMAT,
        "id": TEXT_FORMAT,
        "phone": TEXT_FORMAT,
        "text": TEXT_FORMAT,
    }.get(column.kind)


def _row_values(household: Household, member: Member | None) -> list:
    values = []
    for column in COLUMNS:
        source = household if column.level == "household" else member
        values.append(None if source is None else _cell_value(column, getattr(source, column.key)))
    return values


def _sorted_members(members: Iterable[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (m.relationship != Relationship.HEAD, m.date_of_birth, m.pk or 0))


def export_workbook(households: Iterable[Household]) -> bytes:
    """One row per current member (household columns repeated), in the template's layout; streamed row by row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Hộ gia đình")))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append([_header_cell(sheet, column) for column in COLUMNS])
    formats = [_number_format(column) for column in COLUMNS]
    for household in households:
        members = _sorted_members(household.current_members) or [None]
        for member in members:
            row = []
            for value, number_format in zip(_row_values(household, member), formats, strict=True):
                cell = WriteOnlyCell(sheet, value=value)
                if number_format and value is not None:
                    cell.number_format = number_format
                row.append(cell)
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=column.title)
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    return cell


def export_queryset(queryset):
    """The households of a scoped, filtered list with their current members, for ``export_workbook``."""
    members = Member.objects.current().select_related("ethnic_group")
    return (
        queryset.select_related("village")
        .prefetch_related(Prefetch("members", queryset=members, to_attr="current_members"))
        .iterator(chunk_size=1000)
    )


def accepted_values(column: Column) -> str:
    """What a cell of this column may contain, for the instructions sheet and error messages."""
    if column.kind in ("choice",):
        return "; ".join(str(label) for _value, label in column.choices)
    if column.kind == "bool":
        return _("Có; Không")
    if column.kind == "tristate":
        return _("Có; Không; để trống (chưa rõ)")
    if column.kind == "date":
        return _("Ngày dạng dd/mm/yyyy")
    if column.kind in ("int", "money"):
        return _("Số nguyên")
    if column.kind == "decimal":
        return _("Số")
    if column.kind == "ethnic":
        return _("Tên một trong 54 dân tộc")
    if column.kind == "village":
        return _("Tên hoặc mã thôn, buôn trong xã")
    return _("Chữ")


def template_workbook(user) -> bytes:
    """The blank import template: header, one example household of three members, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Hộ gia đình"))
    sheet.append([column.title for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    for row in _example_rows(user):
        sheet.append([row.get(column.key) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        number_format = _number_format(column)
        if number_format:
            for row_number in range(2, 502):
                sheet.cell(row=row_number, column=index).number_format = number_format
    _add_lists(workbook, sheet)
    _add_instructions(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example_rows(user) -> list[dict]:
    village = (
        AdministrativeUnit.objects.visible_to(user).valid_on().filter(level=UnitLevel.VILLAGE).order_by("code").first()
    )
    household = {
        "code": EXAMPLE_CODE,
        "village": village.name if village else "Buôn Chư Tê",
        "address": "",
        "phone": "0912345678",
        "area_type": str(AREA_CHOICES[0][1]),
        "agricultural": str(YES),
        "income_per_capita": 1_200_000,
        "floor_area_m2": 30,
        "non_durable_main_parts": 2,
        "water_source": str(WaterSource.DRILLED_WELL.label),
        "latrine": str(Latrine.SIMPLE_PIT.label),
    }
    people = [
        {
            "full_name": "Ksor Y Bhin",
            "relationship": Relationship.HEAD.label,
            "sex": Sex.MALE.label,
            "date_of_birth": date(1985, 3, 5),
            "ethnic_group": "Gia-rai",
            "personal_id": "064085012345",
            "health_insurance_number": "HN2640012345678",
            "health_insurance_valid_from": date(2026, 1, 1),
            "health_insurance_valid_to": date(2026, 12, 31),
            "in_school": str(NO),
            "education_level": EducationLevel.PRIMARY.label,
            "employment": Employment.SELF_EMPLOYED.label,
            "disability": str(NO),
        },
        {
            "full_name": "Rơ Mah H'Nga",
            "relationship": Relationship.SPOUSE.label,
            "sex": Sex.FEMALE.label,
            "date_of_birth": date(1988, 7, 20),
            "ethnic_group": "Gia-rai",
            "personal_id": "064188012346",
            "in_school": str(NO),
            "education_level": EducationLevel.LOWER_SECONDARY.label,
            "employment": Employment.SELF_EMPLOYED.label,
            "disability": str(NO),
        },
        {
            "full_name": "Rơ Mah Y Thuận",
            "relationship": Relationship.CHILD.label,
            "sex": Sex.MALE.label,
            "date_of_birth": date(2015, 9, 1),
            "ethnic_group": "Gia-rai",
            "personal_id": "064215012347",
            "in_school": str(YES),
            "education_level": EducationLevel.NONE.label,
            "employment": Employment.STUDYING.label,
            "disability": str(NO),
        },
    ]
    return [{k: str(v) if isinstance(v, Promise) else v for k, v in {**household, **p}.items()} for p in people]


def _add_lists(workbook: Workbook, sheet) -> None:
    """Drop-down lists on the choice columns (a hidden sheet holds the lists: some labels contain commas)."""
    lists = workbook.create_sheet(str(_("Danh mục")))
    lists.sheet_state = "hidden"
    list_columns = [c for c in COLUMNS if c.kind in ("choice", "bool", "tristate")]
    for index, column in enumerate(list_columns, start=1):
        letter = get_column_letter(index)
        labels = [str(label) for _value, label in column.choices] if column.kind == "choice" else [str(YES), str(NO)]
        lists.cell(row=1, column=index, value=column.title)
        for row, label in enumerate(labels, start=2):
            lists.cell(row=row, column=index, value=label)
        validation = DataValidation(
            type="list",
            formula1=f"'{lists.title}'!${letter}$2:${letter}${len(labels) + 1}",
            allow_blank=True,
            errorStyle="warning",
            showErrorMessage=True,
            error=str(_("Giá trị không có trong danh sách. Xem trang Hướng dẫn.")),
        )
        target = get_column_letter(COLUMNS.index(column) + 1)
        validation.add(f"{target}2:{target}5000")
        sheet.add_data_validation(validation)


def _add_instructions(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(str(_("Hướng dẫn")))
    sheet.append([str(_("Cột")), str(_("Bắt buộc")), str(_("Giá trị chấp nhận")), str(_("Ghi chú"))])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for column in COLUMNS:
        required = _("Có") if column.required else _("Không")
        if column.required and column.level == "member":
            required = _("Có (trên dòng có thành viên)")
        sheet.append([column.title, str(required), accepted_values(column), str(column.note)])
    sheet.append([])
    for line in (
        _(
            "Mỗi dòng là một thành viên; các dòng cùng Mã hộ thuộc cùng một hộ. Thông tin hộ lấy theo dòng đầu tiên "
            "của hộ; các dòng sau có thể để trống các cột của hộ, nếu ghi thì phải giống dòng đầu."
        ),
        _(
            "Hộ đã có trong xã (cùng Mã hộ) được cập nhật: thành viên được nhận ra theo số định danh, hoặc theo họ tên "
            "và ngày sinh. Thành viên không có trong tệp không bị xoá khỏi hộ."
        ),
        _(
            "Hệ thống kiểm tra toàn bộ tệp trước (không ghi gì), liệt kê mọi lỗi theo số dòng; chỉ khi không còn lỗi "
            "mới có nút Xác nhận nhập, và khi đó mọi hộ được ghi cùng một lúc."
        ),
        _("Xoá các dòng ví dụ (Mã hộ %(code)s) trước khi nhập.") % {"code": EXAMPLE_CODE},
    ):
        sheet.append([str(line)])
    for letter, width in zip("ABCD", (36, 16, 60, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP


# --- reading --------------------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The upload is not a usable workbook (not xlsx, unknown headers, no rows): one Vietnamese message."""


@dataclass
class SheetRow:
    number: int  # as Excel shows it
    raw: dict[str, object]


@dataclass
class Sheet:
    columns: list[str]  # keys of the columns present, in file order
    rows: list[SheetRow]


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _check_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise ImportFileError(_("Tệp quá lớn sau khi giải nén; hãy chia thành nhiều tệp nhỏ hơn."))
    except zipfile.BadZipFile as error:
        raise ImportFileError(
            _(
                "Tệp không phải bảng tính Excel .xlsx hợp lệ. Hãy lưu tệp dưới dạng “Excel Workbook (.xlsx)” "
                "rồi tải lên lại."
            )
        ) from error


def _header_keys() -> dict[str, str]:
    """Headers in the active language and in Vietnamese (a file made by a colleague using the other language)."""
    keys = {fold(column.header): column.key for column in COLUMNS}
    with override("vi"):
        keys.update({fold(column.header): column.key for column in COLUMNS})
    return keys


def read_sheet(content: bytes) -> Sheet:
    """Read the first worksheet: find the header row, map headers to columns, keep the non-empty rows."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("Tệp lớn hơn 5 MB; hãy chia thành nhiều tệp nhỏ hơn."))
    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors…)
        raise ImportFileError(
            _("Không đọc được tệp Excel. Hãy lưu tệp dưới dạng “Excel Workbook (.xlsx)” rồi tải lên lại.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        known = _header_keys()
        header_number, header = None, None
        for number, values in enumerate(rows, start=1):
            if number > 10:
                break
            if any(fold(v) == fold(BY_KEY["code"].header) for v in values if v is not None):
                header_number, header = number, values
                break
        if header is None:
            raise ImportFileError(
                _("Không tìm thấy dòng tiêu đề (có cột “Mã hộ”) ở trang đầu tiên của tệp. Hãy dùng tệp mẫu.")
            )
        positions, unknown = {}, []
        for index, value in enumerate(header):
            if value is None or not str(value).strip():
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
            raise ImportFileError(
                _("Tệp thiếu cột bắt buộc: %(names)s.") % {"names": ", ".join(f"“{name}”" for name in missing)}
            )
        data = []
        for number, values in enumerate(rows, start=header_number + 1):
            raw = {key: values[index] if index < len(values) else None for key, index in positions.items()}
            if all(_is_empty(v) for v in raw.values()):
                continue
            if len(data) >= MAX_ROWS:
                raise ImportFileError(
                    _("Tệp có hơn %(n)s dòng; hãy chia thành nhiều tệp nhỏ hơn.") % {"n": format_vnd(MAX_ROWS)}
                )
            data.append(SheetRow(number, raw))
    finally:
        workbook.close()
    if not data:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    ordered = sorted(positions, key=positions.get)
    return Sheet(columns=ordered, rows=data)


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- parsing cells ----------------------------------------------------------------------------------------------


class CellError(Exception):
    pass


INT_RE = re.compile(r"^\d{1,3}([.,\s]\d{3})+$|^\d+$")
DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime | date):
        return _ddmmyyyy(raw)
    return str(raw).strip()


def _parse_int(raw) -> int:
    if isinstance(raw, bool):
        raise CellError(_("phải là số nguyên"))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise CellError(_("“%(value)s” phải là số nguyên") % {"value": raw})
    text = re.sub(r"\s*(đồng|đ|vnd)$", "", str(raw).strip(), flags=re.IGNORECASE)
    if not INT_RE.match(text):
        raise CellError(_("“%(value)s” phải là số nguyên, ví dụ 1.200.000") % {"value": str(raw).strip()})
    return int(re.sub(r"[.,\s]", "", text))


def _parse_decimal(raw) -> Decimal:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Decimal(str(raw))
    text = str(raw).strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise CellError(_("“%(value)s” phải là một số, ví dụ 36,5") % {"value": str(raw).strip()}) from error


def _parse_date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 1800 <= raw <= 2200:
            raise CellError(_("chỉ có năm %(year)s; hãy ghi đủ ngày/tháng/năm (dd/mm/yyyy)") % {"year": int(raw)})
        if 1 <= raw <= 80_000:  # an Excel day number in a cell not formatted as a date
            return from_excel(raw).date()
    text = str(raw).strip()
    match = DATE_RE.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = ISO_RE.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as error:
        raise CellError(_("ngày “%(value)s” không có thật") % {"value": text}) from error
    raise CellError(_("“%(value)s” không đúng dạng ngày dd/mm/yyyy (ví dụ 05/03/1980)") % {"value": text})


def _parse_bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = fold(raw)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” không hợp lệ; chỉ nhận Có hoặc Không") % {"value": _text(raw)})


def _parse_choice(column: Column, raw) -> str:
    word = fold(raw)
    for value, label in column.choices:
        if word in (fold(label), fold(value)):
            return value
    alias = ALIASES.get(column.key, {}).get(word)
    if alias:
        return alias
    raise CellError(
        _("“%(value)s” không có trong danh sách. Chọn một trong: %(choices)s")
        % {"value": _text(raw), "choices": accepted_values(column)}
    )


def _parse_phone(raw) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        text = _text(raw)
        return text if text.startswith("0") else "0" + text  # Excel drops the leading zero of numbers
    return str(raw).strip()


def _parse_id(column: Column, raw) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        text = _text(raw)
        # A number cell cannot keep the leading zero of a personal ID (every province code starts with 0).
        return text.zfill(12) if column.key == "personal_id" and len(text) < 12 else text
    return re.sub(r"\s+", "", str(raw))


@dataclass
class Lookups:
    """Villages the officer may use and the ethnic groups, read once per import."""

    villages_by_code: dict[str, AdministrativeUnit]
    villages_by_name: dict[str, list[AdministrativeUnit]]
    ethnic_groups: dict[str, EthnicGroup]

    @classmethod
    def for_user(cls, user) -> "Lookups":
        # The same villages HouseholdForm offers the officer.
        villages = HouseholdForm(user=user).fields["village"].queryset
        by_code, by_name = {}, defaultdict(list)
        for village in villages:
            by_code[village.code.upper()] = village
            by_name[fold(village.name)].append(village)
        groups = {}
        for group in EthnicGroup.objects.all():
            groups[fold(group.name)] = group
            groups[group.code] = group
        for alias, code in ALIASES["ethnic_group"].items():
            groups.setdefault(alias, groups.get(code))
        return cls(by_code, dict(by_name), groups)

    def village(self, raw) -> AdministrativeUnit:
        text = _text(raw)
        found = self.villages_by_code.get(text.upper())
        if found:
            return found
        matches = self.villages_by_name.get(fold(text), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CellError(
                _("có nhiều thôn, buôn tên “%(value)s” trong phạm vi của bạn; hãy ghi mã thôn, buôn (%(codes)s)")
                % {"value": text, "codes": ", ".join(v.code for v in matches)}
            )
        raise CellError(
            _("không tìm thấy thôn, buôn “%(value)s” trong xã bạn phụ trách; hãy ghi đúng tên hoặc mã thôn, buôn")
            % {"value": text}
        )

    def ethnic_group(self, raw) -> EthnicGroup:
        text = _text(raw)
        found = self.ethnic_groups.get(fold(text)) or self.ethnic_groups.get(text.zfill(2))
        if found is None:
            raise CellError(
                _("không tìm thấy dân tộc “%(value)s” trong danh mục 54 dân tộc (ví dụ: Kinh, Gia-rai, Ê-đê, Ba na)")
                % {"value": text}
            )
        return found


def parse_cell(column: Column, raw, lookups: Lookups):
    """The typed value of one cell, ``None`` when empty; raises CellError with a Vietnamese message."""
    if _is_empty(raw):
        return None
    kind = column.kind
    if kind == "text":
        text = _text(raw)
        return normalise_name(text) if column.key == "full_name" else text
    if kind == "phone":
        return _parse_phone(raw)
    if kind == "id":
        return _parse_id(column, raw)
    if kind in ("int", "money"):
        return _parse_int(raw)
    if kind == "decimal":
        return _parse_decimal(raw)
    if kind == "date":
        return _parse_date(raw)
    if kind in ("bool", "tristate"):
        return _parse_bool(raw)
    if kind == "choice":
        return _parse_choice(column, raw)
    if kind == "village":
        return lookups.village(raw)
    if kind == "ethnic":
        return lookups.ethnic_group(raw)
    raise AssertionError(kind)


# --- the import -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int | None
    code: str
    column: str
    message: str


@dataclass
class ImportReport:
    """What the import found or did: errors per row and cell, and the households created, updated, unchanged."""

    households: int = 0
    members: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)  # "commune_id:code" -> version seen
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row or 0, e.column))


@dataclass
class ParsedRow:
    number: int
    values: dict  # key -> typed value (absent key: column not in the file; None: empty cell)
    failed: set  # keys whose cell could not be read

    def has_member(self) -> bool:
        return any(self.values.get(c.key) is not None or c.key in self.failed for c in MEMBER_COLUMNS)


@dataclass
class Group:
    code: str
    rows: list[ParsedRow]
    errors: list[RowError] = field(default_factory=list)

    @property
    def first(self) -> ParsedRow:
        return self.rows[0]

    def error(self, row: ParsedRow | int | None, column: Column | str, message: str) -> None:
        number = row.number if isinstance(row, ParsedRow) else row
        header = column.title if isinstance(column, Column) else column
        self.errors.append(RowError(number, self.code, header, _sentence(message)))

    def has_error(self, row: ParsedRow, column: Column) -> bool:
        return any(e.row == row.number and e.column == column.title for e in self.errors)


def _sentence(message: str) -> str:
    message = str(message).strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def _version_key(commune_id: int, code: str) -> str:
    return f"{commune_id}:{code}"


HOUSEHOLD_FORM_FIELDS = list(HouseholdForm._meta.fields)
MEMBER_FORM_FIELDS = list(MemberForm._meta.fields)
KEEP_WHEN_EMPTY = {"agricultural", "disability"}  # yes/no columns of fields that cannot be "unknown"


def _instance_values(instance, fields: list[str]) -> dict:
    """The instance's current values in form-data shape (foreign keys by pk)."""
    values = {}
    for name in fields:
        model_field = instance._meta.get_field(name)
        value = getattr(instance, model_field.attname)
        values[name] = list(value) if isinstance(value, list) else value
    return values


def _form_data(instance, fields: list[str], row_values: dict, columns: tuple[Column, ...]) -> dict:
    data = _instance_values(instance, fields)
    for column in columns:
        if column.key not in row_values:
            continue  # the column is not in the file: keep what the registry has
        value = row_values[column.key]
        if value is None and column.key in KEEP_WHEN_EMPTY:
            continue
        if isinstance(value, AdministrativeUnit | EthnicGroup):
            value = value.pk
        data[column.key] = value
    return data


def _compare(instance, fields: list[str]) -> dict:
    return {name: getattr(instance, instance._meta.get_field(name).attname) for name in fields}


class _Importer:
    def __init__(self, *, sheet: Sheet, user, commit: bool, expected_versions: dict | None):
        self.sheet, self.user, self.commit, self.expected_versions = sheet, user, commit, expected_versions
        self.report = ImportReport()
        self.lookups = Lookups.for_user(user)

    # parsing and grouping
    def parse(self) -> list[Group]:
        groups: dict[str, Group] = {}
        orphans: list[RowError] = []
        for sheet_row in self.sheet.rows:
            row = ParsedRow(sheet_row.number, {}, set())
            cell_errors = []
            for key in self.sheet.columns:
                column = BY_KEY[key]
                try:
                    row.values[key] = parse_cell(column, sheet_row.raw.get(key), self.lookups)
                except CellError as error:
                    row.values[key] = None
                    row.failed.add(key)
                    cell_errors.append((column, str(error)))
            code = (row.values.get("code") or "").strip().upper()
            if not code:
                orphans.append(RowError(row.number, "", BY_KEY["code"].title, _("Thiếu mã hộ.")))
                continue
            row.values["code"] = code
            group = groups.setdefault(code, Group(code, []))
            group.rows.append(row)
            for column, message in cell_errors:
                group.error(row, column, message)
        self.report.errors.extend(orphans)
        return list(groups.values())

    def check_group(self, group: Group) -> None:
        first = group.first
        if group.code == EXAMPLE_CODE:
            group.error(first, BY_KEY["code"], _("Đây là hộ ví dụ của tệp mẫu; hãy xoá các dòng ví dụ trước khi nhập"))
        for column in HOUSEHOLD_COLUMNS:
            if column.key not in self.sheet.columns:
                continue
            if column.required and first.values.get(column.key) is None and column.key not in first.failed:
                group.error(first, column, _("Ô này là bắt buộc"))
            for row in group.rows[1:]:
                value = row.values.get(column.key)
                if value is None or column.key in row.failed or column.key in first.failed:
                    continue
                if value != first.values.get(column.key):
                    group.error(
                        row,
                        column,
                        _(
                            "khác với dòng %(row)s của cùng hộ %(code)s (“%(first)s”); thông tin hộ lấy theo dòng đầu "
                            "của hộ"
                        )
                        % {
                            "row": first.number,
                            "code": group.code,
                            "first": _display(column, first.values.get(column.key)),
                        },
                    )
        for row in group.rows:
            if not row.has_member():
                continue
            for column in MEMBER_COLUMNS:
                if column.required and row.values.get(column.key) is None and column.key not in row.failed:
                    group.error(row, column, _("Ô này là bắt buộc trên dòng có thành viên"))

    # validation and saving
    def run(self) -> ImportReport:
        groups = self.parse()
        self.report.households = len(groups)
        self.report.members = sum(1 for g in groups for r in g.rows if r.has_member())
        existing = self.existing_households(groups)
        with transaction.atomic():
            for group in groups:
                self.check_group(group)
                self.import_group(group, existing)
                self.report.errors.extend(group.errors)
            if self.report.errors or not self.commit:
                transaction.set_rollback(True)
            else:
                self.report.committed = True
        return self.report

    def existing_households(self, groups: list[Group]) -> dict[tuple[int, str], Household]:
        members = Member.objects.current().select_related("ethnic_group")
        households = (
            Household.objects.visible_to(self.user)
            .filter(code__in=[g.code for g in groups])
            .select_related("village__parent", "commune")
            .prefetch_related(Prefetch("members", queryset=members, to_attr="current_members"))
        )
        return {(h.commune_id, h.code): h for h in households}

    def import_group(self, group: Group, existing: dict) -> None:
        first = group.first
        village = first.values.get("village")
        household = existing.get((village.parent_id, group.code)) if village else None
        if household is not None and household.state == HouseholdState.ARCHIVED:
            group.error(
                first,
                BY_KEY["code"],
                _("hộ %(code)s đã lưu trữ nên không cập nhật được từ Excel") % {"code": group.code},
            )
            return
        expected = None
        if household is not None:
            key = _version_key(household.commune_id, household.code)
            self.report.versions[key] = household.version
            # On commit, the version seen in the dry run: someone saving in between makes the service refuse.
            expected = household.version if self.expected_versions is None else self.expected_versions.get(key, -1)
        else:
            household = Household()
        before_household = _compare(household, HOUSEHOLD_FORM_FIELDS) if household.pk else None

        form_data = _form_data(household, HOUSEHOLD_FORM_FIELDS, first.values, HOUSEHOLD_COLUMNS)
        if village is not None and not form_data.get("area_type"):
            form_data["area_type"] = village.area_type or "rural"
        form_data["version"] = expected
        form = HouseholdForm(data=form_data, instance=household, user=self.user)
        if not form.is_valid():
            self.form_errors(group, first, form, HOUSEHOLD_COLUMNS)

        current = list(household.current_members) if household.pk else []
        by_pid = {m.personal_id: m for m in current if m.personal_id}
        by_name = {(m.full_name.casefold(), m.date_of_birth): m for m in current}
        rows_of: dict[int, int] = {}  # id(member) -> Excel row
        used: dict[int, int] = {}  # pk of a matched registry member -> Excel row
        staying: list[Member] = []
        changed = household.pk is None
        for row in group.rows:
            if not row.has_member():
                continue
            values = row.values
            name_key = ((values.get("full_name") or "").casefold(), values.get("date_of_birth"))
            match = by_pid.get(values.get("personal_id") or "") or by_name.get(name_key)
            if match is not None and match.pk in used:
                message = _("trùng với thành viên ở dòng %(row)s") % {"row": used[match.pk]}
                group.error(row, BY_KEY["full_name"], message)
                continue
            member = match or Member()
            if match is not None:
                used[match.pk] = row.number
            before = _compare(member, MEMBER_FORM_FIELDS) if member.pk else None
            data = _form_data(member, MEMBER_FORM_FIELDS, values, MEMBER_COLUMNS)
            member_form = MemberForm(data=data, instance=member)
            if not member_form.is_valid():
                self.form_errors(group, row, member_form, MEMBER_COLUMNS)
                continue
            rows_of[id(member)] = row.number
            staying.append(member)
            changed = changed or before != _compare(member, MEMBER_FORM_FIELDS)
        if group.errors:
            return
        # Members already in the registry but not in the file stay in the household (nothing is removed).
        staying += [m for m in current if m.pk not in used]
        if not changed and before_household == _compare(household, HOUSEHOLD_FORM_FIELDS):
            self.report.unchanged.append(group.code)
            return
        try:
            with transaction.atomic():
                household_save(household=household, members=staying, user=self.user, expected_version=expected)
        except ValidationError as error:
            self.service_errors(group, staying, rows_of, error)
            return
        except IntegrityError:
            group.error(
                first,
                "",
                _("không ghi được hộ %(code)s do trùng dữ liệu; hãy kiểm tra mã hộ và chủ hộ") % {"code": group.code},
            )
            return
        (self.report.updated if expected is not None else self.report.created).append(group.code)

    def form_errors(self, group: Group, row: ParsedRow, form, columns: tuple[Column, ...]) -> None:
        by_field = {c.key: c for c in columns}
        for name, messages in form.errors.items():
            column = by_field.get(name)
            if column is not None and (column.key in row.failed or group.has_error(row, column)):
                continue  # the cell error already says why
            for message in messages:
                if column is None and name != "__all__":
                    label = form.fields[name].label if name in form.fields else name
                    message = f"{label}: {message}"
                group.error(row, column or "", message)

    def service_errors(self, group: Group, members: list[Member], rows_of: dict, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            messages = [
                m if name == "__all__" else f"{name}: {m}" for name, ms in error.message_dict.items() for m in ms
            ]
        else:
            messages = error.messages
        in_file = [(m, rows_of[id(m)]) for m in members if id(m) in rows_of]
        for message in messages:
            rows, column = _locate(message, in_file)
            for number in rows or [group.first.number]:
                group.error(number, column, message)


def _locate(message: str, members: list[tuple[Member, int]]) -> tuple[list[int], str]:
    """Which rows and column a service message is about: by personal ID, then by name, else the household."""
    lowered = message.lower()
    if "định danh" in lowered or "chữ số" in lowered or "ba số đầu" in lowered:
        column = BY_KEY["personal_id"].title
    elif "chủ hộ" in lowered:
        column = BY_KEY["relationship"].title
    elif "sinh" in lowered:
        column = BY_KEY["date_of_birth"].title
    else:
        column = ""
    rows = [row for m, row in members if m.personal_id and m.personal_id in message]
    if not rows:
        rows = [row for m, row in members if message.startswith(f"{m.full_name}:")]
    if not rows:
        rows = [row for m, row in members if message.startswith(m.full_name)]
    if not rows and "đúng một chủ hộ" in message:
        rows = [row for m, row in members if m.relationship == Relationship.HEAD]
    return sorted(set(rows)), column


def _display(column: Column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return _ddmmyyyy(value)
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, AdministrativeUnit | EthnicGroup):
        return value.name
    if column.kind == "choice":
        return column.label_of(value)
    if column.kind == "money":
        return format_vnd(value)
    return str(value)


def household_import(*, sheet: Sheet, user, commit: bool, expected_versions: dict | None = None) -> ImportReport:
    """Validate every household of the sheet with the registry's forms and service; write only if all are valid.

    With ``commit=False`` (the dry run) everything happens inside a transaction that is rolled back, so rules
    across households (a personal ID twice in the province) are checked too. ``expected_versions`` (from the dry
    run) refuses to overwrite a household someone changed between the preview and the confirmation.
    """
    return _Importer(sheet=sheet, user=user, commit=commit, expected_versions=expected_versions).run()


def import_summary(report: ImportReport) -> str:
    return _("%(total)s hộ: %(created)s hộ mới, %(updated)s hộ cập nhật, %(unchanged)s hộ không thay đổi.") % {
        "total": format_vnd(report.households),
        "created": format_vnd(len(report.created)),
        "updated": format_vnd(len(report.updated)),
        "unchanged": format_vnd(len(report.unchanged)),
    }


def export_filename(today: date | None = None) -> str:
    return f"ho-gia-dinh-{(today or timezone.localdate()).strftime('%d-%m-%Y')}.xlsx"
