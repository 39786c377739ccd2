"""A real round trip: a Celery worker process, the real Redis broker and the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from core.models import JobRun, JobStatus
from core.services import job_run_start
from core.tasks import HEARTBEAT_KEY, heartbeat_task

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = settings.DATABASES["default"]  # after pytest-django's setup this is the test database
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker):
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    celery = Path(sys.executable).with_name("celery")
    log = open(Path(settings.BASE_DIR) / ".local" / "test-worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(celery), "-A", "config", "worker", "-l", "info", "-P", "solo", "-n", name, "--without-mingle"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}; see .local/test-worker.log")
        if app.control.ping(timeout=0.5):
            break
    else:
        process.terminate()
        raise RuntimeError("the Celery worker did not answer within 60 s; see .local/test-worker.log")
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.close()


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
