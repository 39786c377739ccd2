"""Celery tasks of the core app. Tasks take IDs and call a service."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .jobs import TRANSIENT_ERRORS, job_run_execute
from .services import job_run_fail_dead

HEARTBEAT_KEY = "core:worker-heartbeat"


@shared_task(ignore_result=False)
def heartbeat_task() -> str:
    """Sent by beat every minute and run by a worker: proves both are alive (read by the status page)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 60 * 60)
    return now


# ignore_result: the JobRun row records the outcome. A stored result would also make every publish wait for
# the result backend, which, with Redis down, retried for 19 s before the page failed.
@shared_task(bind=True, max_retries=3, acks_late=True, ignore_result=True)
def job_run_task(self, job_id: int) -> int:
    """Run the JobRun ``job_id``; the row records the outcome, so the task itself returns only the id."""
    try:
        job_run_execute(job_id=job_id, may_retry=self.request.retries < self.max_retries, task_id=self.request.id)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    return job_id


@shared_task(ignore_result=True)
def job_run_fail_dead_task() -> int:
    """Sent by beat every minute: jobs whose worker died, or that no worker took, are marked failed."""
    return job_run_fail_dead()
