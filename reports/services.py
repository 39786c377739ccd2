"""Write services of the periodic reports: prepare a draft, regenerate it, save what staff wrote, finalise it with a
number from the issuer's register, open a corrected version, log a download.

A report's life (NĐ 30/2020/NĐ-CP, Điều 8 and 15; STYLE.md rule 8): a *draft* is computed from the records and
edited by staff; *finalising* gives it the next number of the issuer's yearly register and the date, and freezes its
figures and files for ever; a correction is a new *version* (a draft again) whose finalising marks the old one
*superseded*, still readable. The heavy work (figures, three files) runs in a background job (reports/jobs.py);
these services only check the rules, write the rows and queue the jobs once the transaction commits.

Who may do what: a district's reports are prepared and finalised by the staff of that district, a commune's (where
the commune reports, reports/units.py; and every commune's review-results table) by its officers, the province
roll-up by the province's staff. The scheduled preparation runs without a user (``user=None``). System
administrators may prepare and regenerate drafts (maintenance) but neither write nor issue a unit's report.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.models import JobRun

from .models import DocumentRegister, FileKind, PeriodicReport, ReportDeadline, ReportDownload, ReportKind, ReportStatus
from .units import reporting_unit_for

# The symbol of a People's Committee's report (NĐ 30/2020, Phụ lục III: BC = báo cáo).
REPORT_SYMBOL = "BC-UBND"
# First key of the transaction-level advisory lock that serialises the preparation of one report (the second is a
# hash of unit, kind and period): two requests at once find one draft.
PREPARE_LOCK_NAMESPACE = 7_410_010

# The role that issues the reports of each level of unit.
ISSUING_ROLE = {
    UnitLevel.PROVINCE: Role.PROVINCE_STAFF,
    UnitLevel.DISTRICT: Role.DISTRICT_STAFF,
    UnitLevel.COMMUNE: Role.COMMUNE_OFFICER,
}

# The document fields staff may edit on a draft besides the narrative.
EDITABLE_FIELDS = ("abstract", "recipients", "distribution", "signer_name", "signer_title", "signer_authority")


# --- periods ---------------------------------------------------------------------------------------------------
def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


DEFAULT_PERIOD_MONTHS = {
    ReportKind.SIX_MONTH: (1, 6),  # "6 tháng đầu năm" (report 209/BC-UBND)
    ReportKind.YEAR_END: (1, 12),
    ReportKind.REVIEW_RESULTS: (1, 12),  # the year of the annual review (QĐ 24/2021, Điều 3)
    ReportKind.EMULATION_SUMMARY: (1, 12),  # the yearly sơ kết; the phase's last year is its tổng kết
}


def periods_for(kind: str, year: int) -> tuple[date, date]:
    """The period a report of ``kind`` covers in ``year``: the months of the kind's active deadline
    (ReportDeadline, edited in the admin), by default January–June for the 6-month report and the calendar year
    for the annual report and the review results."""
    deadline = ReportDeadline.objects.filter(kind=kind, is_active=True).order_by("due_month", "due_day").first()
    if deadline is not None:
        start_month, end_month = deadline.period_start_month, deadline.period_end_month
    else:
        start_month, end_month = DEFAULT_PERIOD_MONTHS[ReportKind(kind)]
    return date(year, start_month, 1), _month_end(year, end_month)


# --- who may do what -------------------------------------------------------------------------------------------
def _unit_reports_kind(unit: AdministrativeUnit, kind: str, period_end: date) -> bool:
    """Whether ``unit`` issues reports of ``kind`` for a period ending on ``period_end``: the reporting unit for the
    6-month and annual reports (or the province, for its roll-up); any commune, district or province for the
    review results (each level sums up its own review, domain.md §3.1)."""
    if unit.level == UnitLevel.VILLAGE:
        return False
    if kind in (ReportKind.REVIEW_RESULTS, ReportKind.EMULATION_SUMMARY) or unit.level == UnitLevel.PROVINCE:
        return True
    return reporting_unit_for(unit, period_end) == unit


def _is_unit_officer(user, unit: AdministrativeUnit) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.unit_id == unit.pk
        and user.role == ISSUING_ROLE.get(unit.level)
    )


def user_may_prepare(user, *, unit: AdministrativeUnit, kind: str, period_end: date) -> bool:
    """Whether ``user`` may prepare (or regenerate) the report of ``unit``; ``None`` is the schedule."""
    if not _unit_reports_kind(unit, kind, period_end):
        return False
    if user is None:
        return True
    if user.is_authenticated and user.is_active and user.is_system_admin:
        return True
    return _is_unit_officer(user, unit)


def user_may_write(user, report: PeriodicReport) -> bool:
    """Whether ``user`` may edit the text of ``report`` or issue it: an officer of the issuing unit."""
    return _unit_reports_kind(report.unit, report.kind, report.period_end) and _is_unit_officer(user, report.unit)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền thực hiện việc này với báo cáo của đơn vị này."))


def _require_draft(report: PeriodicReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái “%(status)s”, không còn sửa được. Muốn sửa, hãy tạo phiên bản mới.")
            % {"status": report.get_status_display()}
        )


# --- defaults of a new draft -----------------------------------------------------------------------------------
def _document_defaults(unit: AdministrativeUnit) -> dict:
    """The letter fields of a new draft that staff wrote on the unit's latest issued report (recipients,
    distribution, signer). Fields left empty take the usual wording of a People's Committee's report when the
    document is built (reports/content.py)."""
    latest = PeriodicReport.objects.filter(unit=unit).exclude(status=ReportStatus.DRAFT).order_by("-issued_on").first()
    if latest is None:
        return {}
    names = ("recipients", "distribution", "signer_name", "signer_title", "signer_authority")
    return {name: getattr(latest, name) for name in names if getattr(latest, name)}


# --- preparing and regenerating --------------------------------------------------------------------------------
def _lock_period(unit: AdministrativeUnit, kind: str, period_start: date, period_end: date) -> None:
    key = f"{unit.pk}:{kind}:{period_start.isoformat()}:{period_end.isoformat()}"
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "big", signed=True)
    with connection.cursor() as cursor:  # released at commit: the second request waits, then finds the draft
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PREPARE_LOCK_NAMESPACE, digest])


def _running_job(report: PeriodicReport) -> JobRun | None:
    job = report.job
    if job is not None and not job.is_finished:
        return job
    return None


@transaction.atomic
def report_draft_prepare(
    *, unit: AdministrativeUnit, kind: str, period_start: date, period_end: date, user
) -> PeriodicReport:
    """The draft of this unit's report for the period, created and its generation queued if there is none
    (idempotent: a second request, even at the same moment, gets the same draft; a period already finalised gives
    the finalised report, which is corrected through a new version)."""
    kind = ReportKind(kind)
    _require(user_may_prepare(user, unit=unit, kind=kind, period_end=period_end))
    if period_end < period_start:
        raise ValidationError(_("Ngày cuối kỳ báo cáo phải sau ngày đầu kỳ."))
    _lock_period(unit, kind, period_start, period_end)
    same_period = PeriodicReport.objects.filter(
        unit=unit, kind=kind, period_start=period_start, period_end=period_end
    ).select_related("job")
    current = same_period.filter(status__in=[ReportStatus.DRAFT, ReportStatus.FINALISED]).order_by("-version").first()
    if current is not None:
        if current.status == ReportStatus.DRAFT and not current.pdf_file and _running_job(current) is None:
            # A draft whose generation failed or never ran: preparing it again means generating it.
            _generation_queue(current, user=user, refresh=not current.figures)
        return current
    version = (same_period.aggregate(last=Max("version"))["last"] or 0) + 1
    report = PeriodicReport(
        unit=unit,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        version=version,
        status=ReportStatus.DRAFT,
        created_by=user,
        **_document_defaults(unit),
    )
    report.full_clean()
    report.save()
    _generation_queue(report, user=user, refresh=True)
    return report


def _generation_queue(report: PeriodicReport, *, user, refresh: bool) -> JobRun:
    from .jobs import GENERATE_JOB, report_job_queue

    job = report_job_queue(kind=GENERATE_JOB, report=report, user=user, params={"refresh": refresh})
    report.job = job
    report.save(update_fields=["job", "updated_at"])
    return job


@transaction.atomic
def report_regenerate(*, report: PeriodicReport, user, refresh_figures: bool) -> JobRun:
    """Queue the generation of a draft's files again, recomputing its figures from the records when asked; a
    generation or finalising already queued or running for it is returned instead of a second one."""
    report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("job", "unit").get(pk=report.pk)
    _require(user_may_prepare(user, unit=report.unit, kind=report.kind, period_end=report.period_end))
    _require_draft(report)
    running = _running_job(report)
    if running is not None:
        return running
    return _generation_queue(report, user=user, refresh=refresh_figures)


def narrative_sections(report: PeriodicReport) -> list[tuple[str, str]]:
    """The (key, heading) of the sections staff write in a report of this kind (reports/content.py; the review
    results have their own, reports/review_tables.py)."""
    if report.kind == ReportKind.REVIEW_RESULTS:
        from .review_tables import REVIEW_NARRATIVE_SECTIONS as sections
    elif report.kind == ReportKind.EMULATION_SUMMARY:
        from emulation.summary import NARRATIVE_SECTIONS as sections
    else:
        from .content import NARRATIVE_SECTIONS as sections
    return list(sections)


@transaction.atomic
def report_narrative_save(*, report: PeriodicReport, narrative: dict, fields: dict, user) -> PeriodicReport:
    """Store the section texts and letter fields staff edited on a draft (only known sections and fields), then
    queue the files' regeneration with the figures as they are."""
    report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("job", "unit").get(pk=report.pk)
    _require(user_may_write(user, report))
    _require_draft(report)
    known = {key for key, _heading in narrative_sections(report)}
    unknown = sorted(set(narrative) - known)
    if unknown:
        raise ValidationError(_("Mục không có trong báo cáo: %(keys)s.") % {"keys": ", ".join(unknown)})
    wrong = sorted(set(fields) - set(EDITABLE_FIELDS))
    if wrong:
        raise ValidationError(_("Trường không sửa được: %(names)s.") % {"names": ", ".join(wrong)})
    texts = dict(report.narrative or {})
    texts.update({key: str(value).strip() for key, value in narrative.items()})
    report.narrative = texts
    for name, value in fields.items():
        setattr(report, name, str(value).strip())
    report.full_clean()
    report.save()
    if _running_job(report) is None:
        _generation_queue(report, user=user, refresh=False)
    # A generation running now re-reads the row before it writes (reports/jobs.py), so it renders this text too.
    return report


@transaction.atomic
def report_finalise(*, report: PeriodicReport, issued_on: date, user) -> JobRun:
    """Queue the finalising of a draft (number from the issuer's register, date, frozen figures and files,
    the version it corrects marked superseded); the issue date may not lie in the future nor before the period
    began. A finalising already queued or running is returned."""
    report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("job", "unit").get(pk=report.pk)
    _require(user_may_write(user, report))
    _require_draft(report)
    today = timezone.localdate()
    if issued_on > today:
        raise ValidationError({"issued_on": _("Ngày ban hành không được sau ngày hôm nay.")})
    if issued_on < report.period_start:
        raise ValidationError({"issued_on": _("Ngày ban hành không được trước ngày đầu kỳ báo cáo.")})
    if not report.signer_name.strip():
        # NĐ 30/2020/NĐ-CP, Điều 8 khoản 7: the signatory's title and full name are part of every document.
        raise ValidationError(
            {"signer_name": _("Chưa có họ tên người ký: nhập ở phần thông tin văn bản và bấm “Lưu” rồi mới ban hành.")}
        )
    running = _running_job(report)
    from .jobs import FINALISE_JOB, report_job_queue

    if running is not None:
        if running.kind == FINALISE_JOB:
            return running
        raise ValidationError(_("Báo cáo đang được tạo lại; hãy chờ xong rồi ban hành."))
    job = report_job_queue(kind=FINALISE_JOB, report=report, user=user, params={"issued_on": issued_on.isoformat()})
    report.job = job
    report.save(update_fields=["job", "updated_at"])
    return job


@transaction.atomic
def report_new_version(*, report: PeriodicReport, user) -> PeriodicReport:
    """Open a corrected version (n + 1) of a finalised report as a draft: the text and letter fields are copied,
    the figures recomputed from today's records. The finalised one stays in force until the new one is finalised;
    a draft already open for the period is returned."""
    report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    _require(user_may_write(user, report))
    if report.status != ReportStatus.FINALISED:
        raise ValidationError(_("Chỉ tạo phiên bản mới từ báo cáo đã ban hành và đang có hiệu lực."))
    _lock_period(report.unit, report.kind, report.period_start, report.period_end)
    same_period = PeriodicReport.objects.filter(
        unit=report.unit, kind=report.kind, period_start=report.period_start, period_end=report.period_end
    )
    existing = same_period.filter(status=ReportStatus.DRAFT).first()
    if existing is not None:
        return existing
    draft = PeriodicReport(
        unit=report.unit,
        kind=report.kind,
        period_start=report.period_start,
        period_end=report.period_end,
        version=(same_period.aggregate(last=Max("version"))["last"] or 0) + 1,
        status=ReportStatus.DRAFT,
        supersedes=report,
        narrative=dict(report.narrative or {}),
        created_by=user,
        **{name: getattr(report, name) for name in EDITABLE_FIELDS},
    )
    draft.full_clean()
    draft.save()
    _generation_queue(draft, user=user, refresh=True)
    return draft


# --- the register and the download log -------------------------------------------------------------------------
def register_next_number(*, unit: AdministrativeUnit, year: int, symbol: str) -> int:
    """The next number of the issuer's register of ``symbol`` for ``year`` (from 1 each year, NĐ 30/2020, Điều
    15), taken under a row lock: call it inside the transaction that issues the document, so that a number is
    spent only when the document is."""
    if not connection.in_atomic_block:
        raise RuntimeError("register_next_number must run inside the transaction that issues the document")
    DocumentRegister.objects.bulk_create(
        [DocumentRegister(unit=unit, year=year, symbol=symbol, last_number=0)], ignore_conflicts=True
    )
    register = DocumentRegister.objects.select_for_update().get(unit=unit, year=year, symbol=symbol)
    register.last_number += 1
    register.save(update_fields=["last_number"])
    return register.last_number


def report_number(number: int, symbol: str = REPORT_SYMBOL) -> str:
    """ "9" -> "09/BC-UBND": numbers below 10 take a leading zero (NĐ 30/2020, Phụ lục I, mục II.3)."""
    return f"{number:02d}/{symbol}"


def report_download_logged(*, report: PeriodicReport, file_kind: str, user, address: str | None) -> ReportDownload:
    """Record that ``user`` downloaded one file of a report they may see (every download is logged)."""
    _require(PeriodicReport.objects.visible_to(user).filter(pk=report.pk).exists())
    download = ReportDownload(report=report, file_kind=FileKind(file_kind), user=user, address=address or None)
    download.full_clean()
    download.save()
    return download
