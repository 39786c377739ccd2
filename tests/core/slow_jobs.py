"""Job kinds for the worker and progress tests, loaded into private worker processes and the test process."""

import threading
import time

from django.db import transaction

from core.jobs import job_kind
from core.models import JobLogAction, JobRun, JobRunLog

# Set by the test to let the in-transaction job finish.
release = threading.Event()


@job_kind("test_sleep", "Việc thử chạy lâu")
def sleep_job(job, progress) -> dict:
    """Sleep ``params.seconds`` in steps of 0.2 s, reporting progress, so a test can kill or cut off the worker."""
    seconds = float(job.params.get("seconds", 5))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = max(0.0, deadline - time.monotonic())
        progress(max(1, int(100 * (1 - left / seconds))), "Đang chạy thử")
        time.sleep(0.2)
    return {"slept": seconds}


@job_kind("test_in_transaction", "Việc thử trong một giao dịch")
def in_transaction_job(job, progress) -> dict:
    """Like the Excel import: everything inside one transaction, reporting progress from inside it."""
    with transaction.atomic():
        JobRunLog.objects.create(job=job, action=JobLogAction.RERUN, note="written inside the job's transaction")
        progress(40, "Đã ghi một nửa")
        if not release.wait(timeout=30):
            raise RuntimeError("the test never released the job")
    return {"ok": True}


@job_kind("test_locks_its_row", "Việc thử khoá dòng của chính nó")
def locks_its_row_job(job, progress) -> dict:
    """A handler that (wrongly) locks its own JobRun row inside its transaction, then reports progress."""
    with transaction.atomic():
        JobRun.objects.select_for_update().get(pk=job.pk)
        progress(50, "Không ghi được")
    return {"ok": True}


# Soft limit after 2 s (the hard one after 62 s): a test checks that a kind's own limit reaches the worker.
@job_kind("test_short_limit", "Việc thử có giới hạn thời gian riêng", time_limit=62)
def short_limit_job(job, progress) -> dict:
    """Sleep ``params.seconds`` like ``test_sleep``; its kind's time limit stops it first."""
    return sleep_job(job, progress)
