"""Celery tasks of the support programmes: keeping the support figures' summary table current (programs.summary) and
the electricity list's quarters counted (programs.electricity)."""

from celery import shared_task

from core.sweeps import SUPPORT, sweep_alone

from .summary import communes_needing_refresh, support_sweep

QUEUE = "reports"  # a province-wide refresh takes minutes at a million households: never in the short-job queue


@shared_task(ignore_result=True)
def support_sweep_task() -> int:
    """Sent after a commit that changed a commune's support figures, and by beat every few minutes: recompute the
    communes marked stale and the default periods' missing rows. One sweep at a time (core.sweeps: it loops while new
    marks arrive); a copy that finds one running leaves the work to it."""
    return sweep_alone(SUPPORT, support_sweep, lambda: any(communes_needing_refresh()), again=_send_again)


def _send_again() -> None:
    from .summary import _send_refresh

    _send_refresh()


@shared_task(ignore_result=True)
def electricity_counts_keep_task() -> dict:
    """Sent by beat: keep the quarters around today's counted (a new quarter counted ahead of its first day), stop
    counting older ones, fold the rows the triggers appended (programs.electricity)."""
    from .electricity import electricity_counts_keep

    return electricity_counts_keep()


@shared_task(ignore_result=True)
def support_year_rebuild_task() -> dict:
    """Sent by beat every night: put back the households' years with support that cancellations removed while other
    benefits still supported them (programs.support_year). A long write of benefits in flight makes it give up for
    the night; nothing is wrong meanwhile, the list only checks a few more candidates."""
    from .support_year import SupportYearBusy, support_year_rebuild

    try:
        return support_year_rebuild()
    except SupportYearBusy as busy:
        return {"busy": str(busy)}
