"""Celery tasks of the registry: keeping the dashboards' summary table current (households.summary)."""

from celery import shared_task

from .summary import summaries_sweep


@shared_task(ignore_result=True)
def summaries_sweep_task() -> int:
    """Sent after a commit that changed a commune's figures, and by beat every few minutes: recompute the communes
    marked stale, missing or counted up to an earlier day."""
    return summaries_sweep()
