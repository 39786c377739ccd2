"""A real round trip: a Celery worker process, the real Redis broker and the test database."""

import time

import pytest
from django.core.cache import cache

from core.models import JobRun, JobStatus
from core.services import job_run_start
from core.tasks import HEARTBEAT_KEY, heartbeat_task

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def wait_for(job: JobRun, timeout: float = 60) -> JobRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} after {timeout} s")


def test_heartbeat_goes_through_redis_and_a_worker(celery_worker):
    cache.delete(HEARTBEAT_KEY)
    stamp = heartbeat_task.delay().get(timeout=30)
    assert cache.get(HEARTBEAT_KEY) == stamp


def test_system_check_job_runs_in_the_worker(celery_worker, users):
    heartbeat_task.delay().get(timeout=30)
    job = wait_for(job_run_start(kind="system_check", requested_by=users.admin))
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.celery_task_id and job.attempts == 1
    checks = {check["code"]: check for check in job.result["checks"]}
    assert set(checks) == {"database", "redis", "media", "pdf", "heartbeat"}
    assert all(check["ok"] for check in checks.values()), checks
