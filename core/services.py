"""Write services of the core app: starting, re-running and giving up on background jobs."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from .job_registry import DEFAULT_QUEUE, SOFT_LIMIT_MARGIN
from .jobs import find_job_kind, get_job_kind, job_time_limit, job_worker_alive
from .models import JobLogAction, JobRun, JobRunLog, JobStatus

logger = logging.getLogger(__name__)

# Publishing gives up after about a second when Redis refuses connections (a few seconds when it does not
# answer, see CELERY_BROKER_TRANSPORT_OPTIONS): the officer is told at once instead of a page hanging.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 1}


def _enqueue(job: JobRun) -> None:
    """Send the job to a worker once the transaction commits; if the queue is unreachable, fail it with a
    reason the officer can act on (it can be re-run), instead of leaving it queued for ever."""
    from .tasks import job_run_task

    task_id = str(uuid.uuid4())
    kind = find_job_kind(job.kind)
    queue = kind.queue if kind else DEFAULT_QUEUE
    # The kind's own limit travels with the message, so the worker stops this run (softly first: the job ends
    # with its reason) after that long instead of after CELERY_TASK_TIME_LIMIT.
    limit = job_time_limit(job.kind)
    limits = {"time_limit": limit, "soft_time_limit": limit - SOFT_LIMIT_MARGIN}
    job.celery_task_id = task_id  # stored before publishing, so the worker can tell a superseded delivery
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["celery_task_id", "heartbeat_at"])

    def send() -> None:
        try:
            job_run_task.apply_async(
                args=[job.pk],
                task_id=task_id,
                queue=queue,
                retry=True,
                retry_policy=PUBLISH_RETRY_POLICY,
                **limits,
            )
        except (BrokerError, RedisError, OSError) as exc:
            logger.error("Job %s could not be queued: %s", job.pk, exc)
            error = _(
                "Hàng đợi công việc nền (Redis) đang không hoạt động nên công việc chưa được chạy. Hãy bấm "
                "“Chạy lại” sau ít phút; nếu vẫn lỗi, báo quản trị hệ thống."
            )
            JobRun.objects.filter(pk=job.pk, status=JobStatus.QUEUED, celery_task_id=task_id).update(
                status=JobStatus.FAILED, error=error, finished_at=timezone.now()
            )
            job.refresh_from_db()

    transaction.on_commit(send)


@transaction.atomic
def job_run_start(*, kind: str, requested_by, unit=None, params: dict | None = None) -> JobRun:
    """Create a queued JobRun and send it to a worker once the transaction commits; the requester's role
    must be one the kind declares (core/job_registry.py). If the queue is down the job comes back failed."""
    job_kind = get_job_kind(kind)  # refuse unknown kinds before anything is written
    if not job_kind.may_start(requested_by):
        raise PermissionDenied(_("Vai trò của bạn không được chạy công việc “%(kind)s”.") % {"kind": job_kind.label})
    job = JobRun(kind=kind, requested_by=requested_by, unit=unit, params=params or {})
    job.full_clean()
    job.save()
    _enqueue(job)
    return job


def job_run_may_rerun(job: JobRun, user) -> bool:
    """Whether ``user`` may run this job again: the permission to start its kind (and, for kinds that
    declare no roles, being the officer who asked for it). Visibility is the caller's queryset."""
    kind = find_job_kind(job.kind)
    return kind is not None and kind.may_rerun(user, job.requested_by_id)


@transaction.atomic
def job_run_retry(*, job: JobRun, by) -> JobRun:
    """Put a failed job back in the queue with the same parameters, as its requester, logging who re-ran it;
    only failed jobs can be re-run, and only by a user allowed to start that kind of job."""
    if not job_run_may_rerun(job, by):
        raise PermissionDenied(_("Bạn không có quyền chạy lại công việc này."))
    job = JobRun.objects.select_for_update().get(pk=job.pk)
    job.mark_requeued()
    job.save()
    JobRunLog.objects.create(job=job, action=JobLogAction.RERUN, actor=by)
    _enqueue(job)
    return job


def _dead_reason(job: JobRun, now) -> str:
    return job.stale_reason(
        now=now,
        heartbeat_timeout=timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS),
        time_limit=timedelta(seconds=job_time_limit(job.kind)),
        queue_timeout=timedelta(seconds=settings.JOB_QUEUE_TIMEOUT_SECONDS),
        worker_gone=job.status == JobStatus.RUNNING and not job_worker_alive(job.pk),
    )


def job_run_fail_if_dead(*, job: JobRun) -> JobRun:
    """Mark failed, with the reason, a job that can no longer end by itself (its worker died, it outlived
    its time limit, or no worker took it), so that it can be re-run. Returns the job as it now stands."""
    if job.is_finished:
        return job
    with transaction.atomic():
        fresh = JobRun.objects.select_for_update().get(pk=job.pk)
        reason = "" if fresh.is_finished else _dead_reason(fresh, timezone.now())
        if reason:
            fresh.mark_failed(reason)
            fresh.save()
            JobRunLog.objects.create(job=fresh, action=JobLogAction.MARKED_FAILED, note=reason)
            logger.warning("Job %s marked failed: %s", fresh.pk, reason)
    return fresh


def job_run_fail_dead() -> int:
    """Sweep every unfinished job through ``job_run_fail_if_dead``; returns how many were marked failed."""
    failed = 0
    for job in JobRun.objects.unfinished().order_by("pk"):
        if job_run_fail_if_dead(job=job).status == JobStatus.FAILED:
            failed += 1
    return failed
