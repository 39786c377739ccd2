"""Demo periodic reports, generated through the real background worker: Krông Pa (the district of report
209/BC-UBND) with a finalised 6-month report of the latest completed first half-year and a draft annual report of
this year, and Ia RSai with the review-results table of the year its demo review shows (reviews.demo).

Idempotent: a report already there is left as it is (a draft still generating is waited for, a 6-month draft is
finalised). The loader queues the jobs like the screens do and waits for each with a timeout: if no worker takes
them it says so instead of hanging. Run after load_demo … load_demo_review, once the Celery worker is running.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.models import JobRun, JobStatus
from reviews.demo import DEMO_COMMUNE, demo_review_year

from .models import PeriodicReport, ReportDeadline, ReportKind, ReportStatus
from .schedule import deadline_in_year
from .services import periods_for, report_draft_prepare, report_finalise, report_narrative_save

DEMO_DISTRICT = "637"  # Huyện Krông Pa
# A made-up deputy chairman who signs for the district People's Committee (as in report 209/BC-UBND: TM. ỦY BAN
# NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH).
SIGNER = {
    "signer_name": "Nguyễn Văn Hòa",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer_authority": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
}


class DemoReportError(Exception):
    """The demo reports could not be made (no worker, a job failed); the message says why, in Vietnamese."""


def job_wait(job: JobRun | None, *, timeout: float, poll: float = 0.5) -> JobRun | None:
    """Wait until the worker finishes ``job``; a failed job or one still unfinished after ``timeout`` seconds raises
    DemoReportError with the reason."""
    if job is None:
        return None
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.status == JobStatus.SUCCEEDED:
            return job
        if job.status == JobStatus.FAILED:
            raise DemoReportError(f"Công việc “{job.kind_label}” #{job.pk} thất bại: {job.error}")
        if time.monotonic() >= deadline:
            raise DemoReportError(
                f"Công việc “{job.kind_label}” #{job.pk} vẫn “{job.get_status_display()}” sau {int(timeout)} giây. "
                "Tiến trình xử lý nền (Celery worker) có đang chạy không? Chạy lại lệnh khi worker đã chạy."
            )
        time.sleep(poll)


def latest_first_half(today: date) -> tuple[date, date]:
    """The latest 6-month period that has ended by ``today``."""
    start, end = periods_for(ReportKind.SIX_MONTH, today.year)
    if end >= today:
        start, end = periods_for(ReportKind.SIX_MONTH, today.year - 1)
    return start, end


def _officer(role: str, unit: AdministrativeUnit | None) -> User | None:
    if unit is None:
        return None
    return User.objects.filter(role=role, unit=unit, is_active=True).order_by("pk").first()


def _generated(report: PeriodicReport, timeout: float) -> PeriodicReport:
    if report.job is not None and not report.job.is_finished:
        job_wait(report.job, timeout=timeout)
    report.refresh_from_db()
    if report.job is not None and report.job.status == JobStatus.FAILED:
        raise DemoReportError(f"Tạo báo cáo “{report}” thất bại: {report.job.error}")
    return report


def _issue_day(period_end: date, today: date) -> date:
    """Before the 6-month deadline of that year (TT 10/2022: before 1 June), never after today."""
    deadline = ReportDeadline.objects.filter(kind=ReportKind.SIX_MONTH, is_active=True).first()
    due_on = deadline_in_year(deadline, period_end.year).due_on if deadline else date(period_end.year, 6, 1)
    return min(due_on - timedelta(days=3), today)


def report_demo_load(*, timeout: float = 300, say: Callable[[str], None] = print) -> list[PeriodicReport] | None:
    """Make the three demo reports through the worker; None when the demo units or accounts are missing."""
    today = timezone.localdate()
    district = AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT, code=DEMO_DISTRICT).first()
    commune = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, code=DEMO_COMMUNE).first()
    district_staff = _officer(Role.DISTRICT_STAFF, district)
    commune_officer = _officer(Role.COMMUNE_OFFICER, commune)
    if district_staff is None or commune_officer is None:
        return None
    made = []

    # 1. Krông Pa's 6-month report of the latest completed first half-year, finalised.
    start, end = latest_first_half(today)
    report = report_draft_prepare(
        unit=district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=district_staff
    )
    if report.status == ReportStatus.DRAFT:
        say(f"Đang tạo {report} …")
        report = _generated(report, timeout)
        if not report.signer_name:
            report = report_narrative_save(report=report, narrative={}, fields=SIGNER, user=district_staff)
            report = _generated(report, timeout)
        say(f"Đang ban hành {report} …")
        job = report_finalise(report=report, issued_on=_issue_day(end, today), user=district_staff)
        job_wait(job, timeout=timeout)
        report.refresh_from_db()
    made.append(report)

    # 2. Krông Pa's annual report of this year, a draft.
    start, end = periods_for(ReportKind.YEAR_END, today.year)
    report = report_draft_prepare(
        unit=district, kind=ReportKind.YEAR_END, period_start=start, period_end=end, user=district_staff
    )
    if report.status == ReportStatus.DRAFT:
        say(f"Đang tạo {report} …")
        report = _generated(report, timeout)
    made.append(report)

    # 3. Ia RSai's review-results table of the year of its demo review.
    start, end = periods_for(ReportKind.REVIEW_RESULTS, demo_review_year(commune, today))
    report = report_draft_prepare(
        unit=commune, kind=ReportKind.REVIEW_RESULTS, period_start=start, period_end=end, user=commune_officer
    )
    if report.status == ReportStatus.DRAFT:
        say(f"Đang tạo {report} …")
        report = _generated(report, timeout)
    made.append(report)
    return made
