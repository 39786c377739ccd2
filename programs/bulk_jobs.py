"""The bulk support flows (programs.bulk) of a whole commune, run as background jobs.

Every card goes through ``benefit_record`` (≈ 40 statements and 35 ms a row on the million-household benchmark,
docs/performance.md), and a commune's 10.087 electricity candidates took ≈ 80 s one at a time, past the web server's
60 s (recorded as one batch since, docs/adr/0062); a BHYT file of a few thousand members takes minutes for its dry
run and again for its confirmation. Past
``IMMEDIATE_BULK_ROWS`` rows the page queues a job instead, which does the same work as the requester (their
``visible_to`` scope read again in the worker), all or nothing in one transaction, with "Đã kiểm tra 1.200/10.087 hộ"
on the job page, and stores the report (``BulkReport.to_dict``) as its result. Below it, the page works as before.

Uploads stay in MEDIA_ROOT/imports/<token>.xlsx between the dry run and the confirmation (``views_bulk.PendingUpload``):
a job reads the file only if its SHA-256 is still the one the officer uploaded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import number as number_text
from core.jobs import JobError, ProgressFn, counted_progress, job_kind, job_requester
from core.models import JobRun
from core.services import job_run_start
from households.excel import ImportFileError, file_digest

from . import bulk, selectors
from .excel import read_table
from .models import Programme
from .views import EDITORS

# Up to 200 rows record inside the request: ≈ 1,5 s at 7,5 ms a row (300 electricity payments took 2,2 s on the
# million-household benchmark, 2,4 s before the row loop was trimmed), a few seconds on a busy machine. A real
# commune's 500–2.000 poor households and a BHYT file of its members go to a job.
IMMEDIATE_BULK_ROWS = 200

ELECTRICITY_JOB = "programs_electricity_pay"
BHYT_IMPORT_JOB = "programs_bhyt_import"
TRAINING_IMPORT_JOB = "programs_training_import"
IMPORT_JOBS = (BHYT_IMPORT_JOB, TRAINING_IMPORT_JOB)
# A commune's whole list at ≈ 8 ms a row is minutes; an hour leaves room for a busy machine (the default is 30 min).
BULK_TIME_LIMIT = 60 * 60
# First key of the transaction-level advisory lock that serialises the start of one unit's payment jobs (the second
# is the unit's id), so that a second click finds the job the first one queued; any constant unused elsewhere.
START_LOCK_NAMESPACE = 7_410_003


def _requester(job: JobRun):
    return job_requester(job, _("Tài khoản đã yêu cầu công việc này không còn hoạt động."))


def payment_summary(report: bulk.BulkReport) -> str:
    """What the electricity page said after a payment, now the job's outcome."""
    if report.ok:
        text = _("Đã ghi nhận chi trả cho %(n)s hộ.") % {"n": number_text(report.created)}
        if report.skipped:
            text += " " + _("%(n)s hộ đã được chi trả quý này từ trước.") % {"n": number_text(report.skipped)}
        return text
    return _("Chưa ghi được (không hộ nào được ghi): %(errors)s") % {
        "errors": "; ".join(e.message for e in report.errors[:5])
    }


def electricity_page(year: int, quarter: int) -> str:
    return f"{reverse('programs:electricity')}?year={year}&quarter={quarter}"


def job_page_link(job: JobRun) -> tuple[str, str] | None:
    """Where the officer acts on this job's outcome: the quarter's electricity list, or the upload's report."""
    if job.kind == ELECTRICITY_JOB:
        year, quarter = job.params.get("year"), job.params.get("quarter")
        label = _("Về danh sách tiền điện quý %(q)s năm %(y)s") % {"q": quarter, "y": year}
        return electricity_page(year, quarter), label
    if job.kind in IMPORT_JOBS:
        url = reverse("programs:bhyt_import" if job.kind == BHYT_IMPORT_JOB else "programs:training_import")
        label = _("Xem kết quả và ghi") if not job.params.get("commit") else _("Xem kết quả")
        return f"{url}?kiem-tra={job.pk}", label
    return None


# --- electricity ------------------------------------------------------------------------------------------------


@transaction.atomic
def electricity_pay_start(*, user, year: int, quarter: int, paid_on: date, decision: str) -> JobRun:
    """Queue the quarter's payment of the officer's unit; a payment of the same unit and quarter still queued or
    running is returned instead, whatever day or decision was typed (a second click pays nothing twice)."""
    with connection.cursor() as cursor:  # released at commit: the second click waits here, then finds the first job
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [START_LOCK_NAMESPACE, user.unit_id or 0])
    running = JobRun.objects.unfinished().filter(
        kind=ELECTRICITY_JOB, unit=user.unit, params__year=year, params__quarter=quarter
    )
    existing = running.order_by("pk").first()
    if existing is not None:
        return existing
    params = {"year": year, "quarter": quarter, "paid_on": paid_on.isoformat(), "decision": decision}
    return job_run_start(kind=ELECTRICITY_JOB, requested_by=user, unit=user.unit, params=params)


@job_kind(
    ELECTRICITY_JOB,
    gettext_lazy("Chi trả hỗ trợ tiền điện"),
    roles=EDITORS,
    queue="imports",
    time_limit=BULK_TIME_LIMIT,
    page=job_page_link,
)
def electricity_pay_job(job: JobRun, progress: ProgressFn) -> dict:
    """The quarter's payment for every candidate household of the requester's scope, as the page would record it."""
    user = _requester(job)
    params = job.params
    year, quarter = int(params["year"]), int(params["quarter"])
    progress(2, _("Đang đọc danh sách hộ được hỗ trợ"))
    households = list(selectors.electricity_candidates(user, day=bulk.quarter_end(year, quarter)))
    if not Programme.objects.filter(code="ELECTRICITY").exists():
        raise JobError(_("Danh mục không còn chương trình hỗ trợ tiền điện."))
    report = bulk.electricity_quarter_pay(
        households=households,
        year=year,
        quarter=quarter,
        paid_on=date.fromisoformat(params["paid_on"]),
        decision=params.get("decision") or "",
        user=user,
        # the payments are checked one by one, then written together in a few seconds (services.benefits_record)
        progress=counted_progress(progress, _("Đã kiểm tra %(done)s/%(total)s hộ")),
    )
    return {"report": report.to_dict(), "ok": report.ok, "summary": payment_summary(report)}


# --- uploads ----------------------------------------------------------------------------------------------------


def import_start(*, kind: str, user, state: dict, commit: bool) -> JobRun:
    """Queue the dry run or the confirmation of the upload kept in ``state`` (``views_bulk.PendingUpload``): token,
    SHA-256 and what was typed with the file; a double click finds the job the first click queued."""
    from core.exports import file_job_start

    return file_job_start(kind=kind, user=user, params={**state, "commit": commit})


def stored_upload(params: dict) -> bytes:
    """The job's upload, only if it is still there and unchanged since the officer sent it."""
    token = str(params.get("token") or "")
    path = Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"
    content = path.read_bytes() if token.isalnum() and path.is_file() else None
    if content is None or file_digest(content) != params.get("sha256"):
        raise JobError(_("Tệp đã tải lên không còn trên máy chủ; hãy tải tệp lên lại."))
    return content


def import_run(kind: str, *, rows, state: dict, user, commit: bool, progress=None) -> bulk.BulkReport:
    """The dry run or the write of an upload's rows, the same inside the request and in a job."""
    if kind == BHYT_IMPORT_JOB:
        return bulk.bhyt_import(rows=rows, user=user, commit=commit, progress=progress)
    course = dict(state["course"])
    programme = Programme.objects.filter(code="TRAINING_46").first()
    if programme is None:
        raise JobError(_("Danh mục không còn chương trình đào tạo nghề."))
    spec = bulk.Course(
        programme=programme,
        course_name=course["course_name"],
        occupation=course["occupation"],
        course_start=date.fromisoformat(course["course_start"]),
        course_end=date.fromisoformat(course["course_end"]),
        amount=course.get("amount"),
        decision=course.get("decision") or "",
    )
    return bulk.training_course_import(rows=rows, course=spec, user=user, commit=commit, progress=progress)


def _import_job(job: JobRun, progress: ProgressFn) -> dict:
    user = _requester(job)
    params = job.params
    content = stored_upload(params)
    commit = bool(params.get("commit"))
    progress(2, _("Đang đọc tệp"))
    try:
        rows = read_table(content, bulk.BHYT_COLUMNS if job.kind == BHYT_IMPORT_JOB else bulk.TRAINING_COLUMNS)
    except ImportFileError as error:
        raise JobError(str(error)) from error
    # BHYT cards are written row by row; a course's participants are checked one by one, then written together
    one_by_one = job.kind == BHYT_IMPORT_JOB
    message = _("Đã ghi %(done)s/%(total)s dòng") if commit and one_by_one else _("Đã kiểm tra %(done)s/%(total)s dòng")
    report = import_run(
        job.kind, rows=rows, state=params, user=user, commit=commit, progress=counted_progress(progress, message)
    )
    if report.committed:  # written: the file has served (a second confirmation finds nothing to write again)
        (Path(settings.MEDIA_ROOT) / "imports" / f"{params['token']}.xlsx").unlink(missing_ok=True)
    result = {"report": report.to_dict(), "ok": report.ok}
    if report.committed:
        result["summary"] = _("Đã ghi %(n)s khoản hỗ trợ.") % {"n": number_text(report.created)}
    elif not report.ok:
        result["summary"] = _("Tệp có lỗi ở %(n)s dòng; không khoản nào được ghi.") % {
            "n": number_text(report.error_rows)
        }
    else:
        result["summary"] = _("Tệp hợp lệ: %(n)s khoản sẽ được ghi khi bạn xác nhận.") % {
            "n": number_text(report.created)
        }
    return result


bhyt_import_job = job_kind(
    BHYT_IMPORT_JOB,
    gettext_lazy("Nhập số thẻ BHYT"),
    roles=EDITORS,
    queue="imports",
    time_limit=BULK_TIME_LIMIT,
    page=job_page_link,
)(_import_job)
training_import_job = job_kind(
    TRAINING_IMPORT_JOB,
    gettext_lazy("Nhập danh sách học viên đào tạo nghề"),
    roles=EDITORS,
    queue="imports",
    time_limit=BULK_TIME_LIMIT,
    page=job_page_link,
)(_import_job)
