"""The registry of background-job kinds and the runner that drives one JobRun through its states.

An app registers a kind with ``@job_kind("code", label)`` on a handler ``handler(job, progress) -> dict``.
The handler reports progress with ``progress(percent, message)`` and raises ``JobError`` with a
Vietnamese message when the input is wrong; any other exception is recorded as a system error.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, transaction
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError

from .models import JobRun, JobStatus

logger = logging.getLogger(__name__)

# Failures worth another attempt after a pause: the database or Redis was briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, RedisConnectionError)


class JobError(Exception):
    """A failure the officer can understand and fix (shown as is on the job page)."""


ProgressFn = Callable[[int, str], None]
Handler = Callable[[JobRun, ProgressFn], dict]


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str
    handler: Handler


_REGISTRY: dict[str, JobKind] = {}


def job_kind(code: str, label: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _REGISTRY[code] = JobKind(code=code, label=label, handler=handler)
        return handler

    return register


def job_kind_label(code: str) -> str:
    kind = _REGISTRY.get(code)
    return str(kind.label) if kind else code


def get_job_kind(code: str) -> JobKind:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise JobError(_("Loại công việc “%(code)s” không tồn tại.") % {"code": code}) from None


def job_run_execute(*, job_id: int, may_retry: bool = False) -> JobRun:
    """Run one queued job to the end, recording progress, result or error on its row.

    A transient error re-raises after putting the job back in the queue when ``may_retry`` is set, so
    that the Celery task can try again with backoff; every other failure ends the job as failed.
    """
    with transaction.atomic():
        job = JobRun.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return job  # a duplicate delivery of a finished job: nothing to do (idempotent)
        job.mark_running()
        job.save()

    def progress(percent: int, message: str) -> None:
        JobRun.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            progress=max(0, min(99, int(percent))), message=message[:255]
        )

    try:
        result = get_job_kind(job.kind).handler(job, progress)
    except JobError as exc:
        _finish_failed(job, str(exc))
    except SoftTimeLimitExceeded:
        _finish_failed(job, _("Công việc chạy quá thời gian cho phép và đã bị dừng. Hãy thử lại sau."))
    except TRANSIENT_ERRORS as exc:
        if not may_retry:
            _finish_failed(job, _("Không kết nối được cơ sở dữ liệu hoặc Redis: %(error)s") % {"error": exc})
            raise
        job.refresh_from_db()
        job.mark_waiting_retry(_("Mất kết nối tạm thời, hệ thống sẽ tự chạy lại."))
        job.save()
        raise
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish_failed(job, _("Lỗi hệ thống: %(error)s") % {"error": f"{exc.__class__.__name__}: {exc}"})
    else:
        job.refresh_from_db()
        job.mark_succeeded(result or {})
        job.save()
    return job


def _finish_failed(job: JobRun, error: str) -> None:
    job.refresh_from_db()
    job.mark_failed(error)
    job.save()
