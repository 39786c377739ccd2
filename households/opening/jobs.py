"""The background job that checks (dry run) or writes an uploaded opening-balance workbook."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.jobs import JobError, job_kind

from ..excel import opening as sheets
from ..excel.workbooks import ImportFileError
from .importer import opening_import

# --- the background job ---------------------------------------------------------------------------------------

OPENING_JOB = "opening_balance_import"
# District and commune staff bring their units' lists, targets and registrations; the province those of the units
# directly below it (targets); the administrator helps a unit that starts.
OPENING_IMPORTERS = frozenset({Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN})


@job_kind(OPENING_JOB, gettext_lazy("Nhập số liệu đầu kỳ từ Excel"), roles=OPENING_IMPORTERS, queue="imports")
def opening_import_job(job, progress) -> dict:
    """Dry run (params.commit false) or commit of an uploaded opening-balance workbook, as its uploader."""
    from ..jobs import stored_upload

    params = job.params
    content = stored_upload(params.get("token", ""), params.get("sha256", ""))
    if content is None:
        raise JobError(_("Tệp đã tải lên không còn trên máy chủ; hãy tải tệp lên lại."))
    if job.requested_by is None or not job.requested_by.is_active:
        raise JobError(_("Tài khoản đã tải tệp lên không còn hoạt động."))
    progress(1, _("Đang đọc tệp"))
    try:
        book = sheets.read_opening_workbook(content)
    except ImportFileError as error:
        raise JobError(str(error)) from error
    report = opening_import(book=book, user=job.requested_by, commit=bool(params.get("commit")), progress=progress)
    return {"report": report.to_dict()}
