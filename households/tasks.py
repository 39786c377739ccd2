"""Celery tasks of the registry: keeping the dashboards' summary table current (households.summary)."""

from celery import shared_task

from core.sweeps import SUMMARIES, sweep_alone

from .summary import communes_needing_refresh, summaries_sweep


@shared_task(ignore_result=True)
def summaries_sweep_task() -> int:
    """Sent after a commit that changed a commune's figures, and by beat every few minutes: recompute the communes
    marked stale, missing or counted up to an earlier day. One sweep at a time (core.sweeps): a copy that finds one
    running leaves the work to it."""
    return sweep_alone(SUMMARIES, summaries_sweep, lambda: bool(communes_needing_refresh()), again=_send_again)


def _send_again() -> None:
    from .summary import _send_refresh

    _send_refresh()
