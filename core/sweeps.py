"""One sweep of a kind at a time, across every worker (docs/adr/0063): the summary tables' sweeps are sent by beat
every few minutes and after every commit that marks a commune, and one of them (a new day, 1 January, a catalogue
edit, an import of a province) recomputes every commune for minutes at a million households. A second copy would
only do the same work again beside the first, on the same two cores.

The running sweep holds a PostgreSQL advisory lock on its session: it lasts exactly as long as the sweep (a worker
killed by its time limit, a deployment or the OOM killer closes its connection and so releases it), where a lock
with an expiry in Redis either outlives a dead worker or expires under a sweep still running. A copy that finds the
lock taken returns at once; the holder looks once more, after releasing it, whether work is pending (the marks of the
transaction that sent that copy were committed before it), so no change waits for beat's next run."""

import logging
import time
from collections.abc import Callable

from django.db import Error, connection

logger = logging.getLogger(__name__)

# First key of the sweeps' advisory locks (the second names the sweep); any constant unused elsewhere (core.jobs has
# 7_410_001).
LOCK_NAMESPACE = 7_410_002
SUMMARIES = 1  # households.summary: the dashboards' rows
SUPPORT = 2  # programs.summary: the support figures' rows
# Passes of a sweep in one task while work keeps arriving after each, and the time after which no pass is begun (a
# province-wide support sweep takes minutes on a busy machine; the task's limit is 30): beyond either, the task is sent
# again (``again``) for the work still pending, instead of leaving it for beat's next run.
PASSES = 3
PASSES_SECONDS = 10 * 60


def _try_lock(key: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key])
        return bool(cursor.fetchone()[0])


def _unlock(key: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, key])
            released = cursor.fetchone()[0]
    except Error:  # the connection broken under the sweep (a server restart): its session, and the lock, are gone
        logger.warning("Sweep %s: lock not released, closing the connection", key, exc_info=True)
        connection.close()
        return
    if not released:
        logger.warning("Sweep %s: the lock was not held by this session any more", key)


def sweep_alone(
    key: int, sweep: Callable[[], int], pending: Callable[[], bool], again: Callable[[], None] | None = None
) -> int:
    """``sweep()`` unless another session runs the sweep ``key`` (then 0: that one does this work); after it, while
    ``pending()`` says work arrived, again (at most ``PASSES`` times, no pass begun after ``PASSES_SECONDS``); work
    still pending then is handed to ``again()`` (the task sent anew). Returns what the sweeps returned, added up."""
    done, started = 0, time.monotonic()
    for number in range(1, PASSES + 1):
        if not _try_lock(key):
            return done
        try:
            done += sweep()
        finally:
            _unlock(key)
        if not pending():
            break
        if number == PASSES or time.monotonic() - started > PASSES_SECONDS:
            if again is not None:
                again()
            break
    return done
