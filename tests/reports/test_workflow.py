"""Periodic reports: preparing, generating, editing, finalising and correcting a report, who may do each, the
issuer's register, and the download log. The content builders and renderers are replaced by small fakes that
read the records (so a data change shows) and echo what they were given; their own tests are elsewhere."""

import json
import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from areas.models import AdministrativeUnit
from core.jobs import job_run_execute
from core.models import JobRun, JobStatus
from core.services import job_run_retry
from reports import jobs, services
from reports.models import DocumentRegister, PeriodicReport, ReportDownload, ReportKind, ReportStatus
from reports.services import (
    periods_for,
    register_next_number,
    report_download_logged,
    report_draft_prepare,
    report_finalise,
    report_narrative_save,
    report_new_version,
    report_regenerate,
)

from ..factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

SECTIONS = [("assessment", "II. Đánh giá"), ("tasks", "III. Nhiệm vụ"), ("proposals", "IV. Kiến nghị")]


class FakeContent:
    """Stands for reports.content and the renderers: figures count the district's villages (a record that the
    test can change); each file is the report's figures, text, number and status, so files differ exactly when
    what they were rendered from differs."""

    def __init__(self):
        self.figure_runs = 0
        self.fail_with: Exception | None = None

    def figures(self, report):
        self.figure_runs += 1
        if self.fail_with is not None:
            raise self.fail_with
        villages = AdministrativeUnit.objects.filter(path__startswith=report.unit.path, level="village").count()
        return {"villages": villages}

    def narrative(self, report, previous):
        start = previous.narrative.get("tasks", "") if previous else ""
        return {
            "assessment": f"Có {report.figures['villages']} thôn.",
            "tasks": start or "Nhiệm vụ kỳ tới.",
            "proposals": "",
        }

    def refreshed(self, report, old_figures, previous):
        """Like reports.narrative.refresh_narrative: a section still as pre-filled from the old figures follows."""
        old = f"Có {old_figures['villages']} thôn."
        texts = dict(report.narrative)
        if texts.get("assessment") == old:
            texts["assessment"] = f"Có {report.figures['villages']} thôn."
        return texts

    def render(self, report):
        body = json.dumps(
            {
                "figures": report.figures,
                "narrative": report.narrative,
                "number": report.number,
                "status": report.status,
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
        return {"pdf": b"%PDF-" + body, "docx": b"PK-docx-" + body, "xlsx": b"PK-xlsx-" + body}


@pytest.fixture
def fake(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = FakeContent()
    monkeypatch.setattr(jobs, "figures_compute", content.figures)
    monkeypatch.setattr(jobs, "narrative_defaults", content.narrative)
    monkeypatch.setattr(jobs, "files_render", content.render)
    monkeypatch.setattr(jobs, "narrative_refreshed", content.refreshed)
    monkeypatch.setattr(services, "narrative_sections", lambda report: SECTIONS)
    return content


def run(job: JobRun) -> JobRun:
    """What the worker does with a queued job (the Celery round trip is tested in test_report_worker.py)."""
    return job_run_execute(job_id=job.pk)


def half_year() -> tuple[date, date]:
    return periods_for(ReportKind.SIX_MONTH, timezone.localdate().year - 1)


def prepared(tree, users, kind=ReportKind.SIX_MONTH) -> PeriodicReport:
    start, end = half_year() if kind == ReportKind.SIX_MONTH else periods_for(kind, timezone.localdate().year - 1)
    report = report_draft_prepare(
        unit=tree.district, kind=kind, period_start=start, period_end=end, user=users.district_staff
    )
    job = run(report.job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    PeriodicReport.objects.filter(pk=report.pk).update(signer_name="Nguyễn Tiến Đăng")  # typed before issuing
    report.refresh_from_db()
    return report


def finalised(report, user, issued_on=None) -> PeriodicReport:
    job = report_finalise(report=report, issued_on=issued_on or timezone.localdate(), user=user)
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    report.refresh_from_db()
    return report


def files_of(report) -> dict[str, bytes]:
    out = {}
    for name in ("pdf_file", "docx_file", "xlsx_file"):
        field = getattr(report, name)
        with field.open("rb") as handle:
            out[name] = handle.read()
    return out


# --- periods ---------------------------------------------------------------------------------------------------
def test_periods_follow_the_deadline_rows():
    # TT 10/2022, Điều 5 [P]: the 6-month report covers January–June, the annual report the calendar year.
    assert periods_for(ReportKind.SIX_MONTH, 2026) == (date(2026, 1, 1), date(2026, 6, 30))
    assert periods_for(ReportKind.YEAR_END, 2028) == (date(2028, 1, 1), date(2028, 12, 31))
    assert periods_for(ReportKind.REVIEW_RESULTS, 2027) == (date(2027, 1, 1), date(2027, 12, 31))


# --- preparing and generating ----------------------------------------------------------------------------------
def test_prepare_makes_one_draft_and_generates_its_three_files(tree, users, fake):
    report = prepared(tree, users)
    assert report.status == ReportStatus.DRAFT and report.version == 1 and report.number == ""
    assert report.figures == {"villages": 1} and report.figures_computed_at
    assert report.narrative["assessment"] == "Có 1 thôn."
    files = files_of(report)
    assert files["pdf_file"].startswith(b"%PDF-") and b'"status": "draft"' in files["pdf_file"]
    assert report.files_rendered_at and report.created_by == users.district_staff

    start, end = half_year()
    again = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    assert again.pk == report.pk and PeriodicReport.objects.count() == 1
    assert JobRun.objects.filter(kind=jobs.GENERATE_JOB).count() == 1  # a draft with files is not generated again


def test_regenerating_replaces_a_drafts_files_and_recomputes_only_when_asked(
    tree, users, fake, django_capture_on_commit_callbacks
):
    report = prepared(tree, users)
    VillageFactory(parent=tree.sibling_commune)
    run(report_regenerate(report=report, user=users.district_staff, refresh_figures=False))
    report.refresh_from_db()
    assert report.figures == {"villages": 1}  # the figures as they were: only the files were made again
    old_pdf = report.pdf_file.name
    job = report_regenerate(report=report, user=users.district_staff, refresh_figures=True)
    with django_capture_on_commit_callbacks(execute=True):  # the old files are removed once the job commits
        run(job)
    report.refresh_from_db()
    assert report.figures == {"villages": 2}
    assert report.narrative["assessment"] == "Có 2 thôn."  # the pre-filled text follows the new figures
    assert b'"villages": 2' in files_of(report)["pdf_file"]
    assert report.pdf_file.name != old_pdf and not report.pdf_file.storage.exists(old_pdf)  # the old file is gone


def test_a_second_request_gets_the_job_already_queued(tree, users, fake):
    start, end = half_year()
    report = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    first = report.job
    assert report_regenerate(report=report, user=users.district_staff, refresh_figures=True).pk == first.pk
    again = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    assert again.pk == report.pk and JobRun.objects.count() == 1


def test_editing_keeps_what_staff_wrote_and_renders_it(tree, users, fake):
    report = prepared(tree, users)
    report = report_narrative_save(
        report=report,
        narrative={"assessment": "  Đạt kế hoạch đề ra.  "},
        fields={"signer_name": "Nguyễn Tiến Đăng", "abstract": "Kết quả giảm nghèo 6 tháng"},
        user=users.district_staff,
    )
    assert report.narrative["assessment"] == "Đạt kế hoạch đề ra." and report.signer_name == "Nguyễn Tiến Đăng"
    run(report.job)
    report.refresh_from_db()
    assert report.narrative["assessment"] == "Đạt kế hoạch đề ra."  # the pre-filled text does not overwrite it
    VillageFactory(parent=tree.commune)
    run(report_regenerate(report=report, user=users.district_staff, refresh_figures=True))
    report.refresh_from_db()
    assert report.figures == {"villages": 2} and report.narrative["assessment"] == "Đạt kế hoạch đề ra."
    assert "Đạt kế hoạch đề ra.".encode() in files_of(report)["pdf_file"]
    with pytest.raises(ValidationError):
        report_narrative_save(report=report, narrative={"unknown": "x"}, fields={}, user=users.district_staff)
    with pytest.raises(ValidationError):
        report_narrative_save(report=report, narrative={}, fields={"number": "99/BC-UBND"}, user=users.district_staff)


def test_a_draft_the_calendar_prepared_is_edited_and_issued_by_the_units_staff(tree, users, fake):
    """A scheduled draft has no creator; its text is saved and it is issued like any other."""
    start, end = half_year()
    report = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=None
    )
    assert run(report.job).status == JobStatus.SUCCEEDED
    report.refresh_from_db()
    assert report.created_by is None
    report = report_narrative_save(
        report=report,
        narrative={"assessment": "Đạt kế hoạch."},
        fields={"signer_name": "Nguyễn Tiến Đăng"},
        user=users.district_staff,
    )
    run(report.job)
    report = finalised(report, users.district_staff)
    assert report.status == ReportStatus.FINALISED and report.narrative["assessment"] == "Đạt kế hoạch."


# --- finalising ------------------------------------------------------------------------------------------------
def test_finalising_numbers_dates_and_freezes_the_report(tree, users, fake):
    report = prepared(tree, users)
    issued_on = timezone.localdate()
    report = finalised(report, users.district_staff, issued_on)
    assert report.status == ReportStatus.FINALISED and report.number == "01/BC-UBND"
    assert report.issued_on == issued_on and report.finalised_by == users.district_staff
    pdf = files_of(report)["pdf_file"]
    assert b'"number": "01/BC-UBND"' in pdf and b'"status": "finalised"' in pdf
    register = DocumentRegister.objects.get(unit=tree.district, year=issued_on.year, symbol="BC-UBND")
    assert register.last_number == 1


def test_a_finalised_report_is_byte_identical_after_the_data_change(tree, users, fake):
    report = finalised(prepared(tree, users), users.district_staff)
    before = files_of(report)
    VillageFactory(parent=tree.commune)
    VillageFactory(parent=tree.sibling_commune)
    # Nothing regenerates it: not the services, not a generation job delivered again, not a second preparation.
    with pytest.raises(ValidationError):
        report_regenerate(report=report, user=users.district_staff, refresh_figures=True)
    stray = jobs.report_job_queue(
        kind=jobs.GENERATE_JOB, report=report, user=users.district_staff, params={"refresh": True}
    )
    assert run(stray).result["unchanged"] is True
    again = report_draft_prepare(
        unit=tree.district,
        kind=report.kind,
        period_start=report.period_start,
        period_end=report.period_end,
        user=users.district_staff,
    )
    assert again.pk == report.pk
    report.refresh_from_db()
    assert report.figures == {"villages": 1} and files_of(report) == before

    # A new version is computed from today's records, so it differs.
    draft = report_new_version(report=report, user=users.district_staff)
    run(draft.job)
    draft.refresh_from_db()
    assert draft.version == 2 and draft.supersedes == report and draft.figures == {"villages": 3}
    assert draft.narrative["assessment"] == "Có 3 thôn." and draft.narrative["tasks"] == report.narrative["tasks"]
    assert files_of(draft)["pdf_file"] != before["pdf_file"]
    report.refresh_from_db()
    assert report.status == ReportStatus.FINALISED and files_of(report) == before  # in force until v2 is issued


def test_finalising_a_new_version_supersedes_the_old_one_which_stays_readable(tree, users, fake):
    first = finalised(prepared(tree, users), users.district_staff)
    before = files_of(first)
    draft = report_new_version(report=first, user=users.district_staff)
    assert report_new_version(report=first, user=users.district_staff).pk == draft.pk  # one draft
    assert draft.narrative == first.narrative and draft.signer_name == first.signer_name
    run(draft.job)
    draft.refresh_from_db()
    second = finalised(draft, users.district_staff)
    first.refresh_from_db()
    assert second.status == ReportStatus.FINALISED and second.number == "02/BC-UBND" and second.version == 2
    assert first.status == ReportStatus.SUPERSEDED and first.superseded_by == second
    assert files_of(first) == before  # the superseded report keeps its number and files
    with pytest.raises(ValidationError):
        report_new_version(report=first, user=users.district_staff)  # a correction starts from the one in force


def test_issue_date_cannot_be_in_the_future_or_before_the_period(tree, users, fake):
    report = prepared(tree, users)
    with pytest.raises(ValidationError):
        report_finalise(report=report, issued_on=timezone.localdate() + timedelta(days=1), user=users.district_staff)
    with pytest.raises(ValidationError):
        report_finalise(report=report, issued_on=report.period_start - timedelta(days=1), user=users.district_staff)


def test_register_numbers_restart_each_year_and_are_spent_only_with_the_document(tree):
    with transaction.atomic():
        assert [register_next_number(unit=tree.district, year=2030, symbol="BC-UBND") for _ in range(3)] == [1, 2, 3]
        assert register_next_number(unit=tree.district, year=2031, symbol="BC-UBND") == 1
        assert register_next_number(unit=tree.other_district, year=2030, symbol="BC-UBND") == 1
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        register_next_number(unit=tree.district, year=2030, symbol="BC-UBND")
        raise ZeroDivisionError  # the document was not issued: its number goes back
    with transaction.atomic():
        assert register_next_number(unit=tree.district, year=2030, symbol="BC-UBND") == 4


# --- who may do what -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["commune_officer", "province_staff", "other_district"])
def test_only_the_districts_staff_prepare_write_and_issue_its_report(tree, users, fake, who):
    other = UserFactory(role="district_staff", unit=tree.other_district)
    user = other if who == "other_district" else getattr(users, who)
    start, end = half_year()
    with pytest.raises(PermissionDenied):
        report_draft_prepare(
            unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=user
        )
    report = prepared(tree, users)
    with pytest.raises(PermissionDenied):
        report_narrative_save(report=report, narrative={"tasks": "x"}, fields={}, user=user)
    with pytest.raises(PermissionDenied):
        report_finalise(report=report, issued_on=timezone.localdate(), user=user)


def test_a_commune_of_a_reporting_district_has_no_six_month_report_but_its_review_table(tree, users, fake):
    start, end = half_year()
    with pytest.raises(PermissionDenied):
        report_draft_prepare(
            unit=tree.commune, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.commune_officer
        )
    start, end = periods_for(ReportKind.REVIEW_RESULTS, timezone.localdate().year)
    report = report_draft_prepare(
        unit=tree.commune,
        kind=ReportKind.REVIEW_RESULTS,
        period_start=start,
        period_end=end,
        user=users.commune_officer,
    )
    assert run(report.job).status == JobStatus.SUCCEEDED


def test_the_province_prepares_its_roll_up_and_sees_every_units_report(tree, users, fake):
    district_report = prepared(tree, users)
    start, end = half_year()
    roll_up = report_draft_prepare(
        unit=tree.province, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.province_staff
    )
    run(roll_up.job)
    visible = set(PeriodicReport.objects.visible_to(users.province_staff))
    assert visible == {district_report, roll_up}
    assert set(PeriodicReport.objects.visible_to(users.district_staff)) == {district_report}
    assert set(PeriodicReport.objects.visible_to(users.commune_officer)) == set()
    outsider = UserFactory(role="province_staff", unit=tree.other_province)
    assert not PeriodicReport.objects.visible_to(outsider).exists()
    with pytest.raises(PermissionDenied):
        report_download_logged(report=district_report, file_kind="pdf", user=outsider, address="10.0.0.9")


def test_every_download_is_logged_with_who_and_where(tree, users, fake):
    report = prepared(tree, users)
    report_download_logged(report=report, file_kind="pdf", user=users.province_staff, address="10.0.0.7")
    report_download_logged(report=report, file_kind="xlsx", user=users.district_staff, address=None)
    log = list(ReportDownload.objects.order_by("pk").values_list("file_kind", "user__username", "address"))
    assert log == [("pdf", "tinh.gialai", "10.0.0.7"), ("xlsx", "huyen.krongpa", None)]


def test_the_finalise_job_refuses_a_requester_who_lost_the_role(tree, users, fake):
    report = prepared(tree, users)
    job = report_finalise(report=report, issued_on=timezone.localdate(), user=users.district_staff)
    users.district_staff.unit = tree.other_district
    users.district_staff.save()
    job = run(job)
    assert job.status == JobStatus.FAILED and "không còn quyền" in job.error
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not DocumentRegister.objects.exists()


# --- failures --------------------------------------------------------------------------------------------------
def test_a_failure_is_recorded_with_its_reason_and_can_be_run_again(tree, users, fake):
    fake.fail_with = ValueError("bảng chỉ tiêu trống")
    start, end = half_year()
    report = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    job = run(report.job)
    assert job.status == JobStatus.FAILED and "Lỗi hệ thống" in job.error and "bảng chỉ tiêu trống" in job.error
    report.refresh_from_db()
    assert not report.pdf_file and report.job == job
    fake.fail_with = None
    job = run(job_run_retry(job=job, by=users.district_staff))  # "Chạy lại" on the job page
    assert job.status == JobStatus.SUCCEEDED
    report.refresh_from_db()
    assert report.pdf_file and report.figures == {"villages": 1}


def test_preparing_again_after_a_failure_generates_the_draft_again(tree, users, fake):
    fake.fail_with = ValueError("lỗi")
    start, end = half_year()
    report = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    failed = run(report.job)
    fake.fail_with = None
    again = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    assert again.pk == report.pk and again.job != failed
    assert run(again.job).status == JobStatus.SUCCEEDED


def test_a_lost_database_connection_puts_the_generation_back_in_the_queue(tree, users, fake):
    fake.fail_with = OperationalError("server closed the connection unexpectedly")
    start, end = half_year()
    report = report_draft_prepare(
        unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=start, period_end=end, user=users.district_staff
    )
    with pytest.raises(OperationalError):
        job_run_execute(job_id=report.job.pk, may_retry=True)  # core.tasks.job_run_task retries it with backoff
    job = JobRun.objects.get(pk=report.job.pk)
    assert job.status == JobStatus.QUEUED and "tự chạy lại" in job.message
    fake.fail_with = None
    assert run(job).status == JobStatus.SUCCEEDED


# --- two requests at once --------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_preparations_at_once_make_one_draft(tree, users, fake, monkeypatch):
    monkeypatch.setattr(services, "_generation_queue", lambda report, *, user, refresh: None)
    start, end = half_year()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def prepare():
        try:
            barrier.wait(timeout=10)
            report = report_draft_prepare(
                unit=tree.district,
                kind=ReportKind.SIX_MONTH,
                period_start=start,
                period_end=end,
                user=users.district_staff,
            )
            results.append(report.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=prepare) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(results) == 2 and results[0] == results[1]
    assert PeriodicReport.objects.count() == 1
