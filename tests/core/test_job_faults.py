"""Background jobs when things go wrong: who may re-run a job, dead workers, a queue that is down or restarts,
and progress seen from outside the job's transaction. The worker tests run private workers on a private Redis."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from core.jobs import LOCK_NAMESPACE, job_run_execute
from core.models import JobLogAction, JobRun, JobRunLog, JobStatus
from core.services import job_run_fail_dead, job_run_start

from ..conftest import database_url
from ..factories import UserFactory
from . import slow_jobs

ROOT = Path(settings.BASE_DIR)


def make_job(kind, user, *, status=JobStatus.FAILED, unit=None, **fields):
    return JobRun.objects.create(
        kind=kind, requested_by=user, unit=unit or user.unit, status=status, error="Lỗi thử", **fields
    )


# --- re-running needs the permission to start that kind of job -----------------------------------------------


@pytest.mark.django_db
def test_a_district_officer_cannot_rerun_a_communes_import(client_for, users, django_capture_on_commit_callbacks):
    job = make_job("household_import", users.commune_officer, params={"token": "x", "sha256": "y", "commit": True})
    district = client_for(users.district_staff)
    page = district.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'data-testid="retry"' not in page and 'data-testid="retry-not-allowed"' in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = district.post(reverse("core:job_retry", args=[job.pk]))
    assert response.status_code == 403 and not callbacks
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not JobRunLog.objects.exists()


@pytest.mark.django_db
def test_a_job_outside_the_scope_is_a_404_and_nothing_runs(client_for, users, tree, django_capture_on_commit_callbacks):
    job = make_job("test_sleep", UserFactory(unit=tree.sibling_commune))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(users.commune_officer).post(reverse("core:job_retry", args=[job.pk]))
    assert response.status_code == 404 and not callbacks
    assert JobRun.objects.get(pk=job.pk).status == JobStatus.FAILED


@pytest.mark.django_db
def test_a_kind_without_declared_roles_is_rerun_only_by_its_requester(
    client_for, users, tree, django_capture_on_commit_callbacks
):
    job = make_job("test_sleep", users.commune_officer)
    colleague = UserFactory(unit=tree.commune, role=users.commune_officer.role)
    with django_capture_on_commit_callbacks() as callbacks:
        assert client_for(colleague).post(reverse("core:job_retry", args=[job.pk])).status_code == 403
        assert client_for(users.province_staff).post(reverse("core:job_retry", args=[job.pk])).status_code == 403
    assert not callbacks
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(users.commune_officer).post(reverse("core:job_retry", args=[job.pk]))
    assert response.status_code == 302 and len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    [entry] = job.log.all()
    assert entry.action == JobLogAction.RERUN and entry.actor == users.commune_officer and entry.at
    page = client_for(users.commune_officer).get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-log"' in page and "Chạy lại" in page and str(users.commune_officer) in page


@pytest.mark.django_db
def test_a_kind_with_declared_roles_is_rerun_by_those_roles_only(client_for, users, django_capture_on_commit_callbacks):
    """The system check declares ADMIN_ONLY: a province officer who once requested one may not re-run it."""
    job = make_job("system_check", users.province_staff)
    with django_capture_on_commit_callbacks() as callbacks:
        assert client_for(users.province_staff).post(reverse("core:job_retry", args=[job.pk])).status_code == 403
    assert not callbacks
    with django_capture_on_commit_callbacks() as callbacks:
        assert client_for(users.admin).post(reverse("core:job_retry", args=[job.pk])).status_code == 302
    assert len(callbacks) == 1 and job.log.get().actor == users.admin


@pytest.mark.django_db
def test_starting_a_kind_needs_a_declared_role(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        job_run_start(kind="system_check", requested_by=users.district_staff)
    assert not JobRun.objects.exists()


# --- the administrator sees every unit's jobs --------------------------------------------------------------


@pytest.mark.django_db
def test_the_administrator_sees_every_units_jobs_and_others_keep_their_scope(client_for, users, tree):
    far = make_job("test_sleep", UserFactory(unit=tree.other_province_commune))
    unitless = JobRun.objects.create(kind="test_sleep", requested_by=UserFactory(unit=tree.sibling_commune))
    mine = make_job("test_sleep", users.commune_officer)
    assert set(JobRun.objects.visible_to(users.admin)) == {far, unitless, mine}
    assert set(JobRun.objects.visible_to(users.province_staff)) == {mine}
    assert set(JobRun.objects.visible_to(users.commune_officer)) == {mine}
    page = client_for(users.admin).get(reverse("core:job_list")).content.decode()
    for job in (far, unitless, mine):
        assert reverse("core:job_detail", args=[job.pk]) in page
    assert client_for(users.admin).get(reverse("core:job_detail", args=[far.pk])).status_code == 200


# --- dead jobs ---------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def worker_lock(job_id: int):
    """Hold a job's liveness lock from another session, as a live worker would."""
    conn = psycopg2.connect(database_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, job_id])
        yield
    finally:
        conn.close()


@pytest.mark.django_db
def test_a_running_job_whose_worker_is_gone_is_failed_when_its_page_is_read(client_for, users):
    job = make_job("test_sleep", users.commune_officer, status=JobStatus.RUNNING, started_at=timezone.now())
    job.error = ""
    job.heartbeat_at = timezone.now()
    job.save()
    client = client_for(users.commune_officer)
    data = client.get(reverse("core:job_progress", args=[job.pk])).json()
    assert data["status"] == "failed" and data["status_label"] == "Thất bại" and data["finished"]
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Tiến trình xử lý nền đã dừng giữa chừng" in page and 'data-testid="retry"' in page
    assert job.log.get().action == JobLogAction.MARKED_FAILED


@pytest.mark.django_db
def test_a_running_job_with_a_live_worker_keeps_running_until_its_heartbeat_stops(client_for, users):
    now = timezone.now()
    job = make_job("test_sleep", users.commune_officer, status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    client = client_for(users.commune_officer)
    with worker_lock(job.pk):
        assert client.get(reverse("core:job_progress", args=[job.pk])).json()["status"] == "running"
        assert job_run_fail_dead() == 0
        silent = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS + 5)
        JobRun.objects.filter(pk=job.pk).update(heartbeat_at=silent)
        assert job_run_fail_dead() == 1  # a hung worker: the lock is held but nothing is written any more
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "không còn tín hiệu từ" in job.error


@pytest.mark.django_db
def test_a_job_past_its_time_limit_is_failed(users):
    now = timezone.now()
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + settings.JOB_STALE_AFTER_SECONDS)
    job = make_job(
        "test_sleep",
        users.commune_officer,
        status=JobStatus.RUNNING,
        started_at=now - limit - timedelta(minutes=1),
        heartbeat_at=now,
    )
    with worker_lock(job.pk):
        assert job_run_fail_dead() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "quá thời gian cho phép (30 phút)" in job.error


@pytest.mark.django_db
def test_a_job_no_worker_took_is_failed_after_the_queue_timeout(users):
    now = timezone.now()
    fresh = make_job("test_sleep", users.commune_officer, status=JobStatus.QUEUED, heartbeat_at=now)
    old = make_job(
        "test_sleep",
        users.commune_officer,
        status=JobStatus.QUEUED,
        heartbeat_at=now - timedelta(seconds=settings.JOB_QUEUE_TIMEOUT_SECONDS + 60),
    )
    assert job_run_fail_dead() == 1
    fresh.refresh_from_db()
    old.refresh_from_db()
    assert fresh.status == JobStatus.QUEUED
    assert old.status == JobStatus.FAILED and "chờ trong hàng đợi quá 6 giờ" in old.error


def test_beat_sweeps_dead_jobs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["job-run-fail-dead"]
    assert entry["task"] == "core.tasks.job_run_fail_dead_task" and entry["schedule"] <= 60


# --- progress through a connection of its own ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_progress_is_seen_from_another_connection_while_the_jobs_transaction_is_open(users):
    job = JobRun.objects.create(kind="test_in_transaction", requested_by=users.commune_officer)
    slow_jobs.release.clear()
    outcome = {}

    def run() -> None:
        try:
            outcome["job"] = job_run_execute(job_id=job.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while JobRun.objects.get(pk=job.pk).progress != 40:
            assert time.monotonic() < deadline, "progress never reached another connection"
            time.sleep(0.05)
        seen = JobRun.objects.get(pk=job.pk)
        assert seen.status == JobStatus.RUNNING and seen.message == "Đã ghi một nửa" and seen.heartbeat_at
        assert not JobRunLog.objects.filter(job=job).exists()  # the job's own transaction is still open
    finally:
        slow_jobs.release.set()
        thread.join(timeout=30)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert JobRunLog.objects.filter(job=job).exists()


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_a_handler_that_locks_its_own_row_is_not_hung_by_progress(users):
    job = JobRun.objects.create(kind="test_locks_its_row", requested_by=users.commune_officer)
    started = time.monotonic()
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED and time.monotonic() - started < 10


# --- real workers on a private Redis ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test alone, with append-only persistence like the project's own."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.pidfile = folder / "redis.pid"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.folder / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "yes",
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        ping = ["redis-cli", "-p", str(self.port), "ping"]
        while subprocess.run(ping, capture_output=True, text=True).stdout.strip() != "PONG":
            assert time.monotonic() < deadline, "the private Redis did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        pid = int(self.pidfile.read_text())
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            assert time.monotonic() < deadline, "the private Redis did not stop"
            time.sleep(0.05)


@contextlib.contextmanager
def broker(url: str):
    """Point this process's Celery app (publishing, control) at another broker for the duration."""
    from config.celery import app

    def reset() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield app
    finally:
        app.conf.broker_url = saved
        reset()


class Worker:
    """A Celery worker process of one test, that also knows the test job kinds; heartbeat every second."""

    def __init__(self, redis_url: str, log: Path, *, pool: str = "solo", concurrency: int = 1) -> None:
        self.name = f"fault-{uuid.uuid4().hex[:8]}@test"
        argv = ["worker", "-l", "info", "-P", pool, "-c", str(concurrency), "-n", self.name]
        if pool == "solo":
            argv.append("--without-mingle")  # faster start; the restart test keeps run.sh's defaults
        code = (
            "import django; django.setup(); import tests.core.slow_jobs; from config.celery import app; "
            f"app.worker_main({json.dumps(argv)})"
        )
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "JOB_HEARTBEAT_SECONDS": "1",
        }
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            stdout=open(log, "w"),  # noqa: SIM115 - the child keeps writing to it
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, app) -> None:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[self.name], timeout=0.5):
            assert self.process.poll() is None, f"the worker exited: {self.log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, "the worker did not answer within 60 s"

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_status(job: JobRun, status: str, timeout: float = 30, *, progress: bool = False) -> JobRun:
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.status == status and (not progress or job.progress > 0):
            return job
        assert time.monotonic() < deadline, f"job {job.pk} is {job.status} ({job.error}), not {status}"
        time.sleep(0.1)


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    yield redis
    with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
        redis.stop()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_a_failed_job_that_can_be_rerun(private_redis, tmp_path, client_for, users):
    with broker(private_redis.url) as app:
        worker = Worker(private_redis.url, tmp_path / "worker-1.log")
        try:
            worker.wait_ready(app)
            job = job_run_start(kind="test_sleep", requested_by=users.commune_officer, params={"seconds": 4})
            wait_status(job, JobStatus.RUNNING, progress=True)
            worker.kill()
        finally:
            worker.stop()
        client = client_for(users.commune_officer)
        deadline = time.monotonic() + 15
        while not (data := client.get(reverse("core:job_progress", args=[job.pk])).json())["finished"]:
            assert time.monotonic() < deadline, f"the dead job is still {data['status']}"
            time.sleep(0.2)
        assert data["status_label"] == "Thất bại"
        page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
        assert "Tiến trình xử lý nền đã dừng giữa chừng" in page and 'data-testid="retry"' in page

        response = client.post(reverse("core:job_retry", args=[job.pk]))
        assert response.status_code == 302
        worker = Worker(private_redis.url, tmp_path / "worker-2.log")
        try:
            worker.wait_ready(app)
            job = wait_status(job, JobStatus.SUCCEEDED, timeout=60)
        finally:
            worker.stop()
    assert job.result == {"slept": 4.0} and job.attempts == 2
    assert [entry.action for entry in job.log.all()] == [JobLogAction.MARKED_FAILED, JobLogAction.RERUN]


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_a_redis_restart_during_a_job(private_redis, tmp_path, users):
    log = tmp_path / "worker.log"
    with broker(private_redis.url) as app:
        worker = Worker(private_redis.url, log, pool="prefork", concurrency=2)  # as scripts/run.sh starts it
        try:
            worker.wait_ready(app)
            job = job_run_start(kind="test_sleep", requested_by=users.commune_officer, params={"seconds": 5})
            wait_status(job, JobStatus.RUNNING, progress=True)
            private_redis.stop()
            time.sleep(1)
            private_redis.start()
            job = wait_status(job, JobStatus.SUCCEEDED, timeout=60)
            assert worker.process.poll() is None, log.read_text()[-3000:]
            after = job_run_start(kind="test_sleep", requested_by=users.commune_officer, params={"seconds": 0.5})
            wait_status(after, JobStatus.SUCCEEDED, timeout=60)
            assert worker.process.poll() is None
        finally:
            worker.stop()
    text = log.read_text()
    assert "Connection to broker lost" in text and "Unrecoverable error" not in text, text[-3000:]


@pytest.mark.django_db(transaction=True)
def test_when_the_queue_is_down_the_officer_is_told_at_once_and_can_retry(client_for, users):
    client = client_for(users.admin)
    with broker(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        response = client.post(reverse("core:system_check"), follow=True)
        elapsed = time.monotonic() - started
        assert response.status_code == 200 and elapsed < 5, elapsed
        job = JobRun.objects.get()
        assert job.status == JobStatus.FAILED and "Hàng đợi công việc nền (Redis) đang không hoạt động" in job.error
        page = response.content.decode()
        assert "Hàng đợi công việc nền (Redis) đang không hoạt động" in page and 'data-testid="retry"' in page
        response = client.post(reverse("core:job_retry", args=[job.pk]), follow=True)
        assert response.status_code == 200
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and job.log.get().action == JobLogAction.RERUN
        assert "Hàng đợi công việc nền (Redis)" in response.content.decode()
