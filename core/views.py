"""Background-job pages, system status and the health endpoint."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.permissions import ADMIN_ONLY, ALL_ROLES, RoleRequiredMixin

from . import health, services
from .downloads import PDF_CONTENT_TYPE, file_download_response
from .exports import FILE_JOB_KINDS, export_file
from .job_registry import find_job_kind
from .models import JobRun, JobStatus


class JobListView(RoleRequiredMixin, ListView):
    allowed_roles = ALL_ROLES
    template_name = "core/jobrun_list.html"
    paginate_by = 30

    def get_queryset(self):
        return JobRun.objects.visible_to(self.request.user).select_related("requested_by", "unit")


class JobDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = ALL_ROLES
    template_name = "core/jobrun_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return JobRun.objects.visible_to(self.request.user).select_related("requested_by", "unit")

    def get_object(self, queryset=None):
        job = super().get_object(queryset)
        if not job.is_finished:  # a job whose worker died is shown failed, with a retry, not "running" for ever
            job = services.job_run_fail_if_dead(job=job)
        return job

    def get_context_data(self, **kwargs):
        kind = find_job_kind(self.object.kind)
        # The page where the job's requester acts on its outcome (an upload's report to confirm is theirs alone):
        # other officers of the unit see the job, not that link.
        mine = self.object.requested_by_id == self.request.user.pk
        return super().get_context_data(
            log=self.object.log.select_related("actor"),
            file_job=self.object.kind in FILE_JOB_KINDS,
            page_link=kind.page(self.object) if mine and kind is not None and kind.page is not None else None,
            **kwargs,
        )


class JobProgressView(RoleRequiredMixin, View):
    """What the job page polls every two seconds while the job runs."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        job = services.job_run_fail_if_dead(job=get_object_or_404(JobRun.objects.visible_to(request.user), pk=pk))
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "progress": job.progress,
                "message": job.message,
                "finished": job.is_finished,
            }
        )


class JobDownloadView(RoleRequiredMixin, View):
    """The file a finished export job wrote, to whoever may see the job (its requester, officers of the units
    above); a job outside the user's scope is a 404."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        job = get_object_or_404(JobRun.objects.visible_to(request.user), pk=pk, status=JobStatus.SUCCEEDED)
        path = export_file(job)
        if path is None:
            messages.error(request, _("Tệp của lần xuất này không còn trên máy chủ; hãy xuất lại từ trang danh sách."))
            return redirect("core:job_detail", pk=job.pk)
        if path.suffix == ".pdf":  # certificates and posted lists printed in the background (reviews/jobs.py)
            return file_download_response(
                path, job.result.get("filename") or "van-ban.pdf", content_type=PDF_CONTENT_TYPE
            )
        return file_download_response(path, job.result.get("filename") or "xuat-excel.xlsx")


class JobRetryView(RoleRequiredMixin, View):
    """Re-run a failed job: a job outside the user's scope is a 404; a role that may not start that kind of
    job (core/job_registry.py) gets 403 and nothing runs."""

    allowed_roles = ALL_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        job = get_object_or_404(JobRun.objects.visible_to(request.user), pk=pk)
        if not services.job_run_may_rerun(job, request.user):
            raise PermissionDenied
        try:
            job = services.job_run_retry(job=job, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if job.status == JobStatus.FAILED:  # the queue refused it: the job page shows why
                messages.error(request, job.error)
            else:
                messages.success(request, _("Đã đưa công việc vào hàng đợi để chạy lại."))
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            return redirect(back)  # the page that started the job (e.g. the Excel import), when it shows progress
        return redirect("core:job_detail", pk=job.pk)


class SystemStatusView(RoleRequiredMixin, TemplateView):
    allowed_roles = ADMIN_ONLY
    template_name = "core/system_status.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            checks=health.system_status(),
            last_checks=JobRun.objects.filter(kind="system_check").select_related("requested_by")[:5],
            **kwargs,
        )


class SystemCheckStartView(RoleRequiredMixin, View):
    allowed_roles = ADMIN_ONLY
    http_method_names = ["post"]

    def post(self, request):
        job = services.job_run_start(kind="system_check", requested_by=request.user, unit=request.user.unit)
        return redirect("core:job_detail", pk=job.pk)


@login_not_required
def healthz(request):
    """For load balancers and container health checks: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
