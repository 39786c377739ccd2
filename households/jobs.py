"""Background jobs of the registry: the Excel import runs in a Celery worker with a progress bar.

A file of a few thousand households takes longer than a web request may (docs/performance.md), so both the
dry run and the commit are JobRuns. The uploaded file stays in MEDIA_ROOT/imports/<token>.xlsx, which the web
and worker containers share (docker-compose.yml, volume ``media``); its SHA-256 is checked before use. A dry run
without errors keeps the cells it parsed beside it (<token>.rows, signed, ``excel.parsed``), so the confirmation
does not read and parse the same file again.
"""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.jobs import JobError, job_kind

from . import excel

IMPORT_JOB = "household_import"
logger = logging.getLogger(__name__)


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(token: str) -> Path | None:
    """Where an upload waiting for confirmation is kept; None for a token that is not ours."""
    try:
        return upload_dir() / f"{uuid.UUID(token).hex}.xlsx"
    except (TypeError, ValueError):
        return None


def parsed_path(token: str) -> Path | None:
    """Where the dry run keeps the upload's parsed cells for the confirmation (``excel.parsed``)."""
    path = upload_path(token)
    return path.with_suffix(".rows") if path is not None else None


def parsed_store(token: str, sha256: str, job: int, parsed: excel.ParsedSheet) -> None:
    """Keep a dry run's parsed cells beside the upload; a failure to write only costs the confirmation a read."""
    path = parsed_path(token)
    if path is None:
        return
    partial = path.with_suffix(".rows.part")
    try:
        partial.write_bytes(excel.parsed_dumps(parsed, sha256=sha256, job=job))
        partial.replace(path)  # whole or absent: a commit never reads half a file
    except OSError:
        logger.warning("Parsed rows of upload %s not kept; the confirmation will read the file again", token)
        partial.unlink(missing_ok=True)


def parsed_stored(token: str, sha256: str, job: int | None) -> excel.ParsedSheet | None:
    """The cells the dry run ``job`` parsed from this upload, if they are still there, signed and tied to both."""
    path = parsed_path(token)
    if path is None or job is None or not path.exists():
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return excel.parsed_loads(data, sha256=sha256, job=job)


def stored_upload(token: str, sha256: str) -> bytes | None:
    """The stored upload, only if it is still there and unchanged."""
    path = upload_path(token)
    if path is None or not path.exists():
        return None
    content = path.read_bytes()
    return content if excel.file_digest(content) == sha256 else None


# Who may start an import, and so re-run one: the commune officer, whose commune the households are written to.
IMPORTERS = frozenset({Role.COMMUNE_OFFICER})


@job_kind(IMPORT_JOB, gettext_lazy("Nhập hộ gia đình từ Excel"), roles=IMPORTERS, queue="imports")
def household_import_job(job, progress) -> dict:
    """Dry run (params.commit false) or commit of an uploaded file, as the officer who uploaded it."""
    params = job.params
    content = stored_upload(params.get("token", ""), params.get("sha256", ""))
    if content is None:
        raise JobError(_("Tệp đã tải lên không còn trên máy chủ; hãy tải tệp lên lại."))
    if job.requested_by is None or not job.requested_by.is_active:
        raise JobError(_("Tài khoản đã tải tệp lên không còn hoạt động."))
    commit = bool(params.get("commit"))
    # The confirmation starts from the cells its dry run parsed, when they are there and match this file.
    parsed = (
        parsed_stored(params.get("token", ""), params.get("sha256", ""), params.get("parsed_by")) if commit else None
    )
    if parsed is None:
        progress(1, _("Đang đọc tệp"))
        try:
            parsed = excel.parse_sheet(excel.read_sheet(content))
        except excel.ImportFileError as error:
            raise JobError(str(error)) from error
    report = excel.household_import(
        sheet=parsed,
        user=job.requested_by,
        commit=commit,
        expected_versions=params.get("versions") if commit else None,
        progress=progress,
    )
    if not commit and report.ok:  # only a file without errors can be confirmed
        parsed_store(params.get("token", ""), params.get("sha256", ""), job.pk, parsed)
    return {"report": report.to_dict()}
