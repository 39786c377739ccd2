"""Reports generated and finalised by a real Celery worker through Redis, with the real content builders and
renderers: the three files are made, the finalised ones carry the number and stay byte-identical after the
records change, and the demo loader makes its reports the same way."""

import time

import pytest
from django.utils import timezone

from core.models import JobRun
from reports.models import PeriodicReport, ReportKind, ReportStatus
from reports.services import periods_for, report_draft_prepare, report_finalise

from ..factories import VillageFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def wait_for(job: JobRun, timeout: float = 120) -> JobRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} after {timeout} s")


def contents(report) -> dict[str, bytes]:
    out = {}
    for name in ("pdf_file", "docx_file", "xlsx_file"):
        with getattr(report, name).open("rb") as handle:
            out[name] = handle.read()
    return out


def test_a_district_report_is_generated_and_finalised_by_the_worker(celery_worker, tree, users):
    start, end = periods_for(ReportKind.SIX_MONTH, timezone.localdate().year - 1)
    report = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    job = wait_for(report.job)
    assert job.status == "succeeded", job.error
    assert job.celery_task_id and job.attempts == 1 and job.progress == 100
    report.refresh_from_db()
    files = contents(report)
    assert files["pdf_file"].startswith(b"%PDF") and files["docx_file"][:2] == files["xlsx_file"][:2] == b"PK"
    assert report.figures and report.narrative

    PeriodicReport.objects.filter(pk=report.pk).update(signer_name="Nguyễn Tiến Đăng")  # typed before issuing
    job = wait_for(report_finalise(report=report, issued_on=timezone.localdate(), user=users.district_staff))
    assert job.status == "succeeded", job.error
    report.refresh_from_db()
    assert report.status == ReportStatus.FINALISED and report.number == "01/BC-UBND"
    frozen = contents(report)
    assert frozen["pdf_file"] != files["pdf_file"]  # rendered again, with the number and without "DỰ THẢO"

    VillageFactory(parent=tree.commune)  # the records change ...
    again = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    assert again.pk == report.pk
    report.refresh_from_db()
    assert contents(report) == frozen  # ... the finalised report does not
    assert PeriodicReport.objects.count() == 1


def test_the_demo_reports_are_made_through_the_worker_once(celery_worker, tree, users):
    from reports.demo import report_demo_load

    # The tree fixture holds the demo's Krông Pa (637) and Ia RSai (24079) with huyen.krongpa and xa.iarsai.
    six_month, year_end, review = report_demo_load(timeout=120, say=lambda text: None)
    assert six_month.kind == ReportKind.SIX_MONTH and six_month.status == ReportStatus.FINALISED
    assert six_month.number == "01/BC-UBND" and six_month.signer_name and six_month.issued_on <= timezone.localdate()
    assert six_month.period_end < timezone.localdate()  # the latest completed first half-year
    assert year_end.kind == ReportKind.YEAR_END and year_end.status == ReportStatus.DRAFT
    assert year_end.period_end.year == timezone.localdate().year
    assert review.kind == ReportKind.REVIEW_RESULTS and review.unit == tree.commune
    assert all(report.pdf_file and report.docx_file and report.xlsx_file for report in (six_month, year_end, review))

    jobs_before = JobRun.objects.count()
    again = report_demo_load(timeout=120, say=lambda text: None)
    assert [report.pk for report in again] == [six_month.pk, year_end.pk, review.pk]
    assert JobRun.objects.count() == jobs_before  # nothing queued the second time
