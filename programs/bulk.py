"""Bulk work officers do every year: the BHYT list for the social-insurance agency and the card
numbers back, the quarterly electricity-subsidy payments, a training course's participants.

Imports follow the registry's rules (STYLE.md rule 9): every row goes through the rules of ``benefit_record`` (the
same validation and eligibility as the form) inside one transaction; the dry run always rolls back, and the real run
rolls back as soon as one row fails, so either every row is written or none is. The electricity payment and a course's
participants are checked and written as one batch (``services.benefits_record``: what the rules read is read once for
the batch, the benefits and their log inserted a thousand per statement, docs/adr/0062); BHYT cards row by row, each
card written into the household's registry before the next row is checked.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.excel.columns import CellError, _parse_bool, _parse_date, _parse_int, _text, fold, is_empty
from households.models import Household, Member
from households.selectors import AnyOf

from . import eligibility
from .choices import LogAction, ProgrammeKind
from .excel import Col, SheetRow
from .models import Benefit, Programme
from .services import (
    PROGRESS_EVERY,
    benefit_record,
    benefits_record,
    bhyt_share,
    prefetch_status_periods,
    status_periods,
)
from .status import group_q


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class BulkReport:
    rows: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def to_dict(self) -> dict:
        """The report as JSON, for a background job's result (``JobRun.result``)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "skipped": self.skipped,
            "committed": self.committed,
            "errors": [{"row": e.row, "column": str(e.column), "message": str(e.message)} for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "BulkReport":
        """The report a job stored, rebuilt for the page that shows it."""
        return cls(
            rows=data.get("rows", 0),
            created=data.get("created", 0),
            skipped=data.get("skipped", 0),
            committed=bool(data.get("committed")),
            errors=[RowError(e.get("row"), e.get("column", ""), e.get("message", "")) for e in data.get("errors", [])],
        )


class _Rollback(Exception):
    pass


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        out = []
        for name, errors in error.message_dict.items():
            label = "" if name == "__all__" else str(Benefit._meta.get_field(name).verbose_name).capitalize()
            out += [(label, message) for message in errors]
        return out
    return [("", message) for message in error.messages]


Progress = Callable[[int, int], None]  # progress(done, total)


def _run(
    rows: list,
    *,
    commit: bool,
    build,
    user,
    report: BulkReport,
    progress: Progress | None = None,
    one_by_one: bool = False,
) -> BulkReport:
    """Build and record every row inside one transaction; roll back on a dry run or on any error.

    The rows' benefits are recorded together by ``benefits_record`` (the rules of ``benefit_record``, read once for
    the batch); ``one_by_one`` records each through ``benefit_record`` instead, for BHYT cards, whose row writes the
    card into the household's registry (``household_save``) before the next row is checked."""
    try:
        with transaction.atomic():
            if one_by_one:
                _record_each(rows, build=build, user=user, report=report, progress=progress)
            else:
                _record_together(rows, build=build, user=user, report=report, progress=progress)
            if not commit or report.errors:
                raise _Rollback
            report.committed = True
    except _Rollback:
        pass
    return report


def _record_each(rows: list, *, build, user, report: BulkReport, progress: Progress | None) -> None:
    total = len(rows)
    for done, row in enumerate(rows):
        if progress is not None and done and done % PROGRESS_EVERY == 0:
            progress(done, total)
        report.rows += 1
        try:
            benefit = build(row)
        except RowCellError as error:
            report.errors += [RowError(row.number, column, message) for column, message in error.problems]
            continue
        if benefit is None:
            report.skipped += 1
            continue
        try:
            # benefit_record runs in its own savepoint (transaction.atomic): a refused row is undone alone.
            benefit_record(benefit=benefit, user=user, action=LogAction.IMPORT)
            report.created += 1
        except ValidationError as error:
            report.errors += [RowError(row.number, c, m) for c, m in _messages(error)]


def _record_together(rows: list, *, build, user, report: BulkReport, progress: Progress | None) -> None:
    """Every row built first (its cells, its member), then the benefits checked and written as one batch; the
    report lists each refused row's errors in the rows' order, as when each row was recorded in turn."""
    errors: list[tuple[int, RowError]] = []  # (the row's place in the file, its error)
    built: list[tuple[int, object, Benefit]] = []  # (place, row, benefit)
    for place, row in enumerate(rows):
        report.rows += 1
        try:
            benefit = build(row)
        except RowCellError as error:
            errors += [(place, RowError(row.number, column, message)) for column, message in error.problems]
            continue
        if benefit is None:
            report.skipped += 1
            continue
        built.append((place, row, benefit))
    refused = benefits_record(
        benefits=[benefit for _place, _row, benefit in built], user=user, action=LogAction.IMPORT, progress=progress
    )
    for index, error in refused:
        place, row, _benefit = built[index]
        errors += [(place, RowError(row.number, c, m)) for c, m in _messages(error)]
    report.created += len(built) - len({index for index, _error in refused})
    report.errors += [error for _place, error in sorted(errors, key=lambda item: item[0])]


class RowCellError(CellError):
    """One or more cells of a row cannot be used: ``problems`` lists (column header, Vietnamese message)."""

    def __init__(self, column: str, message: str, problems: list | None = None):
        super().__init__(message)
        self.column = column
        self.problems = problems or [(column, _sentence(message))]


def _sentence(message) -> str:
    message = str(message).strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


class Cells:
    """Reads the cells of one row, collecting every unreadable cell before the row is refused."""

    def __init__(self, raw: dict):
        self.raw, self.problems = raw, []

    def get(self, parse, column: Col, required: bool | None = None):
        value = self.raw.get(column.key)
        if is_empty(value):
            if column.required if required is None else required:
                self.problems.append((column.title, _("Ô này không được để trống.")))
            return None
        try:
            return parse(value)
        except CellError as error:
            self.problems.append((column.title, _sentence(error)))
            return None

    def check(self) -> None:
        if self.problems:
            column, message = self.problems[0]
            raise RowCellError(column, message, self.problems)


# --- BHYT -------------------------------------------------------------------------------------------------------

BHYT_COLUMNS = (
    Col("member_id", gettext_lazy("Mã thành viên"), 12, "int", required=True),
    Col("household", gettext_lazy("Mã hộ"), 12),
    Col("village", gettext_lazy("Thôn, buôn"), 18),
    Col("group", gettext_lazy("Đối tượng"), 22),
    Col("full_name", gettext_lazy("Họ và tên"), 24),
    Col("sex", gettext_lazy("Giới tính"), 8),
    Col("date_of_birth", gettext_lazy("Ngày sinh"), 12, "date"),
    Col("personal_id", gettext_lazy("Số định danh cá nhân"), 16, "text"),
    Col("ethnic", gettext_lazy("Dân tộc"), 12),
    Col("old_card", gettext_lazy("Số thẻ cũ"), 17, "text"),
    Col("old_valid_to", gettext_lazy("Thẻ cũ hết hạn"), 12, "date"),
    Col("share", gettext_lazy("Mức ngân sách hỗ trợ (%)"), 12, "int"),
    Col("card_number", gettext_lazy("Số thẻ BHYT mới"), 17, "text"),
    Col("card_valid_from", gettext_lazy("Giá trị từ ngày"), 12, "date"),
    Col("card_valid_to", gettext_lazy("Giá trị đến ngày"), 12, "date"),
)
BHYT_BY_KEY = {c.key: c for c in BHYT_COLUMNS}


def bhyt_rows(members, *, day: date, programme: Programme) -> list[dict]:
    """Rows of the list sent to the social-insurance agency (statuses read in SQL for the whole list)."""
    members = list(members)
    ids = [m.household_id for m in members]
    groups = {}
    eligible = programme.eligible_statuses
    for status in ("poor", "near_poor", "average_living"):
        matching = Household.objects.filter(pk__in=ids).filter(group_q(status, day, eligible))
        for pk in matching.values_list("pk", flat=True):
            groups[pk] = status
    labels = {
        "poor": _("Người thuộc hộ nghèo"),
        "near_poor": _("Người thuộc hộ cận nghèo"),
        "average_living": _("Người thuộc hộ có mức sống trung bình"),
    }
    rows = []
    for m in members:
        status = groups.get(m.household_id, "")
        rows.append(
            {
                "member_id": m.pk,
                "household": m.household.code,
                "household_pk": m.household_id,
                "village": m.household.village.name,
                "group": str(labels.get(status, "")),
                "full_name": m.full_name,
                "sex": m.get_sex_display(),
                "date_of_birth": m.date_of_birth,
                "personal_id": m.personal_id,
                "ethnic": m.ethnic_group.name,
                "old_card": m.health_insurance_number,
                "old_valid_to": m.health_insurance_valid_to,
                "share": bhyt_share(programme, status, m.ethnic_group.is_minority, m.household.commune.code),
            }
        )
    return rows


def bhyt_import(*, rows: list[SheetRow], user, commit: bool, progress: Progress | None = None) -> BulkReport:
    """Card numbers from the agency: one BHYT benefit per row that has a card number (others are skipped)."""
    programme = Programme.objects.get(code="BHYT")
    members = Member.objects.visible_to(user).current().select_related("household__commune", "ethnic_group")
    # The file's members read at once, with their households' status periods (``services.status_periods``), instead
    # of one query a row for the member and two for its periods: the same members, the same rules.
    members = {m.pk: m for m in members.filter(pk__in=_file_member_ids(rows))}
    prefetch_status_periods([m.household for m in members.values()])
    seen: set[int] = set()

    def build(row: SheetRow):
        raw = row.raw
        cells = Cells(raw)
        card = cells.get(_text, BHYT_BY_KEY["card_number"])
        member_id = cells.get(_parse_int, BHYT_BY_KEY["member_id"])
        if not card and not cells.problems:
            return None
        valid_from = cells.get(_parse_date, BHYT_BY_KEY["card_valid_from"], required=True)
        valid_to = cells.get(_parse_date, BHYT_BY_KEY["card_valid_to"], required=True)
        share = cells.get(_parse_int, BHYT_BY_KEY["share"])
        cells.check()
        member = members.get(member_id)
        if member is None:
            raise RowCellError(
                BHYT_BY_KEY["member_id"].title,
                _("Không có thành viên mã %(id)s trong đơn vị của bạn.") % {"id": member_id},
            )
        if member_id in seen:
            raise RowCellError(BHYT_BY_KEY["member_id"].title, _("Thành viên này có hai dòng trong tệp."))
        seen.add(member_id)
        name = raw.get("full_name")
        if not is_empty(name) and fold(name) != fold(member.full_name):
            raise RowCellError(
                BHYT_BY_KEY["full_name"].title,
                _("Họ tên “%(file)s” khác với sổ hộ (“%(name)s”); kiểm tra lại Mã thành viên.")
                % {"file": _text(name), "name": member.full_name},
            )
        if share is None:  # the group's share on the card's first day (a catalogue parameter), never a guess
            standing = eligibility.standing_on(
                status_periods(member.household), valid_from, programme.recently_escaped_years
            )
            group = standing.group_for(programme.eligible_statuses)
            share = bhyt_share(programme, group, member.ethnic_group.is_minority, member.household.commune.code)
        return Benefit(
            programme=programme,
            household=member.household,
            member=member,
            date=valid_from,
            card_number=card.upper().replace(" ", ""),
            card_valid_from=valid_from,
            card_valid_to=valid_to,
            funding_share=share,
        )

    return _run(rows, commit=commit, build=build, user=user, report=BulkReport(), progress=progress, one_by_one=True)


def _file_member_ids(rows: list[SheetRow]) -> set[int]:
    """The member ids the file's rows name (unreadable cells are left to the row's own check)."""
    ids = set()
    for row in rows:
        try:
            value = row.raw.get("member_id")
            if not is_empty(value):
                ids.add(_parse_int(value))
        except CellError:
            continue
    return ids


# --- training ---------------------------------------------------------------------------------------------------

TRAINING_COLUMNS = (
    Col("household", gettext_lazy("Mã hộ"), 12, required=True),
    Col("full_name", gettext_lazy("Họ và tên"), 24, required=True),
    Col("date_of_birth", gettext_lazy("Ngày sinh"), 12, "date"),
    Col("personal_id", gettext_lazy("Số định danh cá nhân"), 16, "text"),
    Col("certificate", gettext_lazy("Số chứng chỉ"), 14, "text"),
    Col("employed_after", gettext_lazy("Có việc làm sau học nghề"), 14),
)
TRAINING_BY_KEY = {c.key: c for c in TRAINING_COLUMNS}


@dataclass(frozen=True)
class Course:
    programme: Programme
    course_name: str
    occupation: str
    course_start: date
    course_end: date
    amount: int | None
    decision: str = ""


def training_import(*, rows: list[SheetRow], course: Course, user) -> callable:
    members = Member.objects.visible_to(user).current().select_related("household")
    by_code, by_pid = _file_trainees(members, rows)
    seen: set[int] = set()

    def build(row: SheetRow):
        cells = Cells(row.raw)
        code = cells.get(_text, TRAINING_BY_KEY["household"])
        name = cells.get(_text, TRAINING_BY_KEY["full_name"])
        born = cells.get(_parse_date, TRAINING_BY_KEY["date_of_birth"])
        pid = cells.get(_text, TRAINING_BY_KEY["personal_id"])
        certificate = cells.get(_text, TRAINING_BY_KEY["certificate"]) or ""
        employed = cells.get(_parse_bool, TRAINING_BY_KEY["employed_after"])
        if code is None or name is None:
            cells.check()
        candidates = [m for m in by_code.get(code, []) if fold(m.full_name) == fold(name)]
        if pid:  # the same person by ID and name even when the household code is mistyped — never by ID alone
            candidates = [m for m in candidates if m.personal_id == pid] or [
                m for m in by_pid.get(pid, []) if fold(m.full_name) == fold(name)
            ]
        if born:
            candidates = [m for m in candidates if m.date_of_birth == born]
        if len(candidates) != 1:
            message = (
                _("Không tìm thấy %(name)s trong hộ %(code)s của đơn vị bạn.")
                if not candidates
                else _("Hộ %(code)s có nhiều người tên %(name)s; hãy ghi thêm ngày sinh hoặc số định danh.")
            )
            cells.problems.append((TRAINING_BY_KEY["full_name"].title, message % {"name": name, "code": code}))
        cells.check()
        member = candidates[0]
        if member.pk in seen:
            raise RowCellError(TRAINING_BY_KEY["full_name"].title, _("Người này có hai dòng trong tệp."))
        seen.add(member.pk)
        return Benefit(
            programme=course.programme,
            household=member.household,
            member=member,
            date=course.course_start,
            decision=course.decision,
            course_name=course.course_name,
            occupation=course.occupation,
            course_start=course.course_start,
            course_end=course.course_end,
            amount=course.amount,
            certificate=certificate,
            employed_after=employed,
        )

    return build


def _file_trainees(members, rows: list[SheetRow]) -> tuple[dict[str, list[Member]], dict[str, list[Member]]]:
    """The members the file's rows may name, read at once instead of one or two queries a row: by each household code
    as written in the file (the household's code matched without regard to case, ``iexact``, with PostgreSQL's own
    ``UPPER`` on both sides) and by personal ID; with their households' status periods (``prefetch_status_periods``)."""
    codes, pids = set(), set()
    for row in rows:
        for key, found in (("household", codes), ("personal_id", pids)):
            value = row.raw.get(key)
            if not is_empty(value):
                found.add(_text(value))
    upper = {}
    if codes:
        with connection.cursor() as cursor:
            cursor.execute("SELECT c, UPPER(c) FROM unnest(%s::text[]) AS c", [sorted(codes)])
            upper = dict(cursor.fetchall())
    by_upper: dict[str, list[Member]] = {}
    read = members.annotate(code_upper=Upper("household__code")).filter(code_upper__in=set(upper.values()))
    for member in read if upper else []:
        by_upper.setdefault(member.code_upper, []).append(member)
    by_pid: dict[str, list[Member]] = {}
    for member in members.filter(personal_id__in=pids) if pids else []:
        by_pid.setdefault(member.personal_id, []).append(member)
    prefetch_status_periods([m.household for found in (*by_upper.values(), *by_pid.values()) for m in found])
    return {code: by_upper.get(up, []) for code, up in upper.items()}, by_pid


def training_course_import(
    *, rows: list[SheetRow], course: Course, user, commit: bool, progress: Progress | None = None
) -> BulkReport:
    """A course's participants, all recorded at once (QĐ 46/2015: each person supported once)."""
    build = training_import(rows=rows, course=course, user=user)
    return _run(rows, commit=commit, build=build, user=user, report=BulkReport(), progress=progress)


# --- electricity ------------------------------------------------------------------------------------------------


def quarter_end(year: int, quarter: int) -> date:
    return date(year, quarter * 3, 31 if quarter in (1, 4) else 30)


def electricity_amount(programme: Programme) -> int:
    """30 kWh × tier-1 price × 3 months (QĐ 28/2014, Điều 3 khoản 7; both values are catalogue parameters)."""
    kwh = Decimal(str(programme.parameter("kwh_per_month", 0)))
    price = Decimal(str(programme.parameter("tier1_price", 0)))
    return int(kwh * price * 3)


def electricity_paid_ids(programme: Programme, year: int, quarter: int, households) -> set[int]:
    """Which of ``households`` (a list or queryset the caller scoped) already have the quarter's payment."""
    return set(
        Benefit.objects.active()
        .filter(programme=programme, period_year=year, period_quarter=quarter, household__in=households)
        .values_list("household_id", flat=True)
    )


def electricity_quarter_pay(
    *, households, year: int, quarter: int, paid_on: date, decision: str, user, progress: Progress | None = None
) -> BulkReport:
    """Record the quarter's payment for every listed household not yet paid — all or nothing."""
    programme = Programme.objects.get(code="ELECTRICITY")
    amount = electricity_amount(programme)

    @dataclass
    class Row:
        number: int
        household: Household

    def build(row: Row):
        if programme.kind != ProgrammeKind.ELECTRICITY:
            return None
        return Benefit(
            programme=programme,
            household=row.household,
            date=paid_on,
            decision=decision,
            period_year=year,
            period_quarter=quarter,
            amount=amount,
        )

    with transaction.atomic():
        # The payments' trigger locks each household it pays until the payment commits (ADR 0053). Taken one by
        # one in the list's order, those locks deadlocked with any writer of two of the households in another
        # order (a member moved between them, an import's update); taken here at once in id order, such a writer
        # simply waits for the payment. What is already paid and each household's status periods are read after
        # the locks: a second payment of the same households (a district's beside a commune's, a job run again)
        # waits here, then finds them paid and skips them, and a status decided meanwhile is seen.
        ids = [h.pk for h in households]
        locked = Household.objects.filter(AnyOf("pk", ids)).order_by("pk").select_for_update(no_key=True)
        list(locked.values_list("pk"))
        paid = electricity_paid_ids(programme, year, quarter, ids)
        rows = [Row(i, h) for i, h in enumerate(households, start=1) if h.pk not in paid]
        prefetch_status_periods([row.household for row in rows])  # one query, not two a household
        report = _run(rows, commit=True, build=build, user=user, report=BulkReport(), progress=progress)
    report.skipped += len(paid)
    return report
