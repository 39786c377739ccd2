"""Opening balances and history of a unit that starts using the portal mid-period (số liệu đầu kỳ).

A unit that joins in the middle of a period brings what was decided before it: the poor and near-poor lists in
force (with the decision that approved them and the standard they were judged by), the targets assigned to its
units and the households registered to escape poverty in the years before. Without them the first periods would
count every listed household as newly poor and report no target.

* The lists become ``StatusRecord`` rows marked ``opening_balance`` from the decision date, written through
  ``status_record_add`` (which closes the household's earlier open record and keeps one open record per
  household). They are refused for a unit that already has status history on or after the decision date: the
  opening balance is the start of a unit's history, never a correction of it.
* Targets go through ``poverty_target_set`` (only the level directly above may assign them); a target already in
  the portal with other figures is left alone and reported.
* Registrations of past years follow the rules of ``escape_registration_add`` (poor or near-poor on the day,
  dated in the year or at the end of the year before, one per household and year), except that the year is past;
  when the portal holds no status history on the registration day, the class is taken from the file. Those of the
  current year go through ``escape_registration_add`` itself.

Everything runs in one transaction: the dry run always rolls back, the commit rolls back on the first error, so a
file is written entirely or not at all (STYLE.md rule 9).
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.scoping import unit_scope_q
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.jobs import JobError, job_kind

from .choices import HouseholdClass, Relationship
from .excel import opening as sheets
from .excel.columns import CellError, Lookups, _text, fold, format_vnd, is_empty, parse_cell
from .excel.workbooks import ImportFileError
from .history import record_changes, snapshot_of
from .models import EscapeRegistration, Household, Member, PovertyStandard, PovertyTarget, StatusRecord
from .services import household_save, status_record_add
from .targets import escape_registration_add, official_class_on, poverty_target_set
from .transitions import EARLIEST_YEAR

ON_THE_LISTS = (HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value)
OPENING_NOTE = "Số liệu đầu kỳ (nhập từ danh sách đã được phê duyệt)"
HEAD_COLUMNS = ("full_name", "sex", "date_of_birth", "ethnic_group")
ProgressFn = Callable[[int, str], None]


@dataclass(frozen=True)
class OpeningError:
    sheet: str  # the sheet's title as the officer sees it
    row: int | None
    code: str
    column: str
    message: str


@dataclass
class OpeningReport:
    """What the import found or did, per sheet, and the errors by sheet, row and column."""

    balances: int = 0  # status records written as opening balance
    balances_unchanged: int = 0
    households_created: list[str] = field(default_factory=list)
    targets: int = 0
    targets_unchanged: int = 0
    registrations: int = 0
    registrations_unchanged: int = 0
    errors: list[OpeningError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})

    def sorted_errors(self) -> list[OpeningError]:
        order = [str(title) for title, _columns in sheets.SHEETS.values()]
        return sorted(self.errors, key=lambda e: (order.index(e.sheet) if e.sheet in order else 9, e.row or 0))

    def to_dict(self) -> dict:
        return {**asdict(self), "errors": [asdict(error) for error in self.errors]}

    @classmethod
    def from_dict(cls, data: dict) -> "OpeningReport":
        return cls(**{**data, "errors": [OpeningError(**error) for error in data.get("errors", [])]})


def _sentence(message) -> str:
    message = str(message).strip()
    if message:
        message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [m for ms in error.message_dict.values() for m in ms]
        return list(error.messages)
    return [str(error)]


# --- the standards ------------------------------------------------------------------------------------------------

DOCUMENT_RE = re.compile(r"(\d+)\s*/\s*(\d{4})")
CODE_RE = re.compile(r"^[A-Z]+0*(\d+)_(\d{4})$")


def _standard_key(standard: PovertyStandard) -> tuple[int, int] | None:
    match = CODE_RE.match(standard.code)
    return (int(match[1]), int(match[2])) if match else None


def standard_from_text(text: str, standards: list[PovertyStandard]) -> PovertyStandard | None:
    """The standard an officer names by its code (QD59_2015) or its instrument (QĐ 59/2015/QĐ-TTg, NĐ 07/2021)."""
    wanted = text.strip().upper()
    for standard in standards:
        if standard.code.upper() == wanted:
            return standard
    match = DOCUMENT_RE.search(text)
    if match is None:
        return None
    key = (int(match[1]), int(match[2]))
    return next((s for s in standards if _standard_key(s) == key), None)


def standard_fits(standard: PovertyStandard, decided_on: date) -> bool:
    """A list is judged by the standard in force on its decision date or, for a list approved at the end of a year
    for the next one (QĐ 24/2021, Điều 3: the annual review ends by 14/12), on 1 January of the next year."""
    return any(
        standard.valid_from <= day and (standard.valid_to is None or day <= standard.valid_to)
        for day in (decided_on, date(decided_on.year + 1, 1, 1))
    )


def _period(standard: PovertyStandard) -> str:
    end = standard.valid_to.strftime("%d/%m/%Y") if standard.valid_to else _("nay")
    return f"{standard.valid_from:%d/%m/%Y} – {end}"


# --- the import ---------------------------------------------------------------------------------------------------


class _Import:
    def __init__(self, *, book: sheets.OpeningBook, user, commit: bool, progress: ProgressFn | None):
        self.book, self.user, self.commit = book, user, commit
        self.progress = progress or (lambda percent, message: None)
        self.report = OpeningReport()
        self.today = timezone.localdate()
        self.lookups = Lookups.for_user(user)

    def error(self, sheet: str, row: int | None, code: str, column: str, message) -> None:
        title = str(sheets.SHEETS[sheet][0])
        header = sheets.columns_of(sheet)[column].title if column in sheets.columns_of(sheet) else column
        self.report.errors.append(OpeningError(title, row, code, header, _sentence(message)))

    def run(self) -> OpeningReport:
        with transaction.atomic():
            self.progress(5, _("Đang kiểm tra danh sách đầu kỳ"))
            self.lists()
            self.progress(60, _("Đang kiểm tra chỉ tiêu các năm trước"))
            self.targets()
            self.progress(80, _("Đang kiểm tra đăng ký thoát nghèo"))
            self.registrations()
            if self.report.errors or not self.commit:
                transaction.set_rollback(True)
            else:
                self.report.committed = True
        return self.report

    def parse(self, sheet: str, row: sheets.OpeningRow) -> tuple[dict, bool]:
        """The typed values of a row; False when a cell could not be read (its error is recorded)."""
        values, ok = {}, True
        code = _text(row.raw.get("code") or "").upper()
        for key, raw in row.raw.items():
            column = sheets.columns_of(sheet)[key]
            try:
                if column.kind == "class":
                    values[key] = None if is_empty(raw) else _parse_class(raw)
                else:
                    values[key] = parse_cell(column, raw, self.lookups)
            except CellError as error:
                values[key], ok = None, False
                self.error(sheet, row.number, code, key, error)
        if "code" in values and values["code"]:
            values["code"] = values["code"].upper()
        for column in sheets.SHEETS[sheet][1]:
            if column.required and values.get(column.key) is None and column.key in row.raw:
                if not any(e.row == row.number and e.column == column.title for e in self.report.errors):
                    self.error(sheet, row.number, code, column.key, _("ô này là bắt buộc"))
                ok = False
        return values, ok

    # the approved lists ------------------------------------------------------------------------------------------
    def lists(self) -> None:
        rows = self.book.of(sheets.LISTS)
        if not rows:
            return
        standards = list(PovertyStandard.objects.order_by("valid_from"))
        parsed, seen = [], {}
        for row in rows:
            values, ok = self.parse(sheets.LISTS, row)
            code, village = values.get("code") or "", values.get("village")
            if ok:
                ok = self.check_list_row(row, values, standards)
            if village is not None and code:
                key = (village.parent_id, code)
                if key in seen:
                    self.error(
                        sheets.LISTS,
                        row.number,
                        code,
                        "code",
                        _("hộ %(code)s đã có ở dòng %(row)s; mỗi hộ chỉ ghi một dòng")
                        % {"code": code, "row": seen[key]},
                    )
                    ok = False
                else:
                    seen[key] = row.number
            if ok:
                parsed.append((row, values))
        existing = self.existing_households({(v["village"].parent_id, v["code"]) for _row, v in parsed})
        conflicts = self.conflicting_history(parsed)
        refused_communes = set()
        for done, (row, values) in enumerate(parsed):
            if done % 50 == 0:
                self.progress(
                    5 + done * 55 // max(len(parsed), 1),
                    _("Đã kiểm tra %(done)s/%(total)s hộ")
                    % {"done": format_vnd(done), "total": format_vnd(len(parsed))},
                )
            commune = values["village"].parent
            household = existing.get((commune.pk, values["code"]))
            conflict = conflicts.get((commune.pk, values["decision_date"]))
            if conflict is not None:
                if (commune.pk, values["decision_date"]) not in refused_communes:
                    refused_communes.add((commune.pk, values["decision_date"]))
                    self.error(sheets.LISTS, row.number, values["code"], "decision_date", conflict)
                continue
            self.write_balance(row, values, household)

    def check_list_row(self, row, values: dict, standards: list[PovertyStandard]) -> bool:
        code, ok = values["code"], True
        decided_on = values["decision_date"]
        if decided_on > self.today:
            self.error(sheets.LISTS, row.number, code, "decision_date", _("ngày quyết định không được sau hôm nay"))
            ok = False
        elif decided_on.year < EARLIEST_YEAR - 1:
            self.error(
                sheets.LISTS,
                row.number,
                code,
                "decision_date",
                _("cổng chỉ theo dõi danh sách từ chuẩn nghèo đa chiều (năm %(year)s)") % {"year": EARLIEST_YEAR},
            )
            ok = False
        standard = standard_from_text(values["standard"], standards)
        if standard is None:
            known = "; ".join(f"{s.code} ({s.legal_basis.split(';')[0].split(',')[0]})" for s in standards)
            self.error(
                sheets.LISTS,
                row.number,
                code,
                "standard",
                _("không nhận ra chuẩn nghèo “%(value)s”; hãy ghi một trong: %(known)s")
                % {"value": values["standard"], "known": known},
            )
            ok = False
        elif ok and not standard_fits(standard, decided_on):
            self.error(
                sheets.LISTS,
                row.number,
                code,
                "standard",
                _(
                    "chuẩn %(standard)s áp dụng trong thời gian %(period)s; danh sách phê duyệt ngày %(date)s "
                    "không theo chuẩn này"
                )
                % {"standard": standard.code, "period": _period(standard), "date": f"{decided_on:%d/%m/%Y}"},
            )
            ok = False
        values["standard_code"] = standard.code if standard else ""
        decision = _("Quyết định số %(number)s ngày %(date)s của %(issuer)s") % {
            "number": values["decision_number"],
            "date": f"{decided_on:%d/%m/%Y}",
            "issuer": values["issuer"],
        }
        if len(decision) > StatusRecord._meta.get_field("decision").max_length:
            self.error(
                sheets.LISTS,
                row.number,
                code,
                "issuer",
                _("số quyết định và cơ quan ban hành quá dài (tối đa %(max)s ký tự cả câu “%(text)s”)")
                % {"max": StatusRecord._meta.get_field("decision").max_length, "text": decision},
            )
            ok = False
        values["decision"] = decision
        return ok

    def existing_households(self, keys: set) -> dict:
        codes = {code for _commune, code in keys}
        households = (
            Household.objects.visible_to(self.user)
            .annotate(code_upper=Upper("code"))
            .filter(code_upper__in=codes)
            .select_related("village", "commune")
        )
        return {(h.commune_id, h.code.upper()): h for h in households}

    def conflicting_history(self, parsed: list) -> dict:
        """(commune, decision date) -> why the commune's lists cannot be opened on that date: it already has status
        records from that day on (or running past it), other than this very opening balance imported before."""
        wanted = defaultdict(set)
        for _row, values in parsed:
            wanted[values["village"].parent_id].add(values["decision_date"])
        result = {}
        for commune_id, days in wanted.items():
            earliest = min(days)
            records = list(
                StatusRecord.objects.filter(household__commune_id=commune_id)
                .filter(Q(valid_from__gte=earliest) | Q(valid_to__gte=earliest))
                .select_related("household", "household__commune")
                .order_by("valid_from", "pk")
            )
            for day in days:
                clashing = [
                    r
                    for r in records
                    if (r.valid_from >= day or (r.valid_to is not None and r.valid_to >= day))
                    and not (r.opening_balance and r.valid_from == day)
                ]
                if clashing:
                    first = clashing[0]
                    result[(commune_id, day)] = _(
                        "%(commune)s đã có lịch sử phân loại từ ngày %(date)s trở đi (%(count)s bản ghi, ví dụ hộ "
                        "%(code)s: %(class)s từ ngày %(from)s). Số liệu đầu kỳ chỉ nhập được khi đơn vị chưa có "
                        "lịch sử phân loại sau ngày quyết định; không có hộ nào của xã này được ghi. Hãy kiểm tra "
                        "lại ngày quyết định, hoặc ghi các thay đổi sau ngày đó trên trang của từng hộ"
                    ) % {
                        "commune": first.household.commune.name,
                        "date": f"{day:%d/%m/%Y}",
                        "count": format_vnd(len(clashing)),
                        "code": first.household.code,
                        "class": first.get_household_class_display().lower(),
                        "from": f"{first.valid_from:%d/%m/%Y}",
                    }
        return result

    def write_balance(self, row, values: dict, household: Household | None) -> None:
        code = values["code"]
        if household is None:
            household = self.create_household(row, values)
            if household is None:
                return
        elif household.is_archived:
            self.error(
                sheets.LISTS,
                row.number,
                code,
                "code",
                _("hộ %(code)s đã lưu trữ; không ghi vào danh sách đầu kỳ được") % {"code": code},
            )
            return
        same = household.status_records.filter(
            opening_balance=True,
            valid_from=values["decision_date"],
            household_class=values["household_class"],
            decision=values["decision"],
        ).exists()
        if same:
            self.report.balances_unchanged += 1
            return
        try:
            record = status_record_add(
                household=household,
                household_class=values["household_class"],
                valid_from=values["decision_date"],
                decision=values["decision"],
                user=self.user,
                note=OPENING_NOTE,
                standard_code=values["standard_code"],
            )
        except (ValidationError, IntegrityError) as error:
            for message in _messages(error):
                self.error(sheets.LISTS, row.number, code, "", message)
            return
        record.opening_balance = True
        record.save(update_fields=["opening_balance"])
        self.report.balances += 1

    def create_household(self, row, values: dict) -> Household | None:
        code = values["code"]
        missing = [sheets.columns_of(sheets.LISTS)[k].header for k in HEAD_COLUMNS if values.get(k) is None]
        if missing:
            self.error(
                sheets.LISTS,
                row.number,
                code,
                "full_name",
                _("hộ %(code)s chưa có trong sổ theo dõi của %(commune)s; để tạo hộ hãy ghi %(columns)s của chủ hộ")
                % {
                    "code": code,
                    "commune": values["village"].parent.name,
                    "columns": ", ".join(str(m).lower() for m in missing),
                },
            )
            return None
        household = Household(
            code=code,
            village=values["village"],
            address=values.get("address") or "",
            area_type=values.get("area_type") or "",
        )
        head = Member(
            full_name=values["full_name"],
            relationship=Relationship.HEAD,
            sex=values["sex"],
            date_of_birth=values["date_of_birth"],
            ethnic_group=values["ethnic_group"],
            personal_id=values.get("personal_id") or "",
        )
        try:
            with transaction.atomic():
                household = household_save(household=household, members=[head], user=self.user, expected_version=None)
        except (ValidationError, IntegrityError) as error:
            for message in _messages(error):
                self.error(sheets.LISTS, row.number, code, "", message)
            return None
        self.report.households_created.append(code)
        return household

    # targets of past years -----------------------------------------------------------------------------------------
    def targets(self) -> None:
        rows = self.book.of(sheets.TARGETS)
        if not rows:
            return
        units = self.target_units()
        seen = {}
        for row in rows:
            values, ok = self.parse(sheets.TARGETS, row)
            if not ok:
                continue
            unit = self.unit_named(units, values["unit"], sheets.TARGETS, row, "unit")
            year = values["year"]
            if unit is None:
                continue
            if not EARLIEST_YEAR <= year <= self.today.year:
                self.error(
                    sheets.TARGETS,
                    row.number,
                    "",
                    "year",
                    _("năm phải từ %(first)s đến %(last)s") % {"first": EARLIEST_YEAR, "last": self.today.year},
                )
                continue
            if (unit.pk, year) in seen:
                self.error(
                    sheets.TARGETS,
                    row.number,
                    "",
                    "unit",
                    _("chỉ tiêu năm %(year)s của %(unit)s đã có ở dòng %(row)s")
                    % {"year": year, "unit": unit.name, "row": seen[(unit.pk, year)]},
                )
                continue
            seen[(unit.pk, year)] = row.number
            rate = values["rate_reduction"]
            if isinstance(rate, Decimal) and rate != rate.quantize(Decimal("0.01")):
                self.error(sheets.TARGETS, row.number, "", "rate_reduction", _("ghi tối đa hai chữ số thập phân"))
                continue
            current = PovertyTarget.objects.filter(unit=unit, year=year).first()
            if current is not None:
                if current.households_to_escape == values["households_to_escape"] and current.rate_reduction == rate:
                    self.report.targets_unchanged += 1
                else:
                    self.error(
                        sheets.TARGETS,
                        row.number,
                        "",
                        "households_to_escape",
                        _(
                            "%(unit)s đã có chỉ tiêu năm %(year)s trên cổng (%(households)s hộ, giảm %(rate)s điểm "
                            "%%, theo %(basis)s); hãy điều chỉnh trên trang Mục tiêu giảm nghèo"
                        )
                        % {
                            "unit": unit.name,
                            "year": year,
                            "households": format_vnd(current.households_to_escape),
                            "rate": str(current.rate_reduction).replace(".", ","),
                            "basis": current.legal_basis,
                        },
                    )
                continue
            try:
                poverty_target_set(
                    unit=unit,
                    year=year,
                    households_to_escape=values["households_to_escape"],
                    rate_reduction=rate,
                    legal_basis=values["legal_basis"],
                    note=values.get("note") or "",
                    user=self.user,
                )
            except (ValidationError, PermissionDenied, IntegrityError) as error:
                for message in _messages(error):
                    self.error(sheets.TARGETS, row.number, "", "", message)
                continue
            self.report.targets += 1

    def target_units(self) -> list[AdministrativeUnit]:
        """The units whose targets this officer assigns: those directly below their unit, merged ones included."""
        if not self.user.unit_id:
            return []
        return list(AdministrativeUnit.objects.visible_to(self.user).filter(parent_id=self.user.unit_id))

    def unit_named(self, units, raw, sheet, row, column) -> AdministrativeUnit | None:
        text = str(raw).strip()
        matches = [u for u in units if u.code == text] or [u for u in units if fold(u.name) == fold(text)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            self.error(
                sheet,
                row.number,
                "",
                column,
                _("có nhiều đơn vị tên “%(value)s”; hãy ghi mã đơn vị (%(codes)s)")
                % {"value": text, "codes": ", ".join(u.code for u in matches)},
            )
        else:
            self.error(
                sheet,
                row.number,
                "",
                column,
                _("không tìm thấy “%(value)s” trong các đơn vị trực thuộc đơn vị của bạn") % {"value": text},
            )
        return None

    # escape registrations of past years ------------------------------------------------------------------------
    def registrations(self) -> None:
        rows = self.book.of(sheets.REGISTRATIONS)
        if not rows:
            return
        communes = list(AdministrativeUnit.objects.visible_to(self.user).filter(level=UnitLevel.COMMUNE))
        seen = {}
        for row in rows:
            values, ok = self.parse(sheets.REGISTRATIONS, row)
            if not ok:
                continue
            code = values["code"]
            if values.get("commune"):
                commune = self.unit_named(communes, values["commune"], sheets.REGISTRATIONS, row, "commune")
                if commune is None:
                    continue
            elif len(communes) == 1:
                commune = communes[0]
            else:
                self.error(sheets.REGISTRATIONS, row.number, code, "commune", _("hãy ghi xã của hộ"))
                continue
            household = Household.objects.visible_to(self.user).filter(commune=commune, code__iexact=code).first()
            if household is None:
                self.error(
                    sheets.REGISTRATIONS,
                    row.number,
                    code,
                    "code",
                    _("không tìm thấy hộ %(code)s trong %(commune)s") % {"code": code, "commune": commune.name},
                )
                continue
            key = (household.pk, values["year"])
            if key in seen:
                self.error(
                    sheets.REGISTRATIONS,
                    row.number,
                    code,
                    "code",
                    _("hộ %(code)s đã có đăng ký năm %(year)s ở dòng %(row)s")
                    % {"code": code, "year": values["year"], "row": seen[key]},
                )
                continue
            seen[key] = row.number
            try:
                with transaction.atomic():
                    if values["year"] >= self.today.year:
                        escape_registration_add(
                            household=household,
                            year=values["year"],
                            registered_on=values["registered_on"],
                            user=self.user,
                            cadre_name=values["cadre_name"],
                            cadre_position=values.get("cadre_position") or "",
                            commitment=values.get("commitment") or "",
                        )
                        written = True
                    else:
                        written = escape_registration_record_past(
                            household=household,
                            year=values["year"],
                            registered_on=values["registered_on"],
                            household_class=values.get("class_at_registration"),
                            cadre_name=values["cadre_name"],
                            cadre_position=values.get("cadre_position") or "",
                            commitment=values.get("commitment") or "",
                            user=self.user,
                        )
            except (ValidationError, PermissionDenied, IntegrityError) as error:
                for message in _messages(error):
                    self.error(sheets.REGISTRATIONS, row.number, code, "", message)
                continue
            if written:
                self.report.registrations += 1
            else:
                self.report.registrations_unchanged += 1


def _parse_class(raw) -> str:
    word = fold(raw)
    for value, label in sheets.LIST_CLASSES:
        if word in (fold(value), fold(label)):
            return value
    if word in sheets.CLASS_ALIASES:
        return sheets.CLASS_ALIASES[word]
    raise CellError(_("“%(value)s” không hợp lệ; chỉ nhận Hộ nghèo hoặc Hộ cận nghèo") % {"value": _text(raw)})


@transaction.atomic
def escape_registration_record_past(
    *,
    household: Household,
    year: int,
    registered_on: date,
    household_class: str | None,
    cadre_name: str,
    user,
    cadre_position: str = "",
    commitment: str = "",
) -> bool:
    """Record a registration to escape poverty of a year before the portal, under the rules of
    ``escape_registration_add`` but for a past year; the class is the list's on the day, or the file's when the
    portal has no history then. False when the same registration is already recorded."""
    errors = []
    today = timezone.localdate()
    if not Household.objects.visible_to(user).filter(pk=household.pk).exists():
        raise PermissionDenied(_("Hộ này không thuộc đơn vị của bạn."))
    if not EARLIEST_YEAR <= year < today.year:
        errors.append(
            _("Năm đăng ký của những năm trước phải từ %(first)s đến %(last)s.")
            % {"first": EARLIEST_YEAR, "last": today.year - 1}
        )
    if registered_on > today:
        errors.append(_("Ngày đăng ký không được sau hôm nay."))
    if registered_on.year not in (year - 1, year):
        errors.append(_("Ngày đăng ký phải trong năm %(year)s hoặc cuối năm trước đó.") % {"year": year})
    on_list = official_class_on(household, registered_on)
    if on_list is not None:
        if on_list not in ON_THE_LISTS:
            errors.append(
                _(
                    "Theo lịch sử phân loại, ngày %(date)s hộ %(code)s là %(class)s, không thuộc danh sách hộ nghèo, "
                    "hộ cận nghèo, nên không đăng ký thoát nghèo được."
                )
                % {
                    "date": f"{registered_on:%d/%m/%Y}",
                    "code": household.code,
                    "class": HouseholdClass(on_list).label.lower(),
                }
            )
        elif household_class and household_class != on_list:
            errors.append(
                _("Theo lịch sử phân loại, ngày %(date)s hộ %(code)s là %(class)s, khác với phân loại ghi trong tệp.")
                % {
                    "date": f"{registered_on:%d/%m/%Y}",
                    "code": household.code,
                    "class": HouseholdClass(on_list).label.lower(),
                }
            )
        household_class = on_list
    elif household_class not in ON_THE_LISTS:
        errors.append(
            _(
                "Sổ theo dõi chưa có lịch sử phân loại của hộ %(code)s vào ngày %(date)s; hãy ghi cột Phân loại khi "
                "đăng ký (Hộ nghèo hoặc Hộ cận nghèo)."
            )
            % {"code": household.code, "date": f"{registered_on:%d/%m/%Y}"}
        )
    if not cadre_name.strip():
        errors.append(_("Hãy ghi tên cán bộ phụ trách giúp đỡ hộ."))
    existing = EscapeRegistration.objects.active().filter(household=household, year=year).first()
    if existing is not None and not errors:
        if existing.registered_on == registered_on and existing.cadre_name == cadre_name.strip():
            return False
        errors.append(_("Hộ %(code)s đã đăng ký thoát nghèo năm %(year)s.") % {"code": household.code, "year": year})
    if errors:
        raise ValidationError(errors)
    before = snapshot_of(household.pk)
    registration = EscapeRegistration(
        household=household,
        year=year,
        registered_on=registered_on,
        class_at_registration=household_class,
        cadre_name=cadre_name.strip(),
        cadre_position=cadre_position.strip(),
        commitment=commitment.strip(),
        created_by=user,
    )
    registration.full_clean()
    registration.save()
    record_changes(
        household=household,
        before=before,
        user=user,
        action="escape_register",
        note=_("Đăng ký thoát nghèo năm %(year)s (nhập số liệu những năm trước); cán bộ phụ trách: %(cadre)s")
        % {"year": year, "cadre": ", ".join(p for p in (registration.cadre_name, registration.cadre_position) if p)},
    )
    return True


def opening_import(
    *, book: sheets.OpeningBook, user, commit: bool, progress: ProgressFn | None = None
) -> OpeningReport:
    """Validate every row of the three sheets with the registry's services; write only if all are valid.

    ``commit=False`` is the dry run: everything happens in a transaction that is rolled back."""
    return _Import(book=book, user=user, commit=commit, progress=progress).run()


# --- what was recorded ----------------------------------------------------------------------------------------


@dataclass
class OpeningBalance:
    """One approved list recorded as a commune's opening balance: the decision, its date, the standard, counts."""

    commune: str
    decision: str
    valid_from: date
    standard_code: str
    standard: str  # the instrument, e.g. "Quyết định 59/2015/QĐ-TTg, Điều 1 và Điều 2"
    poor: int = 0
    near_poor: int = 0

    @property
    def total(self) -> int:
        return self.poor + self.near_poor


def opening_balances_for(user) -> list[OpeningBalance]:
    """The opening balances recorded in the units the user sees, one row per commune and decision (one query)."""
    rows = (
        StatusRecord.objects.filter(opening_balance=True)
        .filter(unit_scope_q(user, "household__village"))
        .values(
            "household__commune__name",
            "household__commune__code",
            "decision",
            "valid_from",
            "standard_code",
            "household_class",
        )
        .annotate(households=Count("pk"))
        .order_by("household__commune__code", "valid_from", "decision")
    )
    standards = {
        code: basis.split(";")[0] for code, basis in PovertyStandard.objects.values_list("code", "legal_basis")
    }
    grouped: dict[tuple, OpeningBalance] = {}
    for row in rows:
        key = (row["household__commune__code"], row["decision"], row["valid_from"], row["standard_code"])
        balance = grouped.setdefault(
            key,
            OpeningBalance(
                row["household__commune__name"],
                row["decision"],
                row["valid_from"],
                row["standard_code"],
                standards.get(row["standard_code"], row["standard_code"]),
            ),
        )
        if row["household_class"] == HouseholdClass.POOR:
            balance.poor += row["households"]
        elif row["household_class"] == HouseholdClass.NEAR_POOR:
            balance.near_poor += row["households"]
    return list(grouped.values())


# --- the background job ---------------------------------------------------------------------------------------

OPENING_JOB = "opening_balance_import"
# District and commune staff bring their units' lists, targets and registrations; the province those of the units
# directly below it (targets); the administrator helps a unit that starts.
OPENING_IMPORTERS = frozenset({Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN})


@job_kind(OPENING_JOB, gettext_lazy("Nhập số liệu đầu kỳ từ Excel"), roles=OPENING_IMPORTERS)
def opening_import_job(job, progress) -> dict:
    """Dry run (params.commit false) or commit of an uploaded opening-balance workbook, as its uploader."""
    from .jobs import stored_upload

    params = job.params
    content = stored_upload(params.get("token", ""), params.get("sha256", ""))
    if content is None:
        raise JobError(_("Tệp đã tải lên không còn trên máy chủ; hãy tải tệp lên lại."))
    if job.requested_by is None or not job.requested_by.is_active:
        raise JobError(_("Tài khoản đã tải tệp lên không còn hoạt động."))
    progress(1, _("Đang đọc tệp"))
    try:
        book = sheets.read_opening_workbook(content)
    except ImportFileError as error:
        raise JobError(str(error)) from error
    report = opening_import(book=book, user=job.requested_by, commit=bool(params.get("commit")), progress=progress)
    return {"report": report.to_dict()}
