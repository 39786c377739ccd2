"""Excel screens of the registry: export the filtered list, download the template, import with a dry run first.

The request only checks what is cheap (size, a real xlsx package, its unpacked size, each sheet's declared
dimension); the rows are read in the background job. The uploaded file is kept on the server between the preview
and the confirmation (MEDIA_ROOT/imports/<uuid>.xlsx, keyed in the officer's session with its SHA-256), so the
confirmation never trusts data sent back by the browser. Both the check and the write run as background jobs
(households/jobs.py) while the page shows their progress.
"""

import time
import uuid

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from core.downloads import xlsx_response
from core.exports import BackgroundExportMixin, no_progress
from core.models import JobRun, JobStatus
from core.services import job_run_start

from . import excel, jobs
from .excel.export import write_households
from .forms import HouseholdFilterForm
from .selectors import household_export_size, household_list_for
from .views import indicator_choices

IMPORTERS = jobs.IMPORTERS
SESSION_KEY = "household_import"
KEEP_UPLOADS_SECONDS = 24 * 60 * 60


class HouseholdExportView(RoleRequiredMixin, BackgroundExportMixin, View):
    """The household list exactly as filtered on screen, one row per member, in the import template's layout;
    past ``core.exports.ROWS_IN_REQUEST`` households (a large commune, a district, a province) it is written by a
    background job."""

    allowed_roles = ALL_ROLES

    def get(self, request):
        filters = HouseholdFilterForm(request.GET or None, user=request.user, indicators=indicator_choices())
        filters.is_valid()
        self.filters = getattr(filters, "cleaned_data", {}) or {}
        households = household_list_for(request.user, filters=self.filters)

        def write(target, progress):
            # the total feeds the job's progress bar only: inside the request nobody watches one
            total = None if progress is no_progress else households.count()
            # rows read as tuples and streamed (households/excel/export.py): a province's million rows finish
            write_households(households, target=target, progress=progress, total=total)

        return self.export_response(write, excel.export_filename())

    def export_size(self, limit: int) -> int:
        return household_export_size(self.request.user, filters=self.filters, limit=limit)


class ImportTemplateView(RoleRequiredMixin, View):
    allowed_roles = IMPORTERS

    def get(self, request):
        return xlsx_response(excel.template_workbook(request.user), "mau-nhap-ho-gia-dinh.xlsx")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        help_text=gettext_lazy("Dùng tệp mẫu hoặc tệp đã xuất từ danh sách hộ; tối đa 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _(
                    "Chỉ nhận tệp Excel .xlsx (tệp “%(name)s” không phải .xlsx). Với tệp .xls hoặc .csv, hãy mở bằng "
                    "Excel và lưu lại dưới dạng “Excel Workbook (.xlsx)”."
                )
                % {"name": upload.name}
            )
        if upload.size > excel.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 5 MB; hãy chia thành nhiều tệp nhỏ hơn."))
        content = upload.read()
        try:  # only what is cheap here; the rows are read in the background job (households/jobs.py)
            excel.check_workbook(content)
        except excel.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        self.content = content
        return upload


class PendingImport:
    """The uploaded file waiting for confirmation: on disk, named by a random token kept in the session,
    with the background jobs (dry run, then commit) that read it."""

    def __init__(self, request):
        self.request = request
        self.state = request.session.get(SESSION_KEY) or {}

    @property
    def token(self) -> str:
        return self.state.get("token", "")

    def start(self, *, content: bytes, name: str) -> str:
        self.discard()
        folder = jobs.upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - KEEP_UPLOADS_SECONDS
        for old in [*folder.glob("*.xlsx"), *folder.glob("*.rows*")]:  # abandoned previews and their parsed cells
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        token = uuid.uuid4().hex
        (folder / f"{token}.xlsx").write_bytes(content)
        self.state = {"token": token, "sha256": excel.file_digest(content), "name": name, "versions": None}
        self.save()
        return token

    def content(self) -> bytes | None:
        return jobs.stored_upload(self.token, self.state.get("sha256", ""))

    def run(self, *, commit: bool) -> JobRun:
        """Queue the dry run or the commit of this file as a background job."""
        params = {"token": self.token, "sha256": self.state["sha256"], "commit": commit}
        if commit:
            params["versions"] = self.state.get("versions") or {}
            params["parsed_by"] = self.state.get("job")  # the dry run whose parsed cells the commit may start from
        user = self.request.user
        job = job_run_start(kind=jobs.IMPORT_JOB, requested_by=user, unit=user.unit, params=params)
        self.state["commit_job" if commit else "job"] = job.pk
        self.save()
        return job

    def job(self) -> JobRun | None:
        pk = self.state.get("commit_job") or self.state.get("job")
        return JobRun.objects.visible_to(self.request.user).filter(pk=pk).first() if pk else None

    def save(self) -> None:
        self.request.session[SESSION_KEY] = self.state
        self.request.session.modified = True

    def discard(self) -> None:
        for path in (jobs.upload_path(self.token), jobs.parsed_path(self.token)):
            if path is not None:
                path.unlink(missing_ok=True)
        self.state = {}
        self.request.session.pop(SESSION_KEY, None)


class HouseholdImportView(RoleRequiredMixin, TemplateView):
    """Upload → dry run in the background (nothing written) → preview → confirm → commit in the background
    (all households in one transaction)."""

    allowed_roles = IMPORTERS
    template_name = "households/household_import.html"

    def get(self, request, *args, **kwargs):
        pending = PendingImport(request)
        if pending.token and request.GET.get("tep") == pending.token:
            job = pending.job()
            if pending.content() is None or job is None:
                pending.discard()
                messages.error(request, _("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại."))
                return redirect("households:import")
            if job.status != JobStatus.SUCCEEDED:
                return self.render_to_response(
                    self.get_context_data(job=job, pending=pending.state, retry_next=request.get_full_path())
                )
            report = excel.ImportReport.from_dict(job.result["report"])
            if pending.state.get("commit_job"):
                return self.committed(pending, report)
            pending.state.update(versions=report.versions, checked=report.ok, checked_at=timezone.now().isoformat())
            pending.save()
            return self.render_to_response(self.get_context_data(report=report, pending=pending.state))
        return self.render_to_response(self.get_context_data(form=ImportUploadForm()))

    def post(self, request, *args, **kwargs):
        pending = PendingImport(request)
        action = request.POST.get("action")
        if action == "cancel":
            pending.discard()
            messages.info(request, _("Đã huỷ lần nhập này; chưa có gì được ghi."))
            return redirect("households:import")
        if action == "confirm":
            return self.confirm(pending)
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=200)
        token = pending.start(content=form.content, name=form.cleaned_data["file"].name)
        pending.run(commit=False)
        return redirect(f"{reverse('households:import')}?tep={token}")

    def confirm(self, pending: PendingImport):
        if pending.content() is None or self.request.POST.get("token") != pending.token:
            pending.discard()
            messages.error(self.request, _("Không tìm thấy tệp đang chờ nhập; hãy tải tệp lên lại."))
            return redirect("households:import")
        if not pending.state.get("checked") or pending.state.get("commit_job"):
            messages.error(self.request, _("Tệp còn lỗi; hãy sửa và tải lên lại trước khi xác nhận."))
            return redirect(f"{reverse('households:import')}?tep={pending.token}")
        pending.run(commit=True)
        return redirect(f"{reverse('households:import')}?tep={pending.token}")

    def committed(self, pending: PendingImport, report: excel.ImportReport):
        if report.committed:
            pending.discard()
            messages.success(self.request, _("Đã nhập xong. %(summary)s") % {"summary": excel.import_summary(report)})
            return redirect("households:list")
        pending.state.update(checked=False)
        pending.save()
        return self.render_to_response(self.get_context_data(report=report, pending=pending.state, stale=True))

    def get_context_data(self, **kwargs):
        return super().get_context_data(example_code=excel.EXAMPLE_CODE, **kwargs)
