"""The registry of background-job kinds: what each kind is called, what runs it and who may start it.

An app registers a kind with ``@job_kind("code", label, roles=..., queue=...)`` on a handler
``handler(job, progress) -> dict``. ``queue`` is the Celery queue its runs are sent to (``QUEUES``): a deployment
gives each queue workers of its own, so a province's import never waits behind the reports (docs/adr/0027).
The handler reports progress with ``progress(percent, message)`` and raises ``JobError`` with a
Vietnamese message when the input is wrong; any other exception is recorded as a system error.

This module imports no model: ``core.models`` reads labels from it and ``core.jobs`` (the runner) reads
both, so the imports point one way.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

# Celery queues by kind of work (config/settings/base.py declares them; a worker without -Q consumes them all).
DEFAULT_QUEUE = "celery"  # short jobs: system checks, heartbeats, sweeps
QUEUES = (DEFAULT_QUEUE, "imports", "reports", "documents")  # documents: exports and batches of PDFs


# The soft time limit (SoftTimeLimitExceeded in the handler, so the job ends with a reason) comes this many seconds
# before the hard one (the process is killed), as CELERY_TASK_SOFT_TIME_LIMIT does for the default.
SOFT_LIMIT_MARGIN = 60


class JobError(Exception):
    """A failure the officer can understand and fix (shown as is on the job page)."""


ProgressFn = Callable[[int, str], None]
Handler = Callable[[Any, ProgressFn], dict]  # handler(job: JobRun, progress) -> result


@dataclass(frozen=True)
class JobKind:
    """One kind of background job. ``roles`` are the roles that may start it, declared once here so that
    starting and re-running ask the same question; ``None`` means the kind is started only by the code
    that registers it, and then only the officer who asked for a run may run it again."""

    code: str
    label: str
    handler: Handler
    roles: frozenset[str] | None = None
    queue: str = DEFAULT_QUEUE
    # Seconds a run may take before Celery stops it; None: CELERY_TASK_TIME_LIMIT. A kind whose work grows with the
    # province (a million-row export) declares a longer one instead of raising every job's limit.
    time_limit: int | None = None
    # ``page(job) -> (url, label) | None``: the page where the officer acts on the job's outcome (e.g. the list a
    # payment was made from, an upload's report with its confirm button), linked from the job page.
    page: Callable[[Any], tuple[str, str] | None] | None = None

    def may_start(self, user) -> bool:
        """Whether ``user`` may start a job of this kind (the same rule as a view's ``allowed_roles``)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if self.roles is None:
            return True
        return user.is_superuser or user.role in self.roles

    def may_rerun(self, user, requested_by_id: int | None) -> bool:
        """Whether ``user`` may run again a job of this kind that ``requested_by_id`` asked for.

        The handler acts in the requester's name, so a kind without declared roles is re-run only by the
        requester; with roles, anyone who may start the kind (and can see the job) may re-run it.
        """
        if not self.may_start(user):
            return False
        return self.roles is not None or user.pk == requested_by_id


_REGISTRY: dict[str, JobKind] = {}


def job_kind(
    code: str,
    label: str,
    *,
    roles: frozenset[str] | None = None,
    queue: str = DEFAULT_QUEUE,
    time_limit: int | None = None,
    page: Callable[[Any], tuple[str, str] | None] | None = None,
) -> Callable[[Handler], Handler]:
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}: one of {QUEUES}")
    if time_limit is not None and time_limit <= SOFT_LIMIT_MARGIN:
        raise ValueError(f"time_limit must exceed {SOFT_LIMIT_MARGIN} s (the soft limit comes that much earlier)")

    def register(handler: Handler) -> Handler:
        _REGISTRY[code] = JobKind(
            code=code,
            label=label,
            handler=handler,
            roles=frozenset(roles) if roles is not None else None,
            queue=queue,
            time_limit=time_limit,
            page=page,
        )
        return handler

    return register


def job_kind_label(code: str) -> str:
    kind = _REGISTRY.get(code)
    return str(kind.label) if kind else code


def find_job_kind(code: str) -> JobKind | None:
    return _REGISTRY.get(code)


def job_time_limit(code: str) -> int:
    """Seconds a run of this kind may take: the kind's own limit, else the task limit of the settings."""
    kind = _REGISTRY.get(code)
    return kind.time_limit if kind and kind.time_limit else settings.CELERY_TASK_TIME_LIMIT


def get_job_kind(code: str) -> JobKind:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise JobError(_("Loại công việc “%(code)s” không tồn tại.") % {"code": code}) from None
