"""JobRun: transitions, the runner's outcomes, retry, scoping and the job pages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.urls import reverse

from core.jobs import JobError, job_kind, job_run_execute
from core.models import JobRun, JobStatus
from core.services import job_run_retry, job_run_start

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@job_kind("test_ok", "Việc thử thành công")
def _ok(job, progress):
    progress(50, "Nửa đường")
    assert JobRun.objects.get(pk=job.pk).progress == 50
    return {"echo": job.params.get("value")}


@job_kind("test_bad_input", "Việc thử lỗi dữ liệu")
def _bad_input(job, progress):
    raise JobError("Tệp thiếu cột “Họ và tên”.")


@job_kind("test_crash", "Việc thử lỗi hệ thống")
def _crash(job, progress):
    raise ZeroDivisionError("chia cho 0")


@job_kind("test_transient", "Việc thử mất kết nối")
def _transient(job, progress):
    raise OperationalError("server closed the connection")


def make_job(kind, user, **params):
    return JobRun.objects.create(kind=kind, requested_by=user, unit=user.unit, params=params)


def test_success_records_result_progress_and_times(users):
    job = job_run_execute(job_id=make_job("test_ok", users.commune_officer, value=7).pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100 and job.result == {"echo": 7}
    assert job.started_at <= job.finished_at and job.attempts == 1


def test_bad_input_fails_with_the_officers_message(users):
    job = job_run_execute(job_id=make_job("test_bad_input", users.commune_officer).pk)
    assert job.status == JobStatus.FAILED and job.error == "Tệp thiếu cột “Họ và tên”."


def test_a_crash_is_recorded_not_lost(users):
    job = job_run_execute(job_id=make_job("test_crash", users.commune_officer).pk)
    assert job.status == JobStatus.FAILED and "Lỗi hệ thống" in job.error and "chia cho 0" in job.error


def test_a_transient_error_goes_back_to_the_queue_while_retries_remain(users):
    job = make_job("test_transient", users.commune_officer)
    with pytest.raises(OperationalError):
        job_run_execute(job_id=job.pk, may_retry=True)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "tự chạy lại" in job.message
    with pytest.raises(OperationalError):
        job_run_execute(job_id=job.pk, may_retry=False)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 2


def test_a_finished_job_delivered_twice_is_not_run_again(users):
    job = job_run_execute(job_id=make_job("test_ok", users.commune_officer).pk)
    again = job_run_execute(job_id=job.pk)
    assert again.attempts == 1


@pytest.mark.parametrize(
    "status,action,allowed",
    [
        (JobStatus.QUEUED, "mark_running", True),
        (JobStatus.SUCCEEDED, "mark_running", False),
        (JobStatus.FAILED, "mark_running", False),
        (JobStatus.QUEUED, "mark_succeeded", False),
        (JobStatus.RUNNING, "mark_succeeded", True),
        (JobStatus.SUCCEEDED, "mark_failed", False),
        (JobStatus.FAILED, "mark_requeued", True),
        (JobStatus.SUCCEEDED, "mark_requeued", False),
        (JobStatus.RUNNING, "mark_requeued", False),
    ],
)
def test_transitions_check_the_source_status(status, action, allowed):
    job = JobRun(kind="test_ok", status=status)
    call = {
        "mark_succeeded": lambda: job.mark_succeeded({}),
        "mark_failed": lambda: job.mark_failed("x"),
    }.get(action, getattr(job, action))
    if allowed:
        call()
    else:
        with pytest.raises(ValidationError, match="Không thể thực hiện"):
            call()


def test_retry_requeues_only_failed_jobs(users, django_capture_on_commit_callbacks):
    job = job_run_execute(job_id=make_job("test_crash", users.commune_officer).pk)
    with django_capture_on_commit_callbacks() as callbacks:
        job_run_retry(job=job, by=users.commune_officer)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.error == "" and len(callbacks) == 1
    with pytest.raises(ValidationError):
        job_run_retry(job=job, by=users.commune_officer)


def test_unknown_kind_is_refused_before_anything_is_written(users):
    with pytest.raises(JobError):
        job_run_start(kind="khong_co", requested_by=users.admin)
    assert not JobRun.objects.exists()


def test_jobs_are_scoped_to_units(users, tree):
    mine = make_job("test_ok", users.commune_officer)
    neighbour = make_job("test_ok", UserFactory(unit=tree.sibling_commune))
    assert list(JobRun.objects.visible_to(users.commune_officer)) == [mine]
    assert set(JobRun.objects.visible_to(users.district_staff)) == {mine, neighbour}


def test_job_pages_show_progress_and_404_outside_scope(client_for, users, tree):
    job = make_job("test_ok", UserFactory(unit=tree.sibling_commune))
    officer = client_for(users.commune_officer)
    assert officer.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    assert officer.get(reverse("core:job_progress", args=[job.pk])).status_code == 404
    district = client_for(users.district_staff)
    page = district.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Việc thử thành công" in page and "data-job-progress-url" in page
    data = district.get(reverse("core:job_progress", args=[job.pk])).json()
    assert data == {
        "status": "queued",
        "status_label": "Đang chờ",
        "progress": 0,
        "message": "",
        "finished": False,
    }


def test_failed_job_page_offers_retry(client_for, users, django_capture_on_commit_callbacks):
    job = job_run_execute(job_id=make_job("test_bad_input", users.commune_officer).pk)
    client = client_for(users.commune_officer)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Tệp thiếu cột" in page and "Chạy lại" in page
    with django_capture_on_commit_callbacks():
        client.post(reverse("core:job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
