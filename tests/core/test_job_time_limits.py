"""A job kind may declare its own time limit (``@job_kind(..., time_limit=...)``): the message sent to the worker
carries it, the sweep of dead jobs waits that long, and a worker stops the run after it with the usual reason."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core import tasks
from core.job_registry import SOFT_LIMIT_MARGIN, find_job_kind, job_kind, job_time_limit
from core.models import JobStatus
from core.services import job_run_fail_dead, job_run_start

from .test_job_faults import Worker, broker, make_job, private_redis, wait_status, worker_lock  # noqa: F401


def test_exports_and_documents_have_the_longer_limit_and_others_the_default():
    assert find_job_kind("excel_export").time_limit == settings.DOCUMENT_JOB_TIME_LIMIT
    assert job_time_limit("excel_export") == settings.DOCUMENT_JOB_TIME_LIMIT > settings.CELERY_TASK_TIME_LIMIT
    assert job_time_limit("household_import") == settings.CELERY_TASK_TIME_LIMIT
    # Redis gives an unacknowledged task to another worker only after the longest limit.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 2 * settings.DOCUMENT_JOB_TIME_LIMIT


def test_a_limit_shorter_than_the_soft_margin_is_refused():
    with pytest.raises(ValueError):
        job_kind("test_bad_limit", "x", time_limit=SOFT_LIMIT_MARGIN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "limit"),
    [("test_short_limit", 62), ("test_sleep", None)],
)
def test_the_kinds_limit_travels_with_the_task(kind, limit, users, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.job_run_task, "apply_async", lambda **options: sent.append(options))
    with django_capture_on_commit_callbacks(execute=True):
        job_run_start(kind=kind, requested_by=users.commune_officer)
    expected = limit or settings.CELERY_TASK_TIME_LIMIT
    assert sent[0]["time_limit"] == expected
    assert sent[0]["soft_time_limit"] == expected - SOFT_LIMIT_MARGIN


@pytest.mark.django_db
def test_an_export_running_past_the_default_limit_but_within_its_own_is_not_failed(users):
    now = timezone.now()
    grace = timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    within = make_job(
        "excel_export",
        users.commune_officer,
        status=JobStatus.RUNNING,
        started_at=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - grace - timedelta(minutes=5),
        heartbeat_at=now,
    )
    past = make_job(
        "excel_export",
        users.commune_officer,
        status=JobStatus.RUNNING,
        started_at=now - timedelta(seconds=settings.DOCUMENT_JOB_TIME_LIMIT) - grace - timedelta(minutes=1),
        heartbeat_at=now,
    )
    with worker_lock(within.pk), worker_lock(past.pk):
        assert job_run_fail_dead() == 1
    within.refresh_from_db()
    past.refresh_from_db()
    assert within.status == JobStatus.RUNNING
    minutes = settings.DOCUMENT_JOB_TIME_LIMIT // 60
    assert past.status == JobStatus.FAILED and f"quá thời gian cho phép ({minutes} phút)" in past.error


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_stops_a_run_at_its_kinds_limit_with_the_usual_reason(private_redis, tmp_path, users):  # noqa: F811
    with broker(private_redis.url) as app:
        # prefork: Celery enforces time limits in its pool's child processes (the solo pool ignores them)
        worker = Worker(private_redis.url, tmp_path / "worker.log", pool="prefork", concurrency=1)
        try:
            worker.wait_ready(app)
            job = job_run_start(kind="test_short_limit", requested_by=users.commune_officer, params={"seconds": 30})
            job = wait_status(job, JobStatus.FAILED, timeout=45)
        finally:
            worker.stop()
    assert job.error == "Công việc chạy quá thời gian cho phép và đã bị dừng. Hãy thử lại sau."
    assert job.duration < timedelta(seconds=20)
