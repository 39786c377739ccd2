"""The download centre's "Tải tất cả (ZIP)": the PDF, DOCX and XLSX of every finalised report of a period in one ZIP.

The files are already rendered and frozen when a report is finalised, so a ZIP only copies stored bytes (stored,
not deflated: PDF, DOCX and XLSX are compressed already). A province that keeps its districts has at most a few
dozen reporting units, whose files stream in seconds: up to ``STREAM_MAX_REPORTS`` reports the ZIP is written
while it is sent. A province reporting per commune after 01/07/2025 has one to two hundred reporting units, tens of
megabytes that over a provincial network would outlast the web server's request timeout: then the ZIP is built
by a background job into MEDIA_ROOT/exports/ (like core/exports.py) and downloaded from its page when ready.
Every report in a ZIP is logged as downloaded (file kind ZIP) when the ZIP is handed to the officer.
"""

from __future__ import annotations

import time
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.downloads import download_name
from core.exports import EXPORT_FOLDER, KEEP_EXPORTS_SECONDS, export_dir
from core.jobs import JobError, ProgressFn, job_kind
from core.models import JobRun
from core.services import job_run_start

from .models import PeriodicReport, ReportKind, ReportStatus

BUNDLE_JOB = "report_bundle"
STREAM_MAX_REPORTS = 25
CHUNK = 256 * 1024
# First key of the advisory lock that serialises one officer's ZIP starts (core/exports.py uses 7_410_002,
# reports/services.py 7_410_010).
START_LOCK_NAMESPACE = 7_410_011
CENTRE_ROLES = frozenset({Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN})

KIND_FILE_LABELS = {
    ReportKind.SIX_MONTH: "Bao cao 6 thang",
    ReportKind.YEAR_END: "Bao cao nam",
    ReportKind.REVIEW_RESULTS: "Bieu ket qua ra soat",
    ReportKind.EMULATION_SUMMARY: "Bao cao phong trao thi dua",
}
FILE_FIELDS = (("pdf", "pdf_file"), ("docx", "docx_file"), ("xlsx", "xlsx_file"))


def unit_short_name(unit) -> str:
    """ "Huyện Krông Pa" -> "Krông Pa": the unit's kind is said once by the document, not in every file name."""
    prefix = f"{unit.get_kind_display()} "
    name = unit.name
    return name[len(prefix) :] if name.startswith(prefix) and len(name) > len(prefix) else name


def report_filename(report: PeriodicReport, ext: str) -> str:
    """ "bao-cao-6-thang-2026-krong-pa-v1.pdf" (core.downloads: ASCII, hyphens)."""
    label = KIND_FILE_LABELS.get(report.kind, "Bao cao")
    return download_name(label, report.period_end.year, unit_short_name(report.unit), f"v{report.version}", ext=ext)


def bundle_filename(kind: str, year: int, scope_name: str) -> str:
    """ "bao-cao-6-thang-2026-tinh-gia-lai.zip": the period and the unit whose reports it holds."""
    return download_name(KIND_FILE_LABELS.get(kind, "Bao cao"), year, scope_name, ext="zip")


def bundle_entries(reports: Iterable[PeriodicReport]) -> list[tuple[str, object]]:
    """(name in the ZIP, stored file) for each rendered file of each report."""
    entries = []
    for report in reports:
        for ext, field_name in FILE_FIELDS:
            field = getattr(report, field_name)
            if field:
                entries.append((report_filename(report, ext), field))
    return entries


class _Sink:
    """What ``zipfile`` writes into while streaming: bytes handed on as soon as they are written (not seekable,
    so zipfile writes each entry's sizes after its data)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_chunks(entries: list[tuple[str, object]], progress: ProgressFn | None = None) -> Iterator[bytes]:
    """The ZIP of ``entries`` as a sequence of byte chunks, one stored file at a time (memory stays one chunk)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, (name, field) in enumerate(entries, start=1):
            with field.open("rb") as source, archive.open(name, "w", force_zip64=True) as entry:
                while chunk := source.read(CHUNK):
                    entry.write(chunk)
                    if data := sink.take():
                        yield data
            if progress is not None:
                progress(
                    5 + 90 * done // len(entries),
                    _("Đã đóng gói %(done)s/%(total)s tệp") % {"done": done, "total": len(entries)},
                )
    yield sink.take()


def bundle_reports(user, ids: list[int]) -> list[PeriodicReport]:
    """The finalised reports among ``ids`` that the user may see, in tree order."""
    return list(
        PeriodicReport.objects.visible_to(user)
        .filter(pk__in=ids, status=ReportStatus.FINALISED)
        .select_related("unit")
        .order_by("unit__path", "kind")
    )


@transaction.atomic
def bundle_job_start(*, user, report_ids: list[int], filename: str) -> JobRun:
    """Queue the ZIP of these reports for ``user``; the same ZIP still queued or running is returned instead of
    starting another (a double click or a refreshed page starts one job)."""
    params = {"reports": sorted(report_ids), "filename": filename}
    with connection.cursor() as cursor:  # released at commit: the second click waits here, then finds the first job
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [START_LOCK_NAMESPACE, user.pk])
    existing = JobRun.objects.unfinished().filter(kind=BUNDLE_JOB, requested_by=user, params=params).first()
    if existing is not None:
        return existing
    return job_run_start(kind=BUNDLE_JOB, requested_by=user, unit=user.unit, params=params)


def _remove_old_bundles(folder: Path) -> None:
    cutoff = time.time() - KEEP_EXPORTS_SECONDS
    for old in folder.glob("*.zip"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


@job_kind(BUNDLE_JOB, gettext_lazy("Tệp ZIP báo cáo định kỳ"), roles=CENTRE_ROLES, queue="reports")
def report_bundle_job(job: JobRun, progress: ProgressFn) -> dict:
    """Write the ZIP of the job's reports, read again as the requester (what the officer no longer may see is not
    packed), into MEDIA_ROOT/exports/."""
    user = job.requested_by
    if user is None or not user.is_active:
        raise JobError(_("Tài khoản đã yêu cầu tệp ZIP không còn hoạt động."))
    reports = bundle_reports(user, job.params.get("reports", []))
    if not reports:
        raise JobError(_("Không còn báo cáo đã ban hành nào trong bộ lọc này mà bạn được xem."))
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old_bundles(folder)
    path = folder / f"{job.pk}-{uuid.uuid4().hex}.zip"
    progress(1, _("Đang đóng gói các tệp báo cáo"))
    try:
        with path.open("wb") as target:
            for chunk in zip_chunks(bundle_entries(reports), progress):
                target.write(chunk)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return {
        "file": f"{EXPORT_FOLDER}/{path.name}",
        "filename": job.params.get("filename") or "bao-cao.zip",
        "size": path.stat().st_size,
        "reports": [report.pk for report in reports],
    }


def bundle_file(job: JobRun) -> Path | None:
    """The finished ZIP of ``job`` on disk, or None (not a ZIP job, not finished, or removed)."""
    name = (job.result or {}).get("file", "")
    if job.kind != BUNDLE_JOB or not name:
        return None
    path = (export_dir().parent / name).resolve()
    if not path.is_relative_to(export_dir().resolve()) or not path.is_file():
        return None
    return path
