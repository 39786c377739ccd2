"""The column layout shared by the template, the export and the import, and how one cell is read and written."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from areas.models import AdministrativeUnit
from households.choices import EducationLevel, Employment, Latrine, Relationship, Sex, WaterSource
from households.forms import HouseholdForm
from households.models import EthnicGroup
from households.validation import normalise_name

DATE_FORMAT = "DD/MM/YYYY"
# 1.234.567 whatever the reader's Excel locale (Vietnamese administrative convention).
VND_FORMAT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
TEXT_FORMAT = "@"

AREA_CHOICES = (("rural", gettext_lazy("Nông thôn")), ("urban", gettext_lazy("Thành thị")))
YES, NO = gettext_lazy("Có"), gettext_lazy("Không")


@dataclass(frozen=True)
class Column:
    """One column: the model field it fills, how its cells are read and written, what it accepts."""

    key: str  # the model field
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


def _col(key, header, kind, level, **options) -> Column:
    return Column(key, header, kind, level, **options)


COLUMNS: tuple[Column, ...] = (
    _col("code", gettext_lazy("Mã hộ"), "text", "household", required=True, width=12,
         note=gettext_lazy("Mã hộ trong xã, ví dụ IRS-0001. Các dòng cùng mã hộ là các thành viên của một hộ. "
                           "Nếu xã đã có hộ mang mã này thì hộ đó được cập nhật.")),
    _col("village", gettext_lazy("Thôn/buôn"), "village", "household", required=True, width=20,
         note=gettext_lazy("Tên hoặc mã thôn, buôn, tổ dân phố trong xã của bạn, ví dụ “Buôn Chư Tê” hoặc "
                           "“24079-01”. Gõ không dấu cũng được.")),
    _col("address", gettext_lazy("Địa chỉ"), "text", "household", width=24),
    _col("phone", gettext_lazy("Điện thoại"), "phone", "household", width=13,
         note=gettext_lazy("Số điện thoại Việt Nam, ví dụ 0912345678.")),
    _col("area_type", gettext_lazy("Khu vực"), "choice", "household", width=12, choices=AREA_CHOICES,
         note=gettext_lazy("Để trống để lấy theo thôn, buôn.")),
    _col("agricultural", gettext_lazy("Hộ làm nông lâm ngư diêm nghiệp"), "bool", "household", width=14,
         note=gettext_lazy("Để trống: hộ mới là Có, hộ đã có giữ nguyên.")),
    _col("income_per_capita", gettext_lazy("Thu nhập bình quân (đồng/người/tháng)"), "money", "household", width=18,
         note=gettext_lazy("Số nguyên, ví dụ 1.200.000.")),
    _col("score_a", gettext_lazy("Điểm A"), "int", "household", width=9,
         note=gettext_lazy("Điểm A theo phiếu B1 (Thông tư 07/2021), dùng khi chưa có thu nhập.")),
    _col("floor_area_m2", gettext_lazy("Diện tích nhà ở (m²)"), "decimal", "household", width=12,
         note=gettext_lazy("Tối đa một chữ số thập phân, ví dụ 36 hoặc 36,5.")),
    _col("non_durable_main_parts", gettext_lazy("Số kết cấu chính không bền chắc"), "int", "household", width=14,
         note=gettext_lazy("Từ 0 đến 3, trong ba kết cấu chính: tường, cột, mái.")),
    _col("water_source", gettext_lazy("Nguồn nước"), "choice", "household", width=22,
         choices=tuple(WaterSource.choices)),
    _col("latrine", gettext_lazy("Nhà tiêu"), "choice", "household", width=20, choices=tuple(Latrine.choices)),
    _col("full_name", gettext_lazy("Họ và tên"), "text", "member", required=True, width=24),
    _col("relationship", gettext_lazy("Quan hệ với chủ hộ"), "choice", "member", required=True, width=16,
         choices=tuple(Relationship.choices),
         note=gettext_lazy("Mỗi hộ có đúng một Chủ hộ. Cũng nhận: Vợ, Chồng, Bố, Mẹ, Con dâu, Con rể, Ông, Bà…")),
    _col("sex", gettext_lazy("Giới tính"), "choice", "member", required=True, width=9, choices=tuple(Sex.choices)),
    _col("date_of_birth", gettext_lazy("Ngày sinh"), "date", "member", required=True, width=12,
         note=gettext_lazy("Dạng dd/mm/yyyy, ví dụ 05/03/1980, hoặc ô ngày của Excel. Phải có đủ ngày, tháng, năm.")),
    _col("ethnic_group", gettext_lazy("Dân tộc"), "ethnic", "member", required=True, width=12,
         note=gettext_lazy("Tên dân tộc theo danh mục 54 dân tộc, ví dụ Kinh, Gia-rai (Jrai), Ê-đê, Ba na. "
                           "Gõ không dấu cũng được.")),
    _col("personal_id", gettext_lazy("Số định danh cá nhân"), "id", "member", width=16,
         note=gettext_lazy("12 chữ số (số căn cước). Định dạng ô là Văn bản để giữ số 0 ở đầu.")),
    _col("personal_id_issued_on", gettext_lazy("Ngày cấp CCCD"), "date", "member", width=12,
         note=gettext_lazy("Ngày cấp căn cước công dân/thẻ căn cước, dạng dd/mm/yyyy. Chỉ ghi khi có số định danh.")),
    _col("health_insurance_number", gettext_lazy("Số thẻ BHYT"), "id", "member", width=18),
    _col("health_insurance_valid_from", gettext_lazy("BHYT từ ngày"), "date", "member", width=12,
         note=gettext_lazy("Dạng dd/mm/yyyy.")),
    _col("health_insurance_valid_to", gettext_lazy("BHYT đến ngày"), "date", "member", width=12,
         note=gettext_lazy("Dạng dd/mm/yyyy.")),
    _col("in_school", gettext_lazy("Đang đi học"), "tristate", "member", width=10,
         note=gettext_lazy("Để trống nếu chưa rõ.")),
    _col("education_level", gettext_lazy("Trình độ học vấn"), "choice", "member", width=24,
         choices=tuple(EducationLevel.choices)),
    _col("employment", gettext_lazy("Việc làm"), "choice", "member", width=26, choices=tuple(Employment.choices)),
    _col("disability", gettext_lazy("Khuyết tật"), "bool", "member", width=10,
         note=gettext_lazy("Để trống: thành viên mới là Không, thành viên đã có giữ nguyên.")),
)
BY_KEY = {column.key: column for column in COLUMNS}
HOUSEHOLD_COLUMNS = tuple(c for c in COLUMNS if c.level == "household")
MEMBER_COLUMNS = tuple(c for c in COLUMNS if c.level == "member")
KEEP_WHEN_EMPTY = {"agricultural", "disability"}  # yes/no fields that cannot be "unknown": empty keeps the value

# Other ways officers write the same value (folded: no accents, no case, no spaces).
ALIASES = {
    "relationship": {
        "vo": "spouse", "chong": "spouse", "bo": "parent", "me": "parent", "cha": "parent", "condau": "child_in_law",
        "conre": "child_in_law", "chaunoi": "grandchild", "chaungoai": "grandchild", "ong": "grandparent",
        "ba": "grandparent", "anh": "sibling", "chi": "sibling", "em": "sibling", "bovo": "parent_in_law",
        "mevo": "parent_in_law", "bochong": "parent_in_law", "mechong": "parent_in_law",
    },
    "ethnic_group": {
        "jrai": "10", "giarai": "10", "ede": "12", "rhade": "12", "bahnar": "13", "mong": "08", "hmong": "08",
        "khmer": "05", "raglai": "21",
    },
}
TRUE_WORDS = {"co", "c", "x", "1", "true", "yes", "dung"}
FALSE_WORDS = {"khong", "k", "0", "false", "no", "sai"}


@lru_cache(maxsize=8192)
def _fold_text(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def fold(value) -> str:
    """Compare text the way officers type it: no accents, no case, no spaces or punctuation."""
    return _fold_text(str(value))


def format_vnd(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def ddmmyyyy(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def accepted_values(column: Column) -> str:
    """What a cell of this column may contain, for the instructions sheet and the error messages."""
    if column.kind == "choice":
        return "; ".join(str(label) for _value, label in column.choices)
    return str({
        "bool": _("Có; Không"),
        "tristate": _("Có; Không; để trống (chưa rõ)"),
        "date": _("Ngày dạng dd/mm/yyyy"),
        "int": _("Số nguyên"),
        "money": _("Số nguyên"),
        "decimal": _("Số"),
        "ethnic": _("Tên một trong 54 dân tộc"),
        "village": _("Tên hoặc mã thôn, buôn trong xã"),
        "phone": _("Số điện thoại"),
        "id": _("Chữ số"),
    }.get(column.kind, _("Chữ")))


# --- writing a cell ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _labels(key: str, language: str) -> dict:
    """Choice labels (and Có/Không) as plain strings, translated once per language rather than once per cell."""
    if key == "":
        return {True: str(YES), False: str(NO)}
    return {value: str(label) for value, label in BY_KEY[key].choices}


def cell_value(column: Column, value):
    """A model value as written in a cell: labels for choices, Có/Không, names, real dates and numbers."""
    if value is None or value == "":
        return None
    if column.kind in ("bool", "tristate"):
        return _labels("", get_language() or "vi")[bool(value)]
    if column.kind == "choice":
        return _labels(column.key, get_language() or "vi").get(value, value)
    if column.kind in ("village", "ethnic"):
        return value.name
    return value


def number_format(column: Column) -> str | None:
    return {"date": DATE_FORMAT, "money": VND_FORMAT, "id": TEXT_FORMAT, "phone": TEXT_FORMAT}.get(column.kind)


def display(column: Column, value) -> str:
    """A parsed value as an officer would write it, for error messages."""
    if value is None:
        return ""
    if isinstance(value, date):
        return ddmmyyyy(value)
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, AdministrativeUnit | EthnicGroup):
        return value.name
    if column.kind == "choice":
        return column.label_of(value)
    if column.kind == "money":
        return format_vnd(value)
    return str(value)


# --- reading a cell ------------------------------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be read; the message is Vietnamese and names what is accepted."""


INT_RE = re.compile(r"^\d{1,3}([.,\s]\d{3})+$|^\d+$")
DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(raw) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime | date):
        return ddmmyyyy(raw)
    return str(raw).strip()


def _parse_int(raw) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = re.sub(r"\s*(đồng|đ|vnd)$", "", _text(raw), flags=re.IGNORECASE)
    if not INT_RE.match(text):
        raise CellError(_("“%(value)s” phải là số nguyên, ví dụ 1.200.000") % {"value": _text(raw)})
    return int(re.sub(r"[.,\s]", "", text))


def _parse_decimal(raw) -> Decimal:
    if _is_number(raw):
        return Decimal(str(raw))
    text = str(raw).strip().replace(" ", "")
    if "," in text:  # Vietnamese: 1.234,5
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
    if _is_number(raw):
        if 1800 <= raw <= 2200:
            raise CellError(_("chỉ có năm %(year)s; hãy ghi đủ ngày, tháng, năm (dd/mm/yyyy)") % {"year": int(raw)})
        if 1 <= raw <= 80_000:  # an Excel day number in a cell not formatted as a date
            return from_excel(raw).date()
    text = str(raw).strip()
    try:
        if match := DATE_RE.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := ISO_RE.match(text):
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


@lru_cache(maxsize=64)
def _choice_map(key: str, language: str) -> dict[str, str]:
    column = BY_KEY[key]
    words = dict(ALIASES.get(key, {}))
    for value, label in column.choices:
        words[fold(value)] = value
        words[fold(label)] = value
    return words


def _parse_choice(column: Column, raw, language: str | None = None) -> str:
    value = _choice_map(column.key, language or get_language() or "vi").get(fold(raw))
    if value is None:
        raise CellError(
            _("“%(value)s” không có trong danh sách. Chọn một trong: %(choices)s")
            % {"value": _text(raw), "choices": accepted_values(column)}
        )
    return value


def _parse_phone(raw) -> str:
    if _is_number(raw):
        text = _text(raw)
        return text if text.startswith("0") else "0" + text  # a number cell drops the leading zero
    return str(raw).strip()


def _parse_id(column: Column, raw) -> str:
    if _is_number(raw):
        text = _text(raw)
        # A number cell cannot keep the leading zero of a personal ID (every province code starts with 0).
        return text.zfill(12) if column.key == "personal_id" and len(text) < 12 else text
    return re.sub(r"\s+", "", str(raw))


@dataclass
class Lookups:
    """The villages the officer may choose (as in HouseholdForm) and the ethnic groups, read once per import."""

    villages_by_code: dict[str, AdministrativeUnit]
    villages_by_name: dict[str, list[AdministrativeUnit]]
    ethnic_groups: dict[str, EthnicGroup]
    language: str | None = None  # of the choice labels: read once, not once per cell (a thread-local lookup)

    @classmethod
    def for_user(cls, user) -> "Lookups":
        by_code, by_name = {}, {}
        for village in HouseholdForm(user=user).fields["village"].queryset:
            by_code[village.code.upper()] = village
            by_name.setdefault(fold(village.name), []).append(village)
        groups = {}
        for group in EthnicGroup.objects.all():
            groups[fold(group.name)] = groups[group.code] = group
        for alias, code in ALIASES["ethnic_group"].items():
            if code in groups:
                groups.setdefault(alias, groups[code])
        return cls(by_code, by_name, groups, get_language() or "vi")

    def village(self, raw) -> AdministrativeUnit:
        text = _text(raw)
        if found := self.villages_by_code.get(text.upper()):
            return found
        matches = self.villages_by_name.get(fold(text), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
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
    if is_empty(raw):
        return None
    return cell_reader(column, lookups)(raw)


def _name(raw) -> str:
    return normalise_name(_text(raw))  # names as the service stores them


def cell_reader(column: Column, lookups: Lookups) -> Callable:
    """How a non-empty cell of ``column`` is read (``parse_cell`` without the empty check), chosen once per column
    by a caller that reads a whole sheet."""
    kind = column.kind
    if kind == "text":
        return _name if column.key == "full_name" else _text
    if kind == "phone":
        return _parse_phone
    if kind == "id":
        return partial(_parse_id, column)
    if kind in ("int", "money"):
        return _parse_int
    if kind == "decimal":
        return _parse_decimal
    if kind == "date":
        return _parse_date
    if kind in ("bool", "tristate"):
        return _parse_bool
    if kind == "choice":
        return partial(_parse_choice, column, language=lookups.language)
    if kind == "village":
        return lookups.village
    if kind == "ethnic":
        return lookups.ethnic_group
    raise AssertionError(kind)
