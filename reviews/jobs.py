"""A recognition decision with its lists, its certificates, a commune's posted list and a large village meeting's
minutes, printed by a background job.

A commune's decision may recognise thousands of households: its certificates, one page each, take about 60–130 ms
and 1,7 MB of layout apiece (docs/performance.md, "PDF documents"), minutes of work and gigabytes of memory in one
call. The job renders them in batches joined into one PDF (reports/documents/batches.py), as the requester (their
``visible_to`` scope read again in the worker), into MEDIA_ROOT/exports/, and the job page offers the file.

A decision's appendices list every household it recognises, about 10 ms of layout a row: the 11.391 rows of a
commune of the million-household benchmark took 110 s inside the request, past the web server's 60 s.

Small documents stay immediate (``IMMEDIATE_CERTIFICATES``, ``IMMEDIATE_POSTING_ROWS``, ``IMMEDIATE_DECISION_ROWS``,
``IMMEDIATE_MINUTES_ROWS``): one household's certificate, a village's list or minutes, a small decision or its
certificates print inside the request in a few seconds at most, as before.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import ALL_ROLES
from areas.models import AdministrativeUnit
from core.downloads import download_name
from core.exports import file_job_start, file_result, new_export_path, serves_file
from core.formatting import number as number_text
from core.jobs import JobError, ProgressFn, counted_progress, job_kind, job_requester
from core.models import JobRun
from reports.documents.batches import (
    write_certificates_pdf,
    write_decision_pdf,
    write_minutes_pdf,
    write_posting_list_pdf,
)

from . import documents
from .models import RecognitionDecision, ReviewRound, VillageMeeting

CERTIFICATES_JOB = serves_file("certificates_pdf")
POSTING_JOB = serves_file("posting_pdf")
DECISION_JOB = serves_file("decision_pdf")
MINUTES_JOB = serves_file("minutes_pdf")

# Up to 20 certificates (≈ 1,2 s idle, ≈ 3 s on a busy machine, ≈ 35 MB) print inside the request; more go to a job.
IMMEDIATE_CERTIFICATES = 20
# A posted list of up to 200 households (≈ 2 s idle, 5 s busy: 500 rows took 5,2 s idle) prints inside the request;
# a village's list is usually far smaller, a whole commune's often larger.
IMMEDIATE_POSTING_ROWS = 200
# The posted list's rows are counted by working its lists out (≈ 0,4 ms a reviewed household); past 1.000 reviewed
# households the page asks to print in the background without working them out (12.434 took 4,8 s).
POSTING_CASES_WORKED_OUT = 1_000
# A decision whose lists hold up to 200 households (the decision's pages and ≈ 10 ms a row) prints inside the
# request; a commune's annual decision usually lists more.
IMMEDIATE_DECISION_ROWS = 200
# Minutes voting on up to 200 households print inside the request (a village holds tens to a few hundred); the
# meetings of the million-household benchmark's villages voted on ≈ 4.000 each: 18–20 s.
IMMEDIATE_MINUTES_ROWS = 200


def posting_rows(posting) -> int:
    return sum(len(hlist.rows) for hlist in posting.lists)


def certificates_job_start(*, user, decision: RecognitionDecision) -> JobRun:
    """Queue the PDF of every certificate of ``decision`` (once per user and decision while it runs)."""
    return file_job_start(kind=CERTIFICATES_JOB, user=user, params={"decision": decision.pk})


def decision_job_start(*, user, decision: RecognitionDecision) -> JobRun:
    """Queue the PDF of ``decision`` with its appendices (once per user and decision while it runs)."""
    return file_job_start(kind=DECISION_JOB, user=user, params={"decision": decision.pk})


def minutes_job_start(*, user, meeting: VillageMeeting) -> JobRun:
    """Queue the PDF of a village meeting's minutes (once per user and meeting while it runs)."""
    return file_job_start(kind=MINUTES_JOB, user=user, params={"meeting": meeting.pk})


def posting_job_start(*, user, round: ReviewRound, village: AdministrativeUnit | None = None) -> JobRun:
    """Queue the PDF of the round's posted list, of the whole commune or of one village."""
    params = {"round": round.pk, "village": village.pk if village else None}
    return file_job_start(kind=POSTING_JOB, user=user, params=params)


def _requester(job: JobRun):
    return job_requester(job, _("Tài khoản đã yêu cầu in tệp không còn hoạt động."))


def _written(path, write):
    try:
        return write()
    except Exception:  # the job records it; the half-written file goes
        path.unlink(missing_ok=True)
        raise


def _scoped(queryset, pk, refusal: str):
    """The job's object as the requester may see it now (their scope read again in the worker), else the reason."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise JobError(refusal)
    return found


def _households_printed(job: JobRun, progress: ProgressFn, write, name_parts: tuple, **result) -> dict:
    """Write a document of households with ``write(path, report)`` into the job's file, "Đã in 300/11.391 hộ" as
    it goes; the job's result offers it under the download name of ``name_parts``."""
    path = new_export_path(job, "pdf")
    report = counted_progress(progress, _("Đã in %(done)s/%(total)s hộ"))
    pages = _written(path, lambda: write(path, report))
    return file_result(path, download_name(*name_parts, ext="pdf"), format="pdf", pages=pages, **result)


@job_kind(
    CERTIFICATES_JOB,
    gettext_lazy("In giấy chứng nhận hộ nghèo, hộ cận nghèo"),
    roles=ALL_ROLES,
    queue="documents",
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,
)
def certificates_pdf_job(job: JobRun, progress: ProgressFn) -> dict:
    """Every certificate of the decision, one per page, in one PDF rendered in batches, as the requester sees it."""
    decisions = RecognitionDecision.objects.visible_to(_requester(job)).select_related("round__commune")
    refusal = _("Bạn không còn quyền xem quyết định này, nên tệp không được tạo.")
    decision = _scoped(decisions, job.params.get("decision"), refusal)
    certificates = decision.certificates.select_related("decision__round__commune").order_by("pk")
    total = certificates.count()
    if not total:
        raise JobError(_("Quyết định này không có giấy chứng nhận nào để in."))
    progress(2, _("Đang in %(total)s giấy chứng nhận") % {"total": number_text(total)})
    path = new_export_path(job, "pdf")
    data = (documents.certificate_data(c) for c in certificates.iterator(chunk_size=500))
    report = counted_progress(progress, _("Đã in %(done)s/%(total)s giấy chứng nhận"))
    pages = _written(path, lambda: write_certificates_pdf(data, path, total=total, progress=report))
    progress(99, _("Đã ghép các phần thành một tệp PDF"))
    filename = download_name("giay-chung-nhan", decision.number, ext="pdf")
    return file_result(path, filename, format="pdf", pages=pages)


@job_kind(
    POSTING_JOB,
    gettext_lazy("In danh sách niêm yết"),
    roles=ALL_ROLES,
    queue="documents",
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,
)
def posting_pdf_job(job: JobRun, progress: ProgressFn) -> dict:
    """The round's posted list (whole commune or one village) in one PDF rendered in batches of rows."""
    user = _requester(job)
    rounds = ReviewRound.objects.visible_to(user).filter(postings__isnull=False).select_related("commune").distinct()
    refusal = _("Bạn không còn quyền xem đợt rà soát này, hoặc đợt chưa niêm yết, nên tệp không được tạo.")
    round = _scoped(rounds, job.params.get("round"), refusal)
    village = None
    if job.params.get("village"):
        villages = AdministrativeUnit.objects.filter(parent=round.commune)
        village = _scoped(villages, job.params["village"], _("Thôn này không còn thuộc xã của đợt rà soát."))
    progress(2, _("Đang đọc danh sách niêm yết"))
    posting = documents.posting_data(round, village)
    return _households_printed(
        job,
        progress,
        lambda path, report: write_posting_list_pdf(posting, path, progress=report),
        ("niem-yet", (village or round.commune).name),
        households=posting_rows(posting),
    )


@job_kind(
    DECISION_JOB,
    gettext_lazy("In quyết định công nhận hộ nghèo, hộ cận nghèo"),
    roles=ALL_ROLES,
    queue="documents",
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,
)
def decision_pdf_job(job: JobRun, progress: ProgressFn) -> dict:
    """The recognition decision and its lists in one PDF, the lists rendered in batches of rows, as the requester
    sees it."""
    decisions = RecognitionDecision.objects.visible_to(_requester(job))
    decisions = decisions.select_related("round__commune__parent", "submission")
    refusal = _("Bạn không còn quyền xem quyết định này, nên tệp không được tạo.")
    decision = _scoped(decisions, job.params.get("decision"), refusal)
    total = documents.decision_rows(decision)
    progress(2, _("Đang in quyết định và danh sách %(total)s hộ kèm theo") % {"total": number_text(total)})
    data = documents.decision_data(decision)
    return _households_printed(
        job,
        progress,
        lambda path, report: write_decision_pdf(data, path, progress=report),
        ("quyet-dinh", decision.number),
        households=total,
    )


@job_kind(
    MINUTES_JOB,
    gettext_lazy("In biên bản họp dân"),
    roles=ALL_ROLES,
    queue="documents",
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,
)
def minutes_pdf_job(job: JobRun, progress: ProgressFn) -> dict:
    """A village meeting's minutes in one PDF, the vote table rendered in batches of rows, as the requester sees it."""
    meetings = VillageMeeting.objects.visible_to(_requester(job)).select_related("round__commune", "village")
    refusal = _("Bạn không còn quyền xem cuộc họp này, nên tệp không được tạo.")
    meeting = _scoped(meetings, job.params.get("meeting"), refusal)
    progress(2, _("Đang đọc kết quả biểu quyết"))
    minutes = documents.minutes_data(meeting)
    return _households_printed(
        job,
        progress,
        lambda path, report: write_minutes_pdf(minutes, path, progress=report),
        ("bien-ban-hop-dan", meeting.village.name),
    )
