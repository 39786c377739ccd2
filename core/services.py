"""Write services of the core app: starting and retrying background jobs."""

from django.db import transaction

from .jobs import get_job_kind
from .models import JobRun


def _enqueue(job: JobRun) -> None:
    from .tasks import job_run_task

    def send() -> None:
        result = job_run_task.delay(job.pk)
        JobRun.objects.filter(pk=job.pk).update(celery_task_id=result.id)

    transaction.on_commit(send)


@transaction.atomic
def job_run_start(*, kind: str, requested_by, unit=None, params: dict | None = None) -> JobRun:
    """Create a queued JobRun and send it to a worker once the transaction commits."""
    get_job_kind(kind)  # refuse unknown kinds before anything is written
    job = JobRun(kind=kind, requested_by=requested_by, unit=unit, params=params or {})
    job.full_clean()
    job.save()
    _enqueue(job)
    return job


@transaction.atomic
def job_run_retry(*, job: JobRun) -> JobRun:
    """Put a failed job back in the queue with the same parameters; only failed jobs can be retried."""
    job = JobRun.objects.select_for_update().get(pk=job.pk)
    job.mark_requeued()
    job.save()
    _enqueue(job)
    return job
