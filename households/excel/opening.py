"""The workbook of a unit that starts using the portal mid-period: its approved lists (opening balance), and the
targets and escape registrations of the years before the portal, one sheet each.

The cells are read as in the household import (``columns``: dd/mm/yyyy, 1.234.567, names without accents, village
and ethnic group looked up in the officer's scope) and the upload passes the same checks (``check_workbook``).
A sheet may be left out or left empty; the rows are validated and written by ``households.opening``.
"""

import io
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from households.choices import HouseholdClass, Sex

from .columns import AREA_CHOICES, DATE_FORMAT, TEXT_FORMAT, Column, fold, is_empty
from .workbooks import (
    HEADER_FILL,
    HEADER_FONT,
    HEADER_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    UNREADABLE,
    WRAP,
    ImportFileError,
    _not_xlsx,
    check_workbook,
    malformed_message,
)

LISTS, TARGETS, REGISTRATIONS = "lists", "targets", "registrations"
LIST_CLASSES = tuple((c.value, c.label) for c in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR))
# Other ways officers write the two classes (folded: no accents, no case, no spaces).
CLASS_ALIASES = {"ngheo": "poor", "n": "poor", "canngheo": "near_poor", "cn": "near_poor"}


def _c(key, header, kind, required=False, width=14, note="", choices=()) -> Column:
    return Column(key, header, kind, "household", required=required, width=width, choices=choices, note=note)


# fmt: off
LIST_COLUMNS: tuple[Column, ...] = (
    _c("code", gettext_lazy("Mã hộ"), "text", True, 12,
       gettext_lazy("Mã hộ trong xã. Hộ đã có trong sổ theo dõi được nhận ra theo mã hộ và thôn, buôn; nếu chưa "
                    "có, hộ được tạo từ các cột thông tin chủ hộ.")),
    _c("village", gettext_lazy("Thôn/buôn"), "village", True, 20,
       gettext_lazy("Tên hoặc mã thôn, buôn, tổ dân phố trong phạm vi của bạn.")),
    _c("household_class", gettext_lazy("Phân loại"), "class", True, 14,
       gettext_lazy("Hộ nghèo hoặc Hộ cận nghèo, theo danh sách đã được phê duyệt."), LIST_CLASSES),
    _c("decision_number", gettext_lazy("Số quyết định"), "text", True, 16,
       gettext_lazy("Số của quyết định phê duyệt danh sách, ví dụ 1234/QĐ-UBND.")),
    _c("decision_date", gettext_lazy("Ngày quyết định"), "date", True, 13,
       gettext_lazy("Dạng dd/mm/yyyy. Hộ được tính vào danh sách từ ngày này.")),
    _c("issuer", gettext_lazy("Cơ quan ban hành"), "text", True, 22,
       gettext_lazy("Ví dụ UBND huyện Krông Pa, UBND xã Ia RSai.")),
    _c("standard", gettext_lazy("Chuẩn nghèo áp dụng"), "text", True, 20,
       gettext_lazy("Số hiệu văn bản hoặc mã chuẩn: QĐ 59/2015/QĐ-TTg (danh sách đến năm 2021), NĐ 07/2021/NĐ-CP "
                    "(danh sách năm 2022–2026), NĐ 351/2025/NĐ-CP (từ năm 2027).")),
    _c("full_name", gettext_lazy("Họ và tên chủ hộ"), "text", False, 24,
       gettext_lazy("Chỉ cần khi hộ chưa có trong sổ theo dõi (cùng với giới tính, ngày sinh, dân tộc).")),
    _c("sex", gettext_lazy("Giới tính"), "choice", False, 9, "", tuple(Sex.choices)),
    _c("date_of_birth", gettext_lazy("Ngày sinh"), "date", False, 12, gettext_lazy("Dạng dd/mm/yyyy.")),
    _c("ethnic_group", gettext_lazy("Dân tộc"), "ethnic", False, 12,
       gettext_lazy("Tên dân tộc, ví dụ Kinh, Gia-rai (Jrai).")),
    _c("personal_id", gettext_lazy("Số định danh cá nhân"), "id", False, 16,
       gettext_lazy("12 chữ số; định dạng ô là Văn bản để giữ số 0 ở đầu.")),
    _c("address", gettext_lazy("Địa chỉ"), "text", False, 24),
    _c("area_type", gettext_lazy("Khu vực"), "choice", False, 12, gettext_lazy("Để trống để lấy theo thôn, buôn."),
       AREA_CHOICES),
)
TARGET_COLUMNS: tuple[Column, ...] = (
    _c("unit", gettext_lazy("Đơn vị"), "text", True, 24,
       gettext_lazy("Tên hoặc mã xã (huyện) trực thuộc đơn vị của bạn, kể cả đơn vị đã sáp nhập.")),
    _c("year", gettext_lazy("Năm"), "int", True, 8),
    _c("households_to_escape", gettext_lazy("Số hộ thoát nghèo (chỉ tiêu)"), "int", True, 14),
    _c("rate_reduction", gettext_lazy("Giảm tỷ lệ hộ nghèo (điểm %)"), "decimal", True, 14,
       gettext_lazy("Ví dụ 2,5.")),
    _c("legal_basis", gettext_lazy("Căn cứ giao chỉ tiêu"), "text", True, 36,
       gettext_lazy("Số, ngày quyết định hoặc kế hoạch giao chỉ tiêu.")),
    _c("note", gettext_lazy("Ghi chú"), "text", False, 24),
)
REGISTRATION_COLUMNS: tuple[Column, ...] = (
    _c("commune", gettext_lazy("Xã"), "text", False, 20,
       gettext_lazy("Tên hoặc mã xã của hộ; cán bộ xã để trống.")),
    _c("code", gettext_lazy("Mã hộ"), "text", True, 12),
    _c("year", gettext_lazy("Năm đăng ký thoát nghèo"), "int", True, 10),
    _c("registered_on", gettext_lazy("Ngày đăng ký"), "date", True, 12,
       gettext_lazy("Trong năm đăng ký hoặc cuối năm trước đó.")),
    _c("class_at_registration", gettext_lazy("Phân loại khi đăng ký"), "class", False, 14,
       gettext_lazy("Chỉ cần khi sổ theo dõi chưa có lịch sử phân loại của hộ vào ngày đăng ký."), LIST_CLASSES),
    _c("cadre_name", gettext_lazy("Cán bộ phụ trách"), "text", True, 22),
    _c("cadre_position", gettext_lazy("Chức vụ, đơn vị"), "text", False, 22),
    _c("commitment", gettext_lazy("Cam kết và giải pháp hỗ trợ"), "text", False, 30),
)
# fmt: on

SHEETS = {
    LISTS: (gettext_lazy("Danh sách đầu kỳ"), LIST_COLUMNS),
    TARGETS: (gettext_lazy("Chỉ tiêu các năm trước"), TARGET_COLUMNS),
    REGISTRATIONS: (gettext_lazy("Đăng ký thoát nghèo"), REGISTRATION_COLUMNS),
}


@lru_cache(maxsize=8)
def columns_of(sheet: str) -> dict[str, Column]:
    return {column.key: column for column in SHEETS[sheet][1]}


@dataclass
class OpeningRow:
    number: int  # as Excel shows it
    raw: dict[str, object]


@dataclass
class OpeningBook:
    """The rows of each sheet found in the upload (a sheet left out has no rows)."""

    rows: dict[str, list[OpeningRow]] = field(default_factory=dict)

    def of(self, sheet: str) -> list[OpeningRow]:
        return self.rows.get(sheet, [])


def template_filename() -> str:
    return f"mau-so-lieu-dau-ky-{timezone.localdate():%d-%m-%Y}.xlsx"


def opening_template() -> bytes:
    """The three sheets with their headers and cell formats, and a sheet of instructions."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns in SHEETS.values():
        sheet = workbook.create_sheet(str(title))
        sheet.append([column.title for column in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
            sheet.column_dimensions[get_column_letter(index)].width = column.width
            fmt = {"date": DATE_FORMAT, "id": TEXT_FORMAT}.get(column.kind)
            if fmt or column.key in ("code", "decision_number"):
                for row in range(2, 502):
                    sheet.cell(row=row, column=index).number_format = fmt or TEXT_FORMAT
            if column.kind in ("class", "choice"):  # a drop-down of the labels (none holds a comma)
                labels = ",".join(str(label) for _value, label in column.choices)
                validation = DataValidation(
                    type="list", formula1=f'"{labels}"', allow_blank=True, errorStyle="warning", showErrorMessage=True
                )
                letter = get_column_letter(index)
                validation.add(f"{letter}2:{letter}5000")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("Hướng dẫn"))
    guide.append([_("Trang"), _("Cột"), _("Bắt buộc"), _("Ghi chú")])
    for cell in guide[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for title, columns in SHEETS.values():
        for column in columns:
            guide.append([str(title), str(column.header), _("Có") if column.required else _("Không"), str(column.note)])
    guide.append([])
    for line in (
        _(
            "Trang “Danh sách đầu kỳ”: mỗi dòng là một hộ trong danh sách hộ nghèo, hộ cận nghèo đang có hiệu lực khi "
            "đơn vị bắt đầu dùng cổng, với quyết định đã phê duyệt danh sách. Hộ được tính là số hộ đầu kỳ, không phải "
            "hộ nghèo phát sinh."
        ),
        _(
            "Chỉ nhập được cho đơn vị chưa có lịch sử phân loại sau ngày quyết định; biến động sau ngày đó ghi trên "
            "trang của từng hộ hoặc qua đợt rà soát."
        ),
        _(
            "Trang “Chỉ tiêu các năm trước”: chỉ tiêu giảm nghèo đã giao cho các đơn vị trực thuộc trong những năm "
            "trước khi dùng cổng."
        ),
        _("Trang “Đăng ký thoát nghèo”: các hộ đã đăng ký thoát nghèo trong những năm trước."),
        _(
            "Trang nào không dùng thì để trống. Hệ thống kiểm tra toàn bộ tệp trước (không ghi gì); chỉ khi không còn "
            "lỗi mới ghi, và ghi tất cả cùng một lúc."
        ),
    ):
        guide.append([line])
    for letter, width in zip("ABCD", (24, 30, 10, 80), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _names(text) -> set[str]:
    with override("vi"):
        vietnamese = fold(str(text))
    return {vietnamese, fold(str(text))}


def _sheet_kind(title: str) -> str | None:
    folded = fold(title)
    return next((kind for kind, (name, _cols) in SHEETS.items() if folded in _names(name)), None)


def _read_sheet(kind: str, rows) -> list[OpeningRow]:
    columns = SHEETS[kind][1]
    known = {}
    for column in columns:
        for name in _names(column.header):
            known[name] = column.key
    first_key = columns[0].key if columns[0].required else columns[1].key
    header_number = header = None
    for number, values in enumerate(rows, start=1):
        if any(known.get(fold(str(v).replace("*", ""))) == first_key for v in values if v is not None):
            header_number, header = number, values
            break
        if number >= HEADER_ROWS:
            break
    title = str(SHEETS[kind][0])
    if header is None:
        return []
    positions, unknown = {}, []
    for index, value in enumerate(header):
        if is_empty(value):
            continue
        key = known.get(fold(str(value).replace("*", "")))
        if key is None:
            unknown.append(str(value).strip())
        elif key in positions:
            raise ImportFileError(
                _("Trang “%(sheet)s”: cột “%(name)s” xuất hiện hai lần.") % {"sheet": title, "name": str(value).strip()}
            )
        else:
            positions[key] = index
    if unknown:
        raise ImportFileError(
            _("Trang “%(sheet)s” có cột không thuộc tệp mẫu: %(names)s. Hãy dùng đúng tiêu đề của tệp mẫu.")
            % {"sheet": title, "names": ", ".join(f"“{name}”" for name in unknown)}
        )
    missing = [c.title for c in columns if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(
            _("Trang “%(sheet)s” thiếu cột bắt buộc: %(names)s.")
            % {"sheet": title, "names": ", ".join(f"“{n}”" for n in missing)}
        )
    data = []
    for number, values in enumerate(rows, start=header_number + 1):
        if number - header_number > MAX_ROWS:
            raise ImportFileError(
                _("Trang “%(sheet)s” có quá nhiều dòng; hãy chia thành nhiều tệp.") % {"sheet": title}
            )
        raw = {key: values[index] if index < len(values) else None for key, index in positions.items()}
        if all(is_empty(v) for v in raw.values()):
            continue
        data.append(OpeningRow(number, raw))
    return data


def read_opening_workbook(content: bytes) -> OpeningBook:
    """The rows of the three sheets, found by their names; ImportFileError when none holds a row."""
    check_workbook(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors…)
        raise ImportFileError(_not_xlsx()) from error
    book = OpeningBook()
    try:
        for worksheet in workbook.worksheets:
            kind = _sheet_kind(worksheet.title)
            if kind is None or kind in book.rows:
                continue
            book.rows[kind] = _read_sheet(kind, worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
    except ImportFileError:
        raise
    except UNREADABLE as error:
        raise ImportFileError(malformed_message()) from error
    finally:
        workbook.close()
    if not any(book.rows.values()):
        raise ImportFileError(
            _(
                "Tệp không có dòng dữ liệu nào ở các trang “%(lists)s”, “%(targets)s”, “%(registrations)s”. Hãy dùng "
                "tệp mẫu của trang Số liệu đầu kỳ."
            )
            % {"lists": SHEETS[LISTS][0], "targets": SHEETS[TARGETS][0], "registrations": SHEETS[REGISTRATIONS][0]}
        )
    return book
