"""Background jobs of the periodic reports: generating a draft's figures and files, and finalising a report.

Both are ``JobRun`` kinds run by ``core.tasks.job_run_task`` (progress on the job page, transient failures of the
database or Redis retried with backoff, a duplicate delivery doing nothing). They take the report's id and:

* **generate** (a draft only): compute the figures from the records when asked or when there are none
  (``reports.content.compute_figures``; for the review results it hands over to ``reports.review_tables``), fill
  the sections staff have not written with ``default_narrative`` (starting from the unit's previous report), then
  render the document three times (PDF, DOCX, XLSX) and store the files, replacing the draft's old ones. The
  figures are computed before the report's row is locked (a province roll-up reads for minutes) and everything
  else under the lock, so a text saved meanwhile is the text rendered and two runs at once leave one set of files;
* **finalise**: in one transaction, the next number of the issuer's register, the issue date, the status, the
  version it corrects marked superseded, the files rendered with the number: all of it or nothing. Afterwards the
  report's figures and files never change (a generation of a finalised report does nothing).

A failure ends the job failed with a Vietnamese reason (``JobError``) that the report page shows; the job can be
run again from there.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import ALL_ROLES
from core.jobs import JobError, ProgressFn, get_job_kind, job_kind
from core.models import JobRun
from core.services import _enqueue

from .models import PeriodicReport, ReportKind, ReportStatus
from .services import REPORT_SYMBOL, register_next_number, report_number, user_may_write

GENERATE_JOB = "report_generate"
FINALISE_JOB = "report_finalise"

FILE_STEMS = {
    ReportKind.SIX_MONTH: "bao-cao-6-thang",
    ReportKind.YEAR_END: "bao-cao-nam",
    ReportKind.REVIEW_RESULTS: "bieu-ket-qua-ra-soat",
    ReportKind.EMULATION_SUMMARY: "bao-cao-phong-trao-thi-dua",
}


def report_job_queue(*, kind: str, report: PeriodicReport, user, params: dict) -> JobRun:
    """Create a queued job of ``kind`` for ``report`` and send it to a worker when the transaction commits. The
    schedule queues without a user; an officer must hold a role the kind admits (core/job_registry.py)."""
    job_kind_ = get_job_kind(kind)
    if user is not None and not job_kind_.may_start(user):
        raise PermissionDenied(_("Vai trò của bạn không được chạy công việc “%(kind)s”.") % {"kind": job_kind_.label})
    job = JobRun(kind=kind, requested_by=user, unit=report.unit, params={"report_id": report.pk, **params})
    job.full_clean(exclude=["requested_by"] if user is None else None)  # the schedule asks in nobody's name
    job.save()
    _enqueue(job)
    return job


# --- the seams to the content builders and renderers (reports/content.py, reports/documents/) -------------------
def figures_compute(report: PeriodicReport) -> dict:
    """The report's figures from the records, JSON-serialisable (stored as ``PeriodicReport.figures``)."""
    from .content import compute_figures

    return compute_figures(
        unit=report.unit, kind=report.kind, period_start=report.period_start, period_end=report.period_end
    )


def narrative_defaults(report: PeriodicReport, previous: PeriodicReport | None) -> dict[str, str]:
    """Pre-filled section texts built from the figures, starting from the previous report's assessment."""
    from .content import default_narrative

    return default_narrative(report=report, previous=previous)


def narrative_refreshed(report: PeriodicReport, old_figures: dict, previous: PeriodicReport | None) -> dict[str, str]:
    """The texts after the figures were computed again: sections staff left as pre-filled follow the new figures,
    sections they edited are kept (reports/narrative.py)."""
    from .narrative import refresh_narrative

    return refresh_narrative(report=report, old_figures=old_figures, previous=previous)


def files_render(report: PeriodicReport) -> dict[str, bytes]:
    """The three files of the report as it stands (figures, text, number and date): {"pdf", "docx", "xlsx"}."""
    from .content import build_document
    from .documents.docx import periodic_report_docx
    from .documents.render import periodic_report_pdf
    from .documents.xlsx import periodic_report_xlsx

    document = build_document(report)
    return {
        "pdf": periodic_report_pdf(document),
        "docx": periodic_report_docx(document),
        "xlsx": periodic_report_xlsx(document),
    }


def previous_report(report: PeriodicReport) -> PeriodicReport | None:
    """The same unit's report of the period before (a 6-month report follows last year's annual report, an annual
    report this year's 6-month report; review results the previous year's): the finalised one if there is one."""
    if report.kind in (ReportKind.REVIEW_RESULTS, ReportKind.EMULATION_SUMMARY):
        kinds = [report.kind]
    else:
        kinds = [ReportKind.SIX_MONTH, ReportKind.YEAR_END]
    earlier = PeriodicReport.objects.filter(unit=report.unit, kind__in=kinds, period_end__lt=report.period_end)
    return (
        earlier.filter(status=ReportStatus.FINALISED).order_by("-period_end").first()
        or earlier.order_by("-period_end", "-version").first()
    )


def _narrative_fill(report: PeriodicReport, old_figures: dict | None = None) -> None:
    """Sections staff have not written get the pre-filled text; what they wrote is kept. After the figures were
    computed again (``old_figures``: those the text was written from), pre-filled sections follow the new ones."""
    previous = previous_report(report)
    if old_figures and report.narrative:
        report.narrative = narrative_refreshed(report, old_figures, previous)
    defaults = narrative_defaults(report, previous)
    texts = dict(report.narrative or {})
    for key, text in defaults.items():
        texts.setdefault(key, text)
    report.narrative = texts


def _file_stem(report: PeriodicReport) -> str:
    stem = f"{FILE_STEMS[ReportKind(report.kind)]}-{report.unit.code}-{report.period_end:%Y}"
    if report.kind == ReportKind.SIX_MONTH or report.period_start.month != 1 or report.period_end.month != 12:
        stem += f"-{report.period_start:%m}-{report.period_end:%m}"
    stem += f"-v{report.version}"
    if report.number:
        stem += "-so-" + report.number.split("/")[0]
    return stem


def _store_files(report: PeriodicReport, files: dict[str, bytes], written: list) -> None:
    """Put the rendered files in the report's file fields (not saved yet); the old files of a draft are removed
    once the transaction commits. ``written`` collects the new files, removed by the caller if it rolls back."""
    fields = {"pdf": report.pdf_file, "docx": report.docx_file, "xlsx": report.xlsx_file}
    old = [(field.storage, field.name) for field in fields.values() if field]
    stem = _file_stem(report)
    for extension, field in fields.items():
        field.save(f"{stem}.{extension}", ContentFile(files[extension]), save=False)
        written.append((field.storage, field.name))
    report.files_rendered_at = timezone.now()
    kept = {name for _storage, name in written}
    stale = [(storage, name) for storage, name in old if name not in kept]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in stale])


def _discard(written: list) -> None:
    for storage, name in written:
        storage.delete(name)


def _report(job: JobRun) -> PeriodicReport:
    report = PeriodicReport.objects.select_related("unit").filter(pk=job.params.get("report_id")).first()
    if report is None:
        raise JobError(_("Báo cáo không còn trong hệ thống (có thể đã bị xóa)."))
    return report


def _locked(report: PeriodicReport) -> PeriodicReport:
    return PeriodicReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)


def _result(report: PeriodicReport, **extra) -> dict:
    return {"report_id": report.pk, "status": report.status, "number": report.number, **extra}


@job_kind(GENERATE_JOB, gettext_lazy("Tạo báo cáo định kỳ"), roles=ALL_ROLES, queue="reports")
def report_generate_job(job: JobRun, progress: ProgressFn) -> dict:
    """Compute (if asked) and render a draft report; a report no longer a draft is left as it is."""
    report = _report(job)
    if report.status != ReportStatus.DRAFT:
        return _result(report, unchanged=True)
    figures = None
    if job.params.get("refresh") or not report.figures:
        progress(5, _("Đang tính số liệu từ hồ sơ"))
        figures = figures_compute(report)
    written: list = []
    try:
        with transaction.atomic():
            report = _locked(report)
            if report.status != ReportStatus.DRAFT:  # finalised while the figures were computed
                return _result(report, unchanged=True)
            # The figures the current text was pre-filled from: this draft's, or those of the version it corrects.
            old_figures = report.figures or (report.supersedes.figures if report.supersedes_id else {})
            if figures is not None:
                report.figures = figures
                report.figures_computed_at = timezone.now()
            elif not report.figures:
                report.figures = figures_compute(report)
                report.figures_computed_at = timezone.now()
            else:
                old_figures = None  # the figures as they were: the text stays as it is
            progress(40, _("Đang soạn nội dung các mục"))
            _narrative_fill(report, old_figures)
            progress(60, _("Đang tạo tệp PDF, DOCX và XLSX"))
            _store_files(report, files_render(report), written)
            progress(95, _("Đang lưu báo cáo"))
            report.save()
    except BaseException:
        _discard(written)
        raise
    return _result(report, files=[name for _storage, name in written])


@job_kind(FINALISE_JOB, gettext_lazy("Ban hành báo cáo định kỳ"), queue="reports")
def report_finalise_job(job: JobRun, progress: ProgressFn) -> dict:
    """Give a draft its number and date and freeze it, all in one transaction (reports/services.py)."""
    report = _report(job)
    try:
        issued_on = date.fromisoformat(job.params.get("issued_on", ""))
    except ValueError:
        raise JobError(_("Ngày ban hành không hợp lệ.")) from None
    user = job.requested_by
    written: list = []
    try:
        with transaction.atomic():
            report = _locked(report)
            if report.status == ReportStatus.FINALISED and report.job_id == job.pk:
                return _result(report, unchanged=True)  # this job finalised it already (a repeated delivery)
            if report.status != ReportStatus.DRAFT:
                raise JobError(
                    _("Báo cáo đang ở trạng thái “%(status)s” nên không ban hành được nữa.")
                    % {"status": report.get_status_display()}
                )
            if not user_may_write(user, report):
                raise JobError(_("Tài khoản đã yêu cầu ban hành không còn quyền ban hành báo cáo của đơn vị này."))
            progress(10, _("Đang kiểm tra số liệu và nội dung"))
            if not report.figures:
                report.figures = figures_compute(report)
                report.figures_computed_at = timezone.now()
            _narrative_fill(report)
            if report.supersedes_id:
                old = _locked(report.supersedes)
                if old.status == ReportStatus.FINALISED:
                    old.status = ReportStatus.SUPERSEDED
                    old.save(update_fields=["status", "updated_at"])
            progress(30, _("Đang lấy số văn bản"))
            number = register_next_number(unit=report.unit, year=issued_on.year, symbol=REPORT_SYMBOL)
            report.number = report_number(number)
            report.issued_on = issued_on
            report.status = ReportStatus.FINALISED
            report.finalised_by = user
            report.finalised_at = timezone.now()
            progress(50, _("Đang tạo tệp PDF, DOCX và XLSX có số văn bản"))
            _store_files(report, files_render(report), written)
            try:
                report.full_clean()
            except ValidationError as error:
                raise JobError(" ".join(error.messages)) from error
            report.save()
    except BaseException:
        _discard(written)
        raise
    return _result(report, files=[name for _storage, name in written])
