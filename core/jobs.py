"""The runner that drives one JobRun through its states, with progress and a heartbeat every job benefits from.

Kinds are registered in ``core.job_registry`` (``job_kind``, ``JobError`` and friends are re-exported here,
so apps keep importing them from ``core.jobs``). While a job runs, the runner

* writes progress and a heartbeat through a second connection to the database (the ``jobs`` alias), so
  the page sees them even while the handler holds one transaction for the whole run;
* holds a PostgreSQL advisory lock on that connection: the lock disappears with the worker process, so a
  job page can tell at once that a "running" job has lost its worker (``job_worker_alive``).
"""

import logging
import threading

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError

from .job_registry import (  # noqa: F401 - re-exported: apps register kinds through core.jobs
    Handler,
    JobError,
    JobKind,
    ProgressFn,
    find_job_kind,
    get_job_kind,
    job_kind,
    job_kind_label,
    job_time_limit,
)
from .models import JobRun, JobStatus

logger = logging.getLogger(__name__)

# Failures worth another attempt after a pause: the database or Redis was briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, RedisConnectionError)

# The database alias of the progress/heartbeat connection (config/settings/base.py).
PROGRESS_DB = "jobs"
# First key of the advisory locks that running jobs hold (the second is the job id); any constant unused elsewhere.
LOCK_NAMESPACE = 7_410_001


class _JobReporter:
    """Progress, heartbeat and liveness lock of one run, kept outside the handler's transaction.

    A caller already inside a transaction (a test, an eager call) has not committed the job row, which
    another connection could not even see: then progress goes through the caller's connection, without
    heartbeat thread or lock.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.separate = not connection.in_atomic_block
        self.alias = PROGRESS_DB if self.separate else DEFAULT_DB_ALIAS
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._locked = False

    def _running_row(self):
        return JobRun.objects.using(self.alias).filter(pk=self.job_id, status=JobStatus.RUNNING)

    def lock(self) -> bool:
        """Take the job's liveness lock; False when another live worker already runs this job."""
        if not self.separate:
            return True
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, self.job_id])
            self._locked = bool(cursor.fetchone()[0])
        return self._locked

    def progress(self, percent: int, message: str) -> None:
        try:
            self._running_row().update(
                progress=max(0, min(99, int(percent))), message=str(message)[:255], heartbeat_at=timezone.now()
            )
        except DatabaseError:
            if not self.separate:
                raise
            # e.g. the handler's own transaction locked the job's row (lock_timeout of the `jobs` alias):
            # a missed progress step must not stop or hang the job.
            logger.warning("Job %s: progress not written", self.job_id, exc_info=True)

    def start_heartbeat(self) -> None:
        if self.separate:
            self._thread = threading.Thread(target=self._beat, name=f"job-{self.job_id}-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        interval = settings.JOB_HEARTBEAT_SECONDS
        try:
            while not self._stop.wait(interval):
                try:
                    self._running_row().update(heartbeat_at=timezone.now())
                except DatabaseError:  # the next beat tries again; a dead database also ends the job
                    logger.warning("Job %s: heartbeat not written", self.job_id, exc_info=True)
                    connections[self.alias].close()
        finally:
            connections[self.alias].close()  # this thread's own connection

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._locked:
            try:
                with connections[self.alias].cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, self.job_id])
            except DatabaseError:
                connections[self.alias].close()  # closing the session releases the lock as well


def job_worker_alive(job_id: int) -> bool:
    """Whether a worker process holds the liveness lock of this job (i.e. is running it right now)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, job_id])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, job_id])
    return False


def job_run_execute(*, job_id: int, may_retry: bool = False, task_id: str | None = None) -> JobRun:
    """Run one queued job to the end, recording progress, result or error on its row.

    A transient error re-raises after putting the job back in the queue when ``may_retry`` is set, so
    that the Celery task can try again with backoff; every other failure ends the job as failed.
    ``task_id`` is the Celery task delivering the job: a delivery superseded by a later re-run, or one that
    arrives while another worker still runs the job, does nothing.
    """
    reporter = _JobReporter(job_id)
    try:
        if not reporter.lock():
            logger.info("Job %s is already running in another worker; delivery %s ignored", job_id, task_id)
            return JobRun.objects.get(pk=job_id)
        with transaction.atomic():
            job = JobRun.objects.select_for_update().get(pk=job_id)
            if job.is_finished:
                return job  # a duplicate delivery of a finished job: nothing to do (idempotent)
            if task_id and job.celery_task_id and task_id != job.celery_task_id:
                return job  # an old message of a job that has been re-run since
            if job.status == JobStatus.RUNNING and job.attempts >= settings.JOB_MAX_DELIVERIES:
                # The worker died under this job again and again (out of memory, killed): stop redelivering.
                job.mark_failed(
                    _(
                        "Tiến trình xử lý nền đã dừng %(n)s lần khi chạy công việc này, nên hệ thống không tự chạy "
                        "lại nữa. Hãy kiểm tra dữ liệu đầu vào (ví dụ tệp quá lớn) rồi chạy lại, hoặc báo quản trị "
                        "hệ thống."
                    )
                    % {"n": job.attempts}
                )
                job.save()
                return job
            job.mark_running()
            job.save()
        reporter.start_heartbeat()
        return _run_handler(job, reporter.progress, may_retry=may_retry)
    finally:
        reporter.close()


def _run_handler(job: JobRun, progress: ProgressFn, *, may_retry: bool) -> JobRun:
    try:
        result = get_job_kind(job.kind).handler(job, progress)
    except JobError as exc:
        _finish(job, error=str(exc))
    except SoftTimeLimitExceeded:
        _finish(job, error=_("Công việc chạy quá thời gian cho phép và đã bị dừng. Hãy thử lại sau."))
    except TRANSIENT_ERRORS as exc:
        if not may_retry:
            _finish(job, error=_("Không kết nối được cơ sở dữ liệu hoặc Redis: %(error)s") % {"error": exc})
            raise
        job.refresh_from_db()
        if job.status == JobStatus.RUNNING:
            job.mark_waiting_retry(_("Mất kết nối tạm thời, hệ thống sẽ tự chạy lại."))
            job.save()
        raise
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(job, error=_("Lỗi hệ thống: %(error)s") % {"error": f"{exc.__class__.__name__}: {exc}"})
    else:
        _finish(job, result=result or {})
    return job


def _finish(job: JobRun, *, result: dict | None = None, error: str = "") -> None:
    """Record the outcome, unless the job was meanwhile marked failed (its worker was thought dead)."""
    with transaction.atomic():
        fresh = JobRun.objects.select_for_update().get(pk=job.pk)
        if fresh.status != JobStatus.RUNNING:
            logger.warning("Job %s ended while marked %s; outcome not recorded", job.pk, fresh.status)
        elif error:
            fresh.mark_failed(error)
            fresh.save()
        else:
            fresh.mark_succeeded(result or {})
            fresh.save()
    job.refresh_from_db()


def job_requester(job: JobRun, refusal: str):
    """The officer a job works as, or ``refusal`` (a Vietnamese reason on the job page) when their account is gone
    or switched off: a job never runs with nobody's scope."""
    user = job.requested_by
    if user is None or not user.is_active:
        raise JobError(refusal)
    return user


def counted_progress(progress: ProgressFn, message: str):
    """``progress(done, total)`` for a job's loop over rows: 5 % to 95 % of the bar, and ``message`` with ``done``
    and ``total`` written the Vietnamese way ("Đã ghi 1.200/10.087 hộ")."""
    from .formatting import number

    def report(done: int, total: int) -> None:
        percent = 5 + 90 * min(done, total) // max(total, 1)
        progress(percent, message % {"done": number(done), "total": number(total)})

    return report
