"""Queue a summary table's refresh once per transaction, after it commits (households.summary and programs.summary:
docs/adr/0036 and 0040). A rolled-back transaction sends nothing; a broker that is down only delays the rows until
beat's sweep, never an error for the officer who saved; the test settings turn the sending off
(``SUMMARY_REFRESH_AFTER_COMMIT``, config/settings/test.py)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)


def once_after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the current transaction commits, however many times this is asked in it."""
    if any(entry[1] is callback for entry in connection.run_on_commit):
        return
    transaction.on_commit(callback, robust=True)


def send_refresh(send: Callable[[], object], what: str) -> None:
    """Call ``send`` (which queues a sweep task) unless the settings turn it off; log a broker failure."""
    if not settings.SUMMARY_REFRESH_AFTER_COMMIT:
        return
    try:
        send()
    except Exception:  # noqa: BLE001 - the broker is optional here: beat's sweep catches up
        logger.warning("Could not queue %s; beat's sweep will do it", what, exc_info=True)
