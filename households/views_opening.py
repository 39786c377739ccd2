"""The page of a unit that starts using the portal mid-period: the template, the upload (dry run, then commit, both
as background jobs like the household import) and the opening balances already recorded per unit."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.permissions import RoleRequiredMixin
from core.downloads import xlsx_response
from core.models import JobRun, JobStatus
from core.services import job_run_start

from . import opening
from .excel import opening as sheets
from .excel.columns import format_vnd
from .views_excel import ImportUploadForm, PendingImport

SESSION_KEY = "opening_import"


class OpeningUploadForm(ImportUploadForm):
    """The household import's upload checks (size, a real xlsx package, its unpacked size), with this page's help."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Dùng tệp mẫu của trang này; tối đa 5 MB.")


class PendingOpening(PendingImport):
    """The uploaded opening-balance workbook waiting for confirmation (its own session key and job kind)."""

    def __init__(self, request):
        self.request = request
        self.state = request.session.get(SESSION_KEY) or {}

    def run(self, *, commit: bool) -> JobRun:
        params = {"token": self.token, "sha256": self.state["sha256"], "commit": commit}
        user = self.request.user
        job = job_run_start(kind=opening.OPENING_JOB, requested_by=user, unit=user.unit, params=params)
        self.state["commit_job" if commit else "job"] = job.pk
        self.save()
        return job

    def save(self) -> None:
        self.request.session[SESSION_KEY] = self.state
        self.request.session.modified = True

    def discard(self) -> None:
        super().discard()
        self.request.session.pop(SESSION_KEY, None)


class OpeningTemplateView(RoleRequiredMixin, View):
    allowed_roles = opening.OPENING_IMPORTERS

    def get(self, request):
        return xlsx_response(sheets.opening_template(), sheets.template_filename())


class OpeningBalanceView(RoleRequiredMixin, TemplateView):
    """Upload → dry run in the background (nothing written) → result → confirm → commit in the background (all rows
    in one transaction); below, the lists recorded as opening balance in the units the officer sees."""

    allowed_roles = opening.OPENING_IMPORTERS
    template_name = "households/opening_balance.html"

    def get(self, request, *args, **kwargs):
        pending = PendingOpening(request)
        if pending.token and request.GET.get("tep") == pending.token:
            job = pending.job()
            if pending.content() is None or job is None:
                pending.discard()
                messages.error(request, _("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại."))
                return redirect("households:opening")
            if job.status != JobStatus.SUCCEEDED:
                return self.render_to_response(
                    self.get_context_data(job=job, pending=pending.state, retry_next=request.get_full_path())
                )
            report = opening.OpeningReport.from_dict(job.result["report"])
            if pending.state.get("commit_job"):
                return self.committed(pending, report)
            pending.state.update(checked=report.ok, checked_at=timezone.now().isoformat())
            pending.save()
            return self.render_to_response(self.get_context_data(report=report, pending=pending.state))
        return self.render_to_response(self.get_context_data(form=OpeningUploadForm()))

    def post(self, request, *args, **kwargs):
        pending = PendingOpening(request)
        action = request.POST.get("action")
        if action == "cancel":
            pending.discard()
            messages.info(request, _("Đã huỷ lần nhập này; chưa có gì được ghi."))
            return redirect("households:opening")
        if action == "confirm":
            if pending.content() is None or request.POST.get("token") != pending.token:
                pending.discard()
                messages.error(request, _("Không tìm thấy tệp đang chờ nhập; hãy tải tệp lên lại."))
                return redirect("households:opening")
            if not pending.state.get("checked") or pending.state.get("commit_job"):
                messages.error(request, _("Tệp còn lỗi; hãy sửa và tải lên lại trước khi xác nhận."))
                return redirect(f"{reverse('households:opening')}?tep={pending.token}")
            pending.run(commit=True)
            return redirect(f"{reverse('households:opening')}?tep={pending.token}")
        form = OpeningUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        token = pending.start(content=form.content, name=form.cleaned_data["file"].name)
        pending.run(commit=False)
        return redirect(f"{reverse('households:opening')}?tep={token}")

    def committed(self, pending: PendingOpening, report: opening.OpeningReport):
        if report.committed:
            pending.discard()
            messages.success(self.request, _("Đã nhập xong. %(summary)s") % {"summary": opening_summary(report)})
            return redirect("households:opening")
        pending.state.update(checked=False)
        pending.save()
        return self.render_to_response(self.get_context_data(report=report, pending=pending.state, stale=True))

    def get_context_data(self, **kwargs):
        return super().get_context_data(balances=opening.opening_balances_for(self.request.user), **kwargs)


def opening_summary(report: opening.OpeningReport) -> str:
    return _(
        "%(balances)s hộ ghi vào danh sách đầu kỳ (%(created)s hộ mới tạo), %(targets)s chỉ tiêu, %(registrations)s "
        "đăng ký thoát nghèo."
    ) % {
        "balances": format_vnd(report.balances),
        "created": format_vnd(len(report.households_created)),
        "targets": format_vnd(report.targets),
        "registrations": format_vnd(report.registrations),
    }
