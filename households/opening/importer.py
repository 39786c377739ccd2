"""The import of the three sheets, all or nothing; the lists are checked and written here, the targets and
registrations of past years by ``history.HistoryRows``."""

from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Relationship
from ..excel import opening as sheets
from ..excel.columns import CellError, Lookups, _text, fold, format_vnd, is_empty, parse_cell
from ..models import Household, Member, PovertyStandard, StatusRecord
from ..services import household_save, status_record_add
from ..transitions import EARLIEST_YEAR
from .history import HistoryRows
from .report import OpeningError, OpeningReport, _messages, _sentence
from .standards import _period, standard_fits, standard_from_text

OPENING_NOTE = "Số liệu đầu kỳ (nhập từ danh sách đã được phê duyệt)"
HEAD_COLUMNS = ("full_name", "sex", "date_of_birth", "ethnic_group")
ProgressFn = Callable[[int, str], None]


# --- the import ---------------------------------------------------------------------------------------------------


class _Import(HistoryRows):
    def __init__(self, *, book: sheets.OpeningBook, user, commit: bool, progress: ProgressFn | None):
        self.book, self.user, self.commit = book, user, commit
        self.progress = progress or (lambda percent, message: None)
        self.report = OpeningReport()
        self.today = timezone.localdate()
        self.lookups = Lookups.for_user(user)
        self.recorded: set[tuple] = set()

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
        # The decision as it is cited in the registry and the reports, in Vietnamese whatever the officer's language.
        decision = f"Quyết định số {values['decision_number']} ngày {decided_on:%d/%m/%Y} của {values['issuer']}"
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
        self.recorded = set()  # the opening balances already recorded: importing them again changes nothing
        for commune_id, days in wanted.items():
            earliest = min(days)
            records = list(
                StatusRecord.objects.filter(household__commune_id=commune_id)
                .filter(Q(valid_from__gte=earliest) | Q(valid_to__gte=earliest))
                .select_related("household", "household__commune")
                .order_by("valid_from", "pk")
            )
            self.recorded |= {
                (r.household_id, r.valid_from, r.household_class, r.decision) for r in records if r.opening_balance
            }
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
        if (household.pk, values["decision_date"], values["household_class"], values["decision"]) in self.recorded:
            self.report.balances_unchanged += 1
            return
        try:
            status_record_add(
                household=household,
                household_class=values["household_class"],
                valid_from=values["decision_date"],
                decision=values["decision"],
                user=self.user,
                note=OPENING_NOTE,
                standard_code=values["standard_code"],
                opening_balance=True,
            )
        except (ValidationError, IntegrityError) as error:
            for message in _messages(error):
                self.error(sheets.LISTS, row.number, code, "", message)
            return
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


def _parse_class(raw) -> str:
    word = fold(raw)
    for value, label in sheets.LIST_CLASSES:
        if word in (fold(value), fold(label)):
            return value
    if word in sheets.CLASS_ALIASES:
        return sheets.CLASS_ALIASES[word]
    raise CellError(_("“%(value)s” không hợp lệ; chỉ nhận Hộ nghèo hoặc Hộ cận nghèo") % {"value": _text(raw)})


def opening_import(
    *, book: sheets.OpeningBook, user, commit: bool, progress: ProgressFn | None = None
) -> OpeningReport:
    """Validate every row of the three sheets with the registry's services; write only if all are valid.

    ``commit=False`` is the dry run: everything happens in a transaction that is rolled back."""
    return _Import(book=book, user=user, commit=commit, progress=progress).run()
