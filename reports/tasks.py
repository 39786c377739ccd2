"""Celery tasks of the periodic reports. Generation and finalising are JobRuns (reports/jobs.py) run by
``core.tasks.job_run_task``; the task here is the daily one beat sends (config/settings/base.py)."""

from celery import shared_task

from .schedule import report_deadlines_prepare


@shared_task(ignore_result=True)
def report_deadlines_prepare_task() -> int:
    """Sent by beat every day: drafts for every reporting unit whose deadline's preparation day has come."""
    return report_deadlines_prepare()
