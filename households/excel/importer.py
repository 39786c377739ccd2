"""The import: rows grouped into households, validated with the registry's forms and service, all or nothing.

This module reads the rows into households and runs the checks that need no database; ``bulk`` validates the
households against the registry and writes them (docs/adr/0026).

A household or member whose values in the file equal the registry's is not validated again and not saved:
re-importing a file changes nothing (no version bump, no change-log entry).
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from areas.models import AdministrativeUnit
from households.choices import Relationship
from households.forms import HouseholdForm, MemberForm
from households.models import EthnicGroup, Household, Member

from .columns import (
    BY_KEY,
    HOUSEHOLD_COLUMNS,
    KEEP_WHEN_EMPTY,
    MEMBER_COLUMNS,
    CellError,
    Column,
    Lookups,
    display,
    format_vnd,
    parse_cell,
)
from .parsed import LOOKUP_KINDS, ParsedSheet, parse_sheet
from .workbooks import EXAMPLE_CODE, Sheet

HOUSEHOLD_FORM_FIELDS = list(HouseholdForm._meta.fields)
REQUIRED_MEMBER_COLUMNS = tuple(column for column in MEMBER_COLUMNS if column.required)
MEMBER_FORM_FIELDS = list(MemberForm._meta.fields)


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel shows it
    code: str
    column: str
    message: str


@dataclass
class ImportReport:
    """What the import found or did: the errors per row and cell, the households created, updated, unchanged."""

    households: int = 0
    members: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)  # "commune_id:code" -> version read
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row or 0, e.column))

    def to_dict(self) -> dict:
        """JSON for the background job's result (the preview page reads it back with ``from_dict``)."""
        return {**asdict(self), "errors": [asdict(error) for error in self.errors]}

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        return cls(**{**data, "errors": [RowError(**error) for error in data.get("errors", [])]})


def import_summary(report: ImportReport) -> str:
    return _("%(total)s hộ: %(created)s hộ mới, %(updated)s hộ cập nhật, %(unchanged)s hộ không thay đổi.") % {
        "total": format_vnd(report.households),
        "created": format_vnd(len(report.created)),
        "updated": format_vnd(len(report.updated)),
        "unchanged": format_vnd(len(report.unchanged)),
    }


@dataclass
class ParsedRow:
    number: int
    values: dict  # column key -> typed value (None: empty cell; key absent: column not in the file)
    failed: set  # keys of the cells that could not be read
    member: bool | None = field(default=None, repr=False, compare=False)  # has_member(), once the row is parsed

    def has_member(self) -> bool:
        """Whether the row holds a member (a filled or unreadable member cell); worked out once, as the import asks
        three times per row and the row does not change after parsing."""
        if self.member is None:
            self.member = any(self.values.get(c.key) is not None or c.key in self.failed for c in MEMBER_COLUMNS)
        return self.member


@dataclass
class Group:
    """The rows of one household (same Mã hộ) and the errors found in them."""

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


def _sentence(message) -> str:
    message = str(message).strip()
    if message:
        message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def _model_values(instance, fields: list[str]) -> dict:
    """The instance's values in form-data shape (foreign keys by pk; lists copied)."""
    kept, read = _READERS.get((type(instance), id(fields)), (None, None))
    if kept is not fields:  # worked out once per model and list of fields (an import reads 126.000 instances)
        attnames = [instance._meta.get_field(name).attname for name in fields]
        read = attrgetter(*attnames) if len(attnames) > 1 else lambda obj, name=attnames[0]: (getattr(obj, name),)
        _READERS[(type(instance), id(fields))] = fields, read
    values = dict(zip(fields, read(instance), strict=True))
    for name, value in values.items():
        if type(value) is list:
            values[name] = list(value)
    return values


_READERS: dict[tuple, tuple] = {}  # (model, id of the fields' list) -> (that list, kept alive; its reader)


def _form_data(instance, fields: list[str], row_values: dict, columns: tuple[Column, ...]) -> dict:
    """The registry's values overlaid with the file's: fields without a column in the file are kept."""
    return _overlay(_model_values(instance, fields), row_values, columns)


def _overlay(data: dict, row_values: dict, columns: tuple[Column, ...]) -> dict:
    # What depends only on the columns, worked out once per tuple of columns (by identity, as ``bulk._assign`` does;
    # the entry keeps the tuple alive). Only the village and ethnic-group cells hold rows of the database: the other
    # cells are parsed values (``parsed.parse_sheet``).
    kept, plan = _OVERLAYS.get(id(columns), (None, None))
    if kept is not columns:
        plan = [(c.key, c.key in KEEP_WHEN_EMPTY, c.kind in LOOKUP_KINDS) for c in columns]
        _OVERLAYS[id(columns)] = columns, plan
    for key, keep_when_empty, lookup in plan:
        if key not in row_values:
            continue
        value = row_values[key]
        if value is None and keep_when_empty:
            continue
        data[key] = value.pk if lookup and isinstance(value, AdministrativeUnit | EthnicGroup) else value
    return data


_OVERLAYS: dict[int, tuple] = {}


def _same(data: dict, current: dict) -> bool:
    """Whether the file's values equal the registry's (an empty cell equals an empty text)."""
    return all(
        data.get(name) == value or (data.get(name) in (None, "") and value in (None, ""))
        for name, value in current.items()
    )


ProgressFn = Callable[[int, str], None]


class BaseImporter:
    """Reading the rows into households and the checks that need no database; subclasses validate and write."""

    def __init__(
        self,
        *,
        sheet: Sheet | ParsedSheet,
        user,
        commit: bool,
        expected_versions: dict | None,
        progress: ProgressFn | None,
    ):
        self.sheet, self.user, self.commit, self.expected_versions = sheet, user, commit, expected_versions
        self.progress = progress or (lambda percent, message: None)
        self.report = ImportReport()
        self.lookups = Lookups.for_user(user)
        self.present_columns: list[Column] | None = None

    def progress_message(self, done: int, total: int) -> str:
        return _("Đã xử lý %(done)s/%(total)s hộ") % {"done": format_vnd(done), "total": format_vnd(total)}

    def parse(self) -> list[Group]:
        """The rows grouped into households, from the sheet or from the cells a dry run parsed (``parsed``); the
        village and ethnic-group cells are looked up here, by every run, in the lookups it read itself."""
        parsed = self.sheet if isinstance(self.sheet, ParsedSheet) else parse_sheet(self.sheet, self.lookups.language)
        columns = parsed.columns
        position = {key: index for index, key in enumerate(columns)}
        lookups = [(key, BY_KEY[key]) for key in columns if BY_KEY[key].kind in LOOKUP_KINDS]
        found: dict[tuple, tuple] = {}  # (column, type, cell) -> (value, error): a village is on every row
        groups: dict[str, Group] = {}
        for number, values, errors in parsed.rows:
            row = ParsedRow(number, dict(zip(columns, values, strict=True)), {key for key, _message in errors})
            cell_errors = [(BY_KEY[key], message) for key, message in errors]
            for key, column in lookups:
                cell = row.values[key]
                if cell is None:
                    continue
                memo = (key, type(cell), cell)
                if memo not in found:
                    try:
                        found[memo] = parse_cell(column, cell, self.lookups), None
                    except CellError as error:
                        found[memo] = None, str(error)
                row.values[key], message = found[memo]
                if message is not None:
                    row.failed.add(key)
                    cell_errors.append((column, message))
            if len(cell_errors) > 1:  # in the columns' order, as the cells are read
                cell_errors.sort(key=lambda error: position[error[0].key])
            code = (row.values.get("code") or "").upper()
            if not code:
                self.report.errors.append(RowError(row.number, "", BY_KEY["code"].title, _("Thiếu mã hộ.")))
                continue
            row.values["code"] = code
            group = groups.setdefault(code, Group(code, []))
            group.rows.append(row)
            for column, message in cell_errors:
                group.error(row, column, message)
        return list(groups.values())

    def check_group(self, group: Group) -> None:
        """Required cells, and household cells of later rows that contradict the first row of the household."""
        first = group.first
        if group.code == EXAMPLE_CODE:
            group.error(first, BY_KEY["code"], _("đây là hộ ví dụ của tệp mẫu; hãy xoá các dòng ví dụ trước khi nhập"))
        if self.present_columns is None:  # the sheet's household columns, worked out once per file
            present = set(self.sheet.columns)
            self.present_columns = [column for column in HOUSEHOLD_COLUMNS if column.key in present]
        first_values, first_failed, later = first.values, first.failed, group.rows[1:]
        for column in self.present_columns:
            key = column.key
            if column.required and first_values.get(key) is None and key not in first_failed:
                group.error(first, column, _("ô này là bắt buộc"))
            if not later or key in first_failed:
                continue
            for row in later:
                value = row.values.get(key)
                if value is None or key in row.failed:
                    continue
                if value != first_values.get(key):
                    group.error(
                        row,
                        column,
                        _(
                            "khác với dòng %(row)s của cùng hộ %(code)s (“%(first)s”); thông tin hộ lấy theo dòng đầu "
                            "của hộ"
                        )
                        % {"row": first.number, "code": group.code, "first": display(column, first.values[key])},
                    )
        for row in group.rows:
            if row.has_member():
                for column in REQUIRED_MEMBER_COLUMNS:
                    if row.values.get(column.key) is None and column.key not in row.failed:
                        group.error(row, column, _("ô này là bắt buộc trên dòng có thành viên"))

    def form_errors(self, group: Group, row: ParsedRow, form, columns: tuple[Column, ...]) -> None:
        by_field = {c.key: c for c in columns}
        for name, messages in form.errors.items():
            column = by_field.get(name)
            if column is not None and (column.key in row.failed or group.has_error(row, column)):
                continue  # the cell error already says why
            for message in messages:
                if column is None and name != "__all__":
                    message = f"{form.fields[name].label if name in form.fields else name}: {message}"
                group.error(row, column or "", message)

    def service_errors(self, group: Group, staying: list[tuple[Member, int]], error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            messages = [
                m if n == "__all__" else f"{_field_label(n)}: {m}" for n, ms in error.message_dict.items() for m in ms
            ]
        else:
            messages = error.messages
        for message in messages:
            rows, column = _locate(message, staying)
            for number in rows or [group.first.number]:
                group.error(number, column, message)


def _field_label(name: str) -> str:
    for model in (Household, Member):
        try:
            return capfirst(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            continue
    return name


def _locate(message: str, members: list[tuple[Member, int]]) -> tuple[list[int], str]:
    """The rows and the column a service message is about: by personal ID, then by name, else the household."""
    lowered = message.lower()
    if "ngày cấp cccd" in lowered:
        column = BY_KEY["personal_id_issued_on"].title
    elif "định danh" in lowered or "chữ số" in lowered or "ba số đầu" in lowered:
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
