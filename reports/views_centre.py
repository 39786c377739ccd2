"""The download centre (every report of every reporting unit the officer may see, filtered, with a ZIP of a period's
finalised reports and a table of the units' status) and the download log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.downloads import ZIP_CONTENT_TYPE, file_download_response, streaming_download_response
from core.models import JobRun, JobStatus

from . import services
from .bundles import (
    BUNDLE_JOB,
    CENTRE_ROLES,
    STREAM_MAX_REPORTS,
    bundle_entries,
    bundle_file,
    bundle_filename,
    bundle_job_start,
    bundle_reports,
    zip_chunks,
)
from .forms import CentreFilterForm
from .listing import centre_units_for, downloads_for, page_of, report_list_for, unit_statuses
from .models import FileKind, PeriodicReport, ReportKind, ReportStatus
from .units import reporting_units
from .views import client_address

PER_PAGE = 30


def status_units(scope, kind: str, period_end) -> list[AdministrativeUnit]:
    """The units the status table lists: the reporting units (reports.units) for the 6-month and annual reports;
    every district and commune in force for the review results, which each level sums up for itself (domain.md §3.1)."""
    if kind in (ReportKind.REVIEW_RESULTS, ReportKind.EMULATION_SUMMARY):
        return list(
            AdministrativeUnit.objects.filter(
                path__startswith=scope.path, level__in=[UnitLevel.DISTRICT, UnitLevel.COMMUNE]
            )
            .valid_on(period_end)
            .order_by("path")
        )
    return reporting_units(scope, period_end)


class CentreFiltersMixin:
    def filter_form(self) -> CentreFilterForm:
        if not hasattr(self, "_filters"):
            self._filters = CentreFilterForm(self.request.GET or None, units=centre_units_for(self.request.user))
            self._filters.is_valid()  # an invalid filter is left out and shown beside its field
        return self._filters

    def filters(self) -> dict:
        form = self.filter_form()
        return {name: value for name, value in getattr(form, "cleaned_data", {}).items() if value not in (None, "")}

    def scope_unit(self, filters: dict):
        """The unit whose reporting units the status table lists: the filter's, else the officer's own."""
        return filters.get("unit") or self.request.user.unit

    def period(self, filters: dict):
        """The period the filters name (a kind and a year), or None."""
        if not (filters.get("kind") and filters.get("year")):
            return None
        try:
            return services.periods_for(filters["kind"], filters["year"])
        except ValidationError:
            return None


class ReportCentreView(RoleRequiredMixin, CentreFiltersMixin, TemplateView):
    """Every report of the reporting units in the officer's unit, filtered; for a period, the units' status."""

    allowed_roles = CENTRE_ROLES
    template_name = "reports/centre.html"

    def get_context_data(self, **kwargs):
        filters = self.filters()
        page = page_of(report_list_for(self.request.user, filters), self.request.GET.get("page"), PER_PAGE)
        period = self.period(filters)
        statuses = None
        scope = self.scope_unit(filters)
        if period is not None and scope is not None:
            units = status_units(scope, filters["kind"], period[1])
            statuses = unit_statuses(
                self.request.user, units=units, kind=filters["kind"], period_start=period[0], period_end=period[1]
            )
        zip_query = {key: value for key, value in self.request.GET.items() if key in ("unit", "kind", "year")}
        return super().get_context_data(
            filter_form=self.filter_form(),
            page=page,
            period=period,
            statuses=statuses,
            scope=scope,
            zip_url=f"{reverse('reports:bundle')}?{urlencode(zip_query)}" if period else "",
            **kwargs,
        )


class ReportBundleView(RoleRequiredMixin, CentreFiltersMixin, View):
    """ "Tải tất cả (ZIP)": the finalised reports of the filtered period (streamed, or built by a job when many;
    reports/bundles.py says why), every one of them logged as downloaded."""

    allowed_roles = CENTRE_ROLES

    def get(self, request):
        filters = self.filters()
        period = self.period(filters)
        if period is None:
            messages.error(request, _("Hãy chọn loại báo cáo và năm trước khi tải tất cả."))
            return redirect(f"{reverse('reports:centre')}?{request.GET.urlencode()}")
        filters["status"] = ReportStatus.FINALISED
        ids = list(
            report_list_for(request.user, filters)
            .filter(period_start=period[0], period_end=period[1])
            .values_list("pk", flat=True)
        )
        if not ids:
            messages.error(request, _("Chưa có báo cáo nào đã ban hành trong kỳ này để tải."))
            return redirect(f"{reverse('reports:centre')}?{request.GET.urlencode()}")
        scope = self.scope_unit(filters)
        filename = bundle_filename(filters["kind"], filters["year"], scope.name if scope else "Toan quoc")
        if len(ids) > STREAM_MAX_REPORTS:
            job = bundle_job_start(user=request.user, report_ids=ids, filename=filename)
            if job.status == JobStatus.FAILED:
                messages.error(request, job.error)
            else:
                messages.info(
                    request, _("Tệp ZIP đang được đóng gói trong nền vì có nhiều báo cáo; trang này cho biết tiến độ.")
                )
            return redirect("reports:bundle_job", pk=job.pk)
        reports = bundle_reports(request.user, ids)
        log_bundle(request, reports)
        return streaming_download_response(zip_chunks(bundle_entries(reports)), filename, content_type=ZIP_CONTENT_TYPE)


def log_bundle(request, reports: list[PeriodicReport]) -> None:
    for report in reports:
        services.report_download_logged(
            report=report, file_kind=FileKind.ZIP, user=request.user, address=client_address(request)
        )


class BundleJobMixin:
    def get_job(self, **extra) -> JobRun:
        return get_object_or_404(
            JobRun.objects.visible_to(self.request.user).filter(kind=BUNDLE_JOB, **extra), pk=self.kwargs["pk"]
        )


class BundleJobView(RoleRequiredMixin, BundleJobMixin, TemplateView):
    """The page of a ZIP built in the background: its progress, then the download."""

    allowed_roles = CENTRE_ROLES
    template_name = "reports/bundle_job.html"

    def get_context_data(self, **kwargs):
        from core.services import job_run_fail_if_dead

        return super().get_context_data(job=job_run_fail_if_dead(job=self.get_job()), **kwargs)


class BundleDownloadView(RoleRequiredMixin, BundleJobMixin, View):
    """The finished ZIP; its reports (those the officer still may see) are logged as downloaded."""

    allowed_roles = CENTRE_ROLES

    def get(self, request, pk):
        job = self.get_job(status=JobStatus.SUCCEEDED)
        path = bundle_file(job)
        if path is None:
            messages.error(request, _("Tệp ZIP này không còn trên máy chủ; hãy tải lại từ trang tải báo cáo."))
            return redirect("reports:bundle_job", pk=job.pk)
        log_bundle(request, bundle_reports(request.user, job.result.get("reports", [])))
        return file_download_response(path, job.result.get("filename") or "bao-cao.zip", content_type=ZIP_CONTENT_TYPE)


class DownloadLogView(RoleRequiredMixin, TemplateView):
    """Who downloaded which file of which report, and when."""

    allowed_roles = ALL_ROLES
    template_name = "reports/download_log.html"

    def get_context_data(self, **kwargs):
        page = page_of(downloads_for(self.request.user), self.request.GET.get("page"), PER_PAGE * 2)
        return super().get_context_data(page=page, **kwargs)
