"""Excel exports that write many rows run as background jobs; a small export stays inside the request.

A district's or a province's export reads hundreds of thousands of rows, and so does a large commune's: minutes of
work, past gunicorn's request timeout (docs/performance.md). An export view calls ``export_response(write,
filename)`` of ``BackgroundExportMixin`` with a function that writes the workbook into a target (a path or a file
object):

* when the export is small (``export_in_request``: the rows it writes, counted no further than ``ROWS_IN_REQUEST``
  + 1 by ``export_size``, are at most that many; for the tables of units, whose rows are few but whose figures
  add up every household of the scope, the officer works in a commune or a village, ``export_commune_sized``) it
  writes into memory and answers with the file at once;
* otherwise it starts (or finds, on a double click) a ``JobRun`` of kind ``excel_export`` with the view's URL name,
  arguments, query string and language, and sends the officer to the job's page;
* the worker replays that same request as the requester (``excel_export_job``): the view runs again with its own
  role check and its ``visible_to(user)`` querysets, and this time ``write`` streams the workbook into a file under
  MEDIA_ROOT/exports/. The job page offers it through ``JobDownloadView``, named and served by core.downloads, to
  whoever may see the job (``JobRun.visible_to``). docs/adr/0024.

Formula-like text is neutralised at cell binding (core/spreadsheets.py) in the worker as in the web process.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.test.client import RequestFactory
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import ALL_ROLES
from areas.choices import UnitLevel

from .downloads import xlsx_response
from .jobs import JobError, ProgressFn, job_kind
from .models import JobRun
from .pagination import CappedCountPaginator
from .services import job_run_start

EXPORT_JOB = "excel_export"
EXPORT_FOLDER = "exports"
# Finished exports stay downloadable for a week; older files are removed when a new export starts.
KEEP_EXPORTS_SECONDS = 7 * 24 * 60 * 60
# First key of the transaction-level advisory lock that serialises one officer's export starts (the second is the
# user id), so that a double click finds the job the first click queued instead of queuing a second one.
START_LOCK_NAMESPACE = 7_410_002
PROGRESS_EVERY = 1000  # rows between two progress writes
# Rows an export writes inside the web request at most (what it lists: households for the household export, each
# with its members' rows; records or members for the programme and coverage lists); past it the export is a
# background job, whatever the officer's unit. Measured on the 1.000.017-household database, 2 cores shared with other
# work (docs/performance.md § "Exports in the request decided by their size"): the household export writes a
# household in ≈ 0,7 ms (≈ 1,1 ms for a search, ranked), the programme and coverage lists a row in 0,2–0,8 ms, so
# 2.000 rows answer in 0,4–2,3 s, well inside gunicorn's 60 s; a commune of 43.479 households took 30 s.
ROWS_IN_REQUEST = 2_000

Target = str | Path | IO[bytes]
Writer = Callable[[Target, ProgressFn], None]


def export_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_FOLDER


def commune_sized(user) -> bool:
    """Whether everything ``user`` can see lies in one commune (a commune officer, or one working in a village)."""
    unit = getattr(user, "unit", None)
    return unit is not None and unit.level in (UnitLevel.COMMUNE, UnitLevel.VILLAGE)


def rows_up_to(rows: QuerySet | Paginator | Sequence, limit: int) -> int:
    """How many rows ``rows`` holds, counted no further than ``limit`` + 1: whether an export is small is all that
    matters, and an exact count of a province's million households would cost more than a small export itself.

    A paginator is counted along its own plan (the coverage lists village by village, core.pagination), or gives
    the count it already knows (counts kept beside a list); a queryset is counted under a LIMIT."""
    if isinstance(rows, Paginator):
        if "count" in vars(rows):  # known already: the cached property was set from counts kept beside the list
            return rows.count
        if isinstance(rows, CappedCountPaginator) and isinstance(rows.object_list, QuerySet):
            return rows.exact_count_up_to(limit + 1)
        rows = rows.object_list
    if isinstance(rows, QuerySet):
        return rows.order_by().values("pk")[: limit + 1].count()
    return len(rows)


def no_progress(percent: int, message: str) -> None:
    """The progress function of an export written inside the request: nobody is watching a bar."""


def tracked(rows: Iterable[Any], progress: ProgressFn, *, total: int | None, start: int = 5, end: int = 95) -> Iterator:
    """Yield ``rows`` unchanged, reporting every ``PROGRESS_EVERY`` rows how many were written (and of how many)."""
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY:
            continue
        if total:
            percent = start + (end - start) * min(done, total) // total
            counts = {"done": _number(done), "total": _number(total)}
            progress(percent, _("Đã ghi %(done)s/%(total)s dòng") % counts)
        else:
            progress(start, _("Đã ghi %(done)s dòng") % {"done": _number(done)})


def write_bytes(target: Target, content: bytes) -> None:
    """Put a workbook built in memory (a small table of units) into the export's target."""
    if isinstance(target, str | Path):
        Path(target).write_bytes(content)
    else:
        target.write(content)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _normalised_query(query: QueryDict) -> str:
    """The query string in a stable order, so the same filters typed twice are the same parameters."""
    pairs = sorted((key, value) for key, values in query.lists() for value in values)
    normalised = QueryDict(mutable=True)
    for key, value in pairs:
        normalised.appendlist(key, value)
    return normalised.urlencode()


@transaction.atomic
def file_job_start(*, kind: str, user, params: dict) -> JobRun:
    """Queue a job of ``kind`` that writes a file for ``user``; an identical job of the same user still queued or
    running is returned instead of starting another (a double click starts one job)."""
    with connection.cursor() as cursor:  # released at commit: the second click waits here, then finds the first job
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [START_LOCK_NAMESPACE, user.pk])
    existing = JobRun.objects.unfinished().filter(kind=kind, requested_by=user, params=params).order_by("pk").first()
    if existing is not None:
        return existing
    return job_run_start(kind=kind, requested_by=user, unit=user.unit, params=params)


def export_run_start(*, user, url_name: str, args: list, query: QueryDict, language: str) -> JobRun:
    """Queue the export of ``url_name`` with these arguments and query as ``user`` (once, see file_job_start)."""
    params = {
        "url_name": url_name,
        "args": [str(arg) for arg in args],
        "query": _normalised_query(query),
        "language": language,
    }
    return file_job_start(kind=EXPORT_JOB, user=user, params=params)


def new_export_path(job: JobRun, ext: str) -> Path:
    """A fresh file for ``job``'s output under MEDIA_ROOT/exports/ (files older than a week are removed first)."""
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old_exports(folder)
    return folder / f"{job.pk}-{uuid.uuid4().hex}.{ext}"


def file_result(path: Path, filename: str, **extra) -> dict:
    """What a job that wrote ``path`` records as its result: the download link of the job page reads it."""
    return {"file": f"{EXPORT_FOLDER}/{path.name}", "filename": filename, "size": path.stat().st_size, **extra}


class ExportWritten(HttpResponse):
    """What an export view answers inside the worker: the workbook is in the file, this carries its name."""

    def __init__(self, filename: str) -> None:
        super().__init__(b"")
        self.filename = filename


@dataclass(frozen=True)
class ExportTarget:
    """Set on the replayed request by the worker: where the view writes the workbook, and its progress."""

    path: Path
    progress: ProgressFn


class BackgroundExportMixin:
    """For views that export Excel: small exports answer at once, larger ones run as a background job."""

    def export_size(self, limit: int) -> int | None:
        """The rows the export writes, counted no further than ``limit`` + 1 (``rows_up_to``). None (the default)
        for an export whose rows are few but computed from every household of its scope (the figures, the targets
        and movements tables): then the scope decides (``export_commune_sized``)."""
        return None

    def export_rows_limit(self) -> int:
        """The most rows written inside the request (read when asked, so that a test may lower it)."""
        return ROWS_IN_REQUEST

    def export_commune_sized(self) -> bool:
        return commune_sized(self.request.user)

    def export_in_request(self) -> bool:
        limit = self.export_rows_limit()
        size = self.export_size(limit)
        if size is None:
            return self.export_commune_sized()
        return size <= limit

    def export_response(self, write: Writer, filename: str) -> HttpResponse:
        """``write(target, progress)`` writes the workbook (and does the heavy reading) only when called."""
        request = self.request
        target = getattr(request, "export_target", None)
        if target is not None:  # inside the worker: the request already chose the job, nothing is counted again
            write(target.path, target.progress)
            return ExportWritten(filename)
        if self.export_in_request():
            buffer = io.BytesIO()
            write(buffer, no_progress)
            return xlsx_response(buffer.getvalue(), filename)
        match = request.resolver_match
        job = export_run_start(
            user=request.user,
            url_name=match.view_name,
            args=[*match.args, *match.kwargs.values()],
            query=request.GET,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        messages.info(
            request,
            _(
                "Tệp Excel đang được chuẩn bị trong nền vì có nhiều số liệu. Trang này cho biết tiến độ; "
                "khi xong, bấm “Tải tệp Excel”."
            ),
        )
        return redirect("core:job_detail", pk=job.pk)


def _remove_old_exports(folder: Path) -> None:
    cutoff = time.time() - KEEP_EXPORTS_SECONDS
    for pattern in ("*.xlsx", "*.pdf"):
        for old in folder.glob(pattern):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)


def _replayed_request(job: JobRun, path: Path, progress: ProgressFn):
    params = job.params
    try:
        url = reverse(params["url_name"], args=params.get("args") or [])
        match = resolve(url)
    except (KeyError, NoReverseMatch, Resolver404) as error:
        raise JobError(_("Không còn trang xuất Excel này; hãy xuất lại từ trang danh sách.")) from error
    request = RequestFactory().get(url, QueryDict(params.get("query", "")))
    request.user = job.requested_by
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    request.resolver_match = match
    request.export_target = ExportTarget(path=path, progress=progress)
    return request, match


@job_kind(
    EXPORT_JOB,
    gettext_lazy("Xuất Excel"),
    roles=ALL_ROLES,
    queue="documents",
    time_limit=settings.DOCUMENT_JOB_TIME_LIMIT,  # a province's million rows (docs/performance.md)
)
def excel_export_job(job: JobRun, progress: ProgressFn) -> dict:
    """Replay the export request as its requester and stream the workbook into MEDIA_ROOT/exports/."""
    user = job.requested_by
    if user is None or not user.is_active:
        raise JobError(_("Tài khoản đã yêu cầu xuất tệp không còn hoạt động."))
    path = new_export_path(job, "xlsx")
    request, match = _replayed_request(job, path, progress)
    progress(1, _("Đang đọc dữ liệu"))
    try:
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            response = match.func(request, *match.args, **match.kwargs)
            notes = [str(message) for message in messages.get_messages(request)]
    except (PermissionDenied, Http404) as error:
        path.unlink(missing_ok=True)
        raise JobError(_("Bạn không còn quyền xem số liệu này, nên tệp không được tạo.")) from error
    except Exception:  # the job records it; the half-written file goes
        path.unlink(missing_ok=True)
        raise
    if not isinstance(response, ExportWritten) or not path.exists():
        path.unlink(missing_ok=True)
        reason = " ".join(notes) or _("Trang xuất không trả về tệp Excel.")
        raise JobError(_("Không tạo được tệp Excel: %(reason)s") % {"reason": reason})
    return file_result(path, response.filename)


# Job kinds whose result is a file under MEDIA_ROOT/exports/ that the job page offers (JobDownloadView); apps add
# theirs with ``serves_file(code)`` (e.g. the PDFs of reviews/jobs.py).
FILE_JOB_KINDS = {EXPORT_JOB}


def serves_file(code: str) -> str:
    FILE_JOB_KINDS.add(code)
    return code


def export_file(job: JobRun) -> Path | None:
    """The finished file of an export or document job on disk, or None (another kind, not finished, or removed)."""
    name = (job.result or {}).get("file", "")
    if job.kind not in FILE_JOB_KINDS or not name:
        return None
    path = (Path(settings.MEDIA_ROOT) / name).resolve()
    if not path.is_relative_to(export_dir().resolve()) or not path.is_file():
        return None
    return path
