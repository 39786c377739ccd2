"""Background jobs of the registry: the Excel import runs in a Celery worker with a progress bar.

A file of a few thousand households takes longer than a web request may (docs/performance.md), so both the
dry run and the commit are JobRuns. The uploaded file stays in MEDIA_ROOT/imports/<token>.xlsx, which the web
and worker containers share (docker-compose.yml, volume ``media``); its SHA-256 is checked before use.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.jobs import JobError, job_kind

from . import excel

IMPORT_JOB = "household_import"


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(token: str) -> Path | None:
    """Where an upload waiting for confirmation is kept; None for a token that is not ours."""
    try:
        return upload_dir() / f"{uuid.UUID(token).hex}.xlsx"
    except (TypeError, ValueError):
        return None


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
    progress(1, _("Đang đọc tệp"))
    try:
        sheet = excel.read_sheet(content)
    except excel.ImportFileError as error:
        raise JobError(str(error)) from error
    report = excel.household_import(
        sheet=sheet,
        user=job.requested_by,
        commit=bool(params.get("commit")),
        expected_versions=params.get("versions") if params.get("commit") else None,
        progress=progress,
    )
    return {"report": report.to_dict()}
