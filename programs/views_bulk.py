"""Coverage views (what inspectors ask) and the yearly bulk work: BHYT list out and card numbers back,
quarterly electricity payments, a training course's participants. Every list is exportable to Excel (?xuat=xlsx).

Uploads wait on the server between the dry run and the confirmation (MEDIA_ROOT/imports/, keyed in the session
with the file's SHA-256), as in the registry import: the confirmation never trusts data sent back by the browser.
"""

import uuid
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from areas.choices import UnitLevel
from core.downloads import xlsx_response
from core.exports import BackgroundExportMixin, rows_up_to
from core.models import JobRun, JobStatus
from core.pagination import CappedCountPaginator
from core.templatetags.portal import vn_number
from households.excel import ImportFileError, file_digest

from . import bulk, bulk_jobs, selectors
from .excel import Col, read_table, table_workbook, xlsx_filename
from .forms import CourseForm, PaymentForm, QuarterForm, UploadForm
from .listing import SortedIdsPaginator, VillageOrderPaginator, narrowed_to, one_snapshot, page_for
from .models import Programme
from .views import EDITORS


def bulk_programme(code: str) -> Programme:
    """The catalogue programme a bulk page works on; a 404, not a server error, if an administrator renamed its code."""
    return get_object_or_404(Programme, code=code)


PAGE_SIZE = 100  # rows per screen page of a district's or province's lists; the Excel export has them all


def year_param(request) -> int:
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def day_for(year: int) -> date:
    """The status date of a year's list: today for the current year, 31/12 for a past one, 01/01 for a future one."""
    today = timezone.localdate()
    if year == today.year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)


class CoverageView(RoleRequiredMixin, BackgroundExportMixin, TemplateView):
    """A list of gaps with its Excel export; subclasses give the rows and the columns."""

    allowed_roles = ALL_ROLES
    template_name = "programs/coverage.html"
    title = ""
    lead = ""
    stem = ""
    # How a row reaches its household's village, and its order within the village, for a list read village by
    # village (programs.listing). None for a list whose conditions leave few rows of a province (the poor without
    # support): walking every village to find them costs more than selecting them first and sorting the few found,
    # which PostgreSQL does for the plain query. The housing gaps are walked along an index of the housing-deprived
    # households alone (programs migration 0012), so a walk skips the others; the escape registrations along an
    # index of their own (``EscapeSupportView.paginator``).
    village: str | None = None
    within: tuple[str, ...] = ()

    def columns(self) -> list[Col]:
        raise NotImplementedError

    def records(self, year: int, day: date):
        """The list's records in their order: a queryset, so that a screen page reads only its own rows."""
        raise NotImplementedError

    def cells(self, record) -> dict:
        raise NotImplementedError

    def candidates(self, year: int, day: date) -> QuerySet | None:
        """For a sparse list, the ids of a superset of its rows read from indexes alone (``listing.narrowed_to``)."""
        return None

    def paginator(self, records, year: int) -> CappedCountPaginator:
        """The screen's paginator of ``records`` (programs.listing)."""
        return list_paginator(records, self.request.user, self.village, self.within)

    def snapshot(self):
        """What the page's statements run in: one snapshot when the page reads counts kept beside the list."""
        return nullcontext()

    def rows(self, year: int, day: date):
        """Every row, for the Excel export."""
        return (self.cells(record) for record in self.records(year, day))

    def listed(self, year: int, day: date):
        """The list's records as the screen reads them: a sparse list narrowed to its candidates first."""
        records = self.records(year, day)
        candidates = self.candidates(year, day)
        if candidates is not None:
            records = narrowed_to(records, candidates)
        return records

    def export_size(self, limit: int) -> int:
        """Counted as the screen counts its list (village by village, or from counts kept beside it)."""
        year = year_param(self.request)
        with self.snapshot():
            return rows_up_to(self.paginator(self.listed(year, day_for(year)), year), limit)

    def get(self, request, *args, **kwargs):
        year = year_param(request)
        day = day_for(year)
        if request.GET.get("xuat") == "xlsx":
            heading = [
                str(self.title),
                _("Năm %(year)s, tình trạng ngày %(day)s") % {"year": year, "day": day.strftime("%d/%m/%Y")},
            ]

            def write(target, progress):
                rows = self.rows(year, day)
                table_workbook(
                    str(self.title)[:31], self.columns(), rows, heading=heading, target=target, progress=progress
                )

            return self.export_response(write, xlsx_filename(self.stem, timezone.localdate()))
        # A province's list holds hundreds of thousands of rows: the page's rows only are read and built, village
        # by village in the list's order (programs.listing), and the count is exact up to a limit, an estimate past
        # it (core.pagination).
        records = self.listed(year, day)
        with self.snapshot():
            page = page_for(self.paginator(records, year), request)
            rows = [self.cells(record) for record in page.object_list]
        columns = self.columns()
        return self.render_to_response(
            self.get_context_data(
                title=self.title,
                lead=self.lead,
                columns=columns,
                rows=rows,
                cells=screen_cells(rows, columns),
                page_obj=page,
                total=page.paginator.count,
                approximate=page.paginator.approximate,
                year=year,
                day=day,
                years=range(timezone.localdate().year + 1, 2019, -1),
            )
        )


def screen_cells(rows: list[dict], columns: list[Col]) -> list[list[tuple]]:
    """The page's table as (value, number column, link) per cell, each value formatted once here as the table shows
    it (the household's code linked to its support page, dates dd/mm/yyyy, amounts 1.234.567, "—" for nothing), so
    that the template writes ready values instead of testing every cell's kind (most of a page's own time)."""
    table = []
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column.key)
            if column.key == "household":
                cells.append((value, False, reverse("programs:household", args=[row["pk"]])))
            elif column.kind == "date":
                cells.append((value.strftime("%d/%m/%Y") if value else "—", False, ""))
            elif column.kind == "money":
                cells.append((vn_number(value), True, ""))
            else:
                cells.append(("—" if value is None else value, False, ""))
        table.append(cells)
    return table


def list_paginator(records, user, village: str | None, within: tuple[str, ...]) -> CappedCountPaginator:
    """The paginator of a coverage or bulk list (programs.listing): village by village, or the ids read once."""
    if not isinstance(records, QuerySet):
        return CappedCountPaginator(records, PAGE_SIZE)
    if village is None:
        return SortedIdsPaginator(records, PAGE_SIZE)
    return VillageOrderPaginator(records, PAGE_SIZE, user=user, village=village, within=within)


HOUSEHOLD_COLUMNS = [
    Col("household", gettext_lazy("Mã hộ"), 12),
    Col("head", gettext_lazy("Chủ hộ"), 24),
    Col("village", gettext_lazy("Thôn, buôn"), 20),
]


def household_columns(user) -> list[Col]:
    """A commune officer's lists are all of one commune; district and province lists name each household's commune
    (village names repeat from one commune to the next)."""
    if user.unit_id and user.unit.level == UnitLevel.COMMUNE:
        return HOUSEHOLD_COLUMNS
    return [*HOUSEHOLD_COLUMNS[:2], Col("commune", gettext_lazy("Xã, phường, thị trấn"), 20), HOUSEHOLD_COLUMNS[2]]


def household_cells(household) -> dict:
    return {
        "household": household.code,
        "head": household.head_name,
        "commune": household.commune.name,
        "village": household.village.name,
        "pk": household.pk,
    }


class UnsupportedView(CoverageView):
    title = gettext_lazy("Hộ nghèo chưa nhận hỗ trợ nào trong năm")
    lead = gettext_lazy("Hộ nghèo (theo quyết định công nhận) chưa có khoản hỗ trợ nào được ghi nhận trong năm.")
    stem = "ho-ngheo-chua-ho-tro"

    def columns(self):
        return [
            *household_columns(self.request.user),
            Col("members", _("Số người"), 10, "money"),
            Col("causes", _("Nguyên nhân nghèo"), 40),
        ]

    def records(self, year, day):
        return selectors.unsupported_poor(self.request.user, year=year, day=day)

    def candidates(self, year, day):
        return selectors.unsupported_poor_candidates(year=year, day=day)

    def cells(self, h):
        return {**household_cells(h), "members": h.member_count, "causes": "; ".join(h.poverty_cause_labels)}


class UninsuredView(CoverageView):
    title = gettext_lazy("Thành viên từ 6 tuổi chưa có thẻ BHYT còn hạn")
    lead = gettext_lazy(
        "Thiếu hụt chỉ số bảo hiểm y tế (Nghị định 07/2021/NĐ-CP): người từ 6 tuổi trở lên không có thẻ BHYT "
        "còn giá trị, theo sổ hộ và các thẻ đã ghi nhận."
    )
    stem = "chua-co-the-bhyt"
    village = "household__village"
    within = selectors.MEMBER_WITHIN_VILLAGE

    def columns(self):
        return [
            *household_columns(self.request.user),
            Col("member", _("Họ và tên"), 24),
            Col("born", _("Ngày sinh"), 12, "date"),
            Col("class", _("Phân loại hộ hiện tại"), 20),
            Col("old_valid_to", _("Thẻ cũ hết hạn"), 12, "date"),
        ]

    def records(self, year, day, walked=True):
        group = self.request.GET.get("nhom", "")
        return selectors.uninsured_members(self.request.user, day=day, status=group, walked=walked)

    def rows(self, year, day):
        """Every row, for the Excel export: the group's households hashed once (``uninsured_members``)."""
        return (self.cells(record) for record in self.records(year, day, walked=False))

    def cells(self, m):
        return {
            **household_cells(m.household),
            "member": m.full_name,
            "born": m.date_of_birth,
            "class": m.household.get_current_class_display(),
            "old_valid_to": m.health_insurance_valid_to,
        }


class HousingGapView(CoverageView):
    title = gettext_lazy("Hộ nghèo thiếu hụt về nhà ở chưa được hỗ trợ nhà ở")
    lead = gettext_lazy(
        "Hộ nghèo thiếu hụt chỉ số chất lượng hoặc diện tích nhà ở, chưa có khoản hỗ trợ nhà ở nào được ghi nhận."
    )
    stem = "ho-ngheo-thieu-nha-o"
    # Read village by village along the housing-deprived households' own index (programs migration 0012).
    village = "village"
    within = selectors.HOUSEHOLD_WITHIN_VILLAGE

    def columns(self):
        return [
            *household_columns(self.request.user),
            Col("area", _("Diện tích nhà ở (m²)"), 12),
            Col("parts", _("Số kết cấu chính không bền chắc"), 14),
        ]

    def records(self, year, day):
        return selectors.housing_gap(self.request.user, day=day)

    def cells(self, h):
        return {
            **household_cells(h),
            "area": float(h.floor_area_m2) if h.floor_area_m2 is not None else None,
            "parts": h.non_durable_main_parts,
        }


class EscapeSupportView(CoverageView):
    title = gettext_lazy("Hộ đăng ký thoát nghèo và hỗ trợ đã nhận")
    lead = gettext_lazy(
        "Hộ đăng ký thoát nghèo trong năm, cán bộ phụ trách và các khoản hỗ trợ hộ đã nhận trong năm đó."
    )
    stem = "dang-ky-thoat-ngheo-ho-tro"

    def columns(self):
        return [
            *household_columns(self.request.user),
            Col("cadre", _("Cán bộ phụ trách"), 22),
            Col("outcome", _("Kết quả"), 16),
            Col("count", _("Số khoản hỗ trợ"), 10),
            Col("amount", _("Số tiền (đồng)"), 14, "money"),
            Col("support", _("Hỗ trợ đã nhận"), 60),
        ]

    def records(self, year, day):
        registrations = selectors.escape_registrations(self.request.user, year=year)
        return [] if registrations is None else registrations

    def paginator(self, records, year):
        """Village by village along the registrations' copies of their household's village and code (households
        migration 0021), from the village of the page's first row: the villages before it are skipped by the year's
        registrations counted per village from the same index, whose sum is the exact total; every page is shown."""
        if not isinstance(records, QuerySet):
            return super().paginator(records, year)
        village_rows = selectors.escape_village_rows(self.request.user, year=year)
        paginator = VillageOrderPaginator(
            records,
            PAGE_SIZE,
            user=self.request.user,
            village=selectors.REGISTRATION_VILLAGE,
            within=selectors.REGISTRATION_WITHIN_VILLAGE,
            village_rows=village_rows,
        )
        paginator.count = sum(village_rows.values())  # exact: nothing to count twice
        paginator.deepest = None
        return paginator

    def snapshot(self):
        return one_snapshot()  # the counts and the page's walk agree while others commit

    def cells(self, r):
        from households.targets import Outcome

        benefits = r.household.year_benefits
        return {
            **household_cells(r.household),
            "cadre": r.cadre_name,
            "outcome": str(Outcome.LABELS.get(r.outcome, "")),
            "count": len(benefits),
            "amount": sum(b.amount or 0 for b in benefits),
            "support": support_summary(benefits) or _("Chưa có"),
        }


def support_summary(benefits) -> str:
    """One entry per programme, in the order received: "Thẻ BHYT ×5 (01/01/2026); Hỗ trợ tiền điện ×3 (25/03/2026,
    25/06/2026, 25/09/2026)" — five cards of one day are not listed five times."""
    grouped: dict[int, list] = {}
    for benefit in benefits:
        grouped.setdefault(benefit.programme_id, []).append(benefit)
    parts = []
    for items in grouped.values():
        days = list(dict.fromkeys(b.date.strftime("%d/%m/%Y") for b in items))
        count = f" ×{len(items)}" if len(items) > 1 else ""
        parts.append(f"{items[0].programme.short_name}{count} ({', '.join(days)})")
    return "; ".join(parts)


# --- uploads kept between the dry run and the confirmation ------------------------------------------------------


class PendingUpload:
    def __init__(self, request, key: str):
        self.request, self.key = request, key
        self.state = request.session.get(key) or {}

    def path(self) -> Path | None:
        try:
            token = uuid.UUID(self.state.get("token", "")).hex
        except ValueError:
            return None
        return Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"

    def start(self, content: bytes, name: str, extra: dict) -> None:
        self.discard()
        folder = Path(settings.MEDIA_ROOT) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        (folder / f"{token}.xlsx").write_bytes(content)
        self.state = {"token": token, "sha256": file_digest(content), "name": name, **extra}
        self.request.session[self.key] = self.state

    def content(self) -> bytes | None:
        path = self.path()
        if path is None or not path.exists():
            return None
        content = path.read_bytes()
        return content if file_digest(content) == self.state.get("sha256") else None

    def discard(self) -> None:
        path = self.path()
        if path is not None:
            path.unlink(missing_ok=True)
        self.state = {}
        self.request.session.pop(self.key, None)


class BulkImportView(RoleRequiredMixin, TemplateView):
    """Upload → dry run (report, nothing written) → confirm (all rows in one transaction) or cancel.

    A file of more than ``bulk_jobs.IMMEDIATE_BULK_ROWS`` rows is checked and written by background jobs: the page
    follows the job (``?kiem-tra=<job id>``, its requester only) and shows the same report from the job's result.
    """

    allowed_roles = EDITORS
    template_name = "programs/bulk_import.html"
    session_key = ""
    columns: tuple = ()
    form_class = UploadForm
    url_name = ""
    title = ""
    job_kind = ""  # the background job of a large file (programs.bulk_jobs)

    skipped_label = gettext_lazy("dòng bỏ qua")

    def run(self, rows, pending_state: dict, commit: bool) -> bulk.BulkReport:
        return bulk_jobs.import_run(
            self.job_kind, rows=rows, state=pending_state, user=self.request.user, commit=commit
        )

    def extra(self, form) -> dict:
        return {}

    def retry_initial(self, pending_state: dict) -> dict:
        """What the officer typed with the file (e.g. the course), offered again beside the file's errors."""
        return {}

    def report_context(self, report, pending_state: dict) -> dict:
        context = {"report": report, "pending": pending_state}
        if not report.ok:
            context["form"] = self.form_class(initial=self.retry_initial(pending_state))
        return context

    def get(self, request, *args, **kwargs):
        if "kiem-tra" in request.GET:
            return self.checked(request, request.GET["kiem-tra"])
        return self.render_to_response(self.get_context_data(form=self.form_class()))

    def checked(self, request, job_id: str):
        """A large file's job: its progress while it runs, then the report it stored, as the small file's page."""
        if not (job_id.isascii() and job_id.isdigit()):  # "²".isdigit() is true, int("²") a ValueError
            raise Http404
        jobs = JobRun.objects.visible_to(request.user).filter(kind=self.job_kind, requested_by=request.user)
        job = get_object_or_404(jobs, pk=int(job_id))
        if job.status != JobStatus.SUCCEEDED:
            return self.render_to_response(self.get_context_data(job=job, retry_next=request.get_full_path()))
        report = bulk.BulkReport.from_dict(job.result.get("report") or {})
        state = {key: value for key, value in job.params.items() if key != "commit"}
        if job.params.get("commit") and report.committed:
            pending = PendingUpload(request, self.session_key)
            if pending.state.get("token") == state.get("token"):
                pending.discard()
            messages.success(request, _("Đã ghi %(n)s khoản hỗ trợ.") % {"n": vn_number(report.created)})
            return redirect(self.done_url())
        return self.render_to_response(self.get_context_data(**self.report_context(report, state)))

    def start_job(self, pending: "PendingUpload", *, commit: bool):
        """Queue the dry run or the write of the pending file and follow it on this page."""
        state = {key: value for key, value in pending.state.items() if key not in ("job", "commit_job")}
        job = bulk_jobs.import_start(kind=self.job_kind, user=self.request.user, state=state, commit=commit)
        pending.state["commit_job" if commit else "job"] = job.pk
        self.request.session[pending.key] = pending.state
        self.request.session.modified = True
        return redirect(f"{reverse(self.url_name)}?kiem-tra={job.pk}")

    def post(self, request, *args, **kwargs):
        pending = PendingUpload(request, self.session_key)
        action = request.POST.get("action")
        if action == "cancel":
            writing = pending.state.get("commit_job")
            if writing and JobRun.objects.unfinished().filter(pk=writing, requested_by=request.user).exists():
                # The worker may already hold the file and be writing: "Huỷ" would not stop it, so it is refused
                # rather than saying nothing was written.
                messages.warning(
                    request,
                    _(
                        "Các khoản hỗ trợ của tệp đang được ghi trong nền nên không huỷ được; kết quả hiện ở đây khi "
                        "xong."
                    ),
                )
                return redirect(f"{reverse(self.url_name)}?kiem-tra={writing}")
            pending.discard()
            messages.info(request, _("Đã huỷ; chưa có gì được ghi."))
            return redirect(self.url_name)
        if action == "confirm":
            content = pending.content()
            if content is None or request.POST.get("token") != pending.state.get("token"):
                pending.discard()
                messages.error(request, _("Không tìm thấy tệp đang chờ nhập; hãy tải tệp lên lại."))
                return redirect(self.url_name)
            if pending.state.get("rows", 0) > bulk_jobs.IMMEDIATE_BULK_ROWS:
                return self.start_job(pending, commit=True)
            report = self.run(read_table(content, self.columns), pending.state, commit=True)
            if not report.ok:
                return self.render_to_response(self.get_context_data(**self.report_context(report, pending.state)))
            pending.discard()
            messages.success(request, _("Đã ghi %(n)s khoản hỗ trợ.") % {"n": report.created})
            return redirect(self.done_url())
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        content = form.cleaned_data["file"].read()
        try:
            rows = read_table(content, self.columns)
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        pending.start(content, form.cleaned_data["file"].name, {**self.extra(form), "rows": len(rows)})
        if len(rows) > bulk_jobs.IMMEDIATE_BULK_ROWS:
            return self.start_job(pending, commit=False)
        report = self.run(rows, pending.state, commit=False)
        return self.render_to_response(self.get_context_data(**self.report_context(report, pending.state)))

    def done_url(self) -> str:
        return reverse("programs:index")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title, columns=self.columns, skipped_label=self.skipped_label, **kwargs
        )


class BhytListView(RoleRequiredMixin, BackgroundExportMixin, TemplateView):
    """Members needing a card or a renewal for the year, with the budget's share — sent to the agency in Excel."""

    allowed_roles = ALL_ROLES
    template_name = "programs/bhyt_list.html"

    def listing(self, year: int, day: date) -> CappedCountPaginator:
        """The year's members in the list's order, paged and counted village by village (programs.listing)."""
        candidates = selectors.bhyt_candidates(self.request.user, year=year, day=day)
        return list_paginator(candidates, self.request.user, "household__village", selectors.MEMBER_WITHIN_VILLAGE)

    def export_size(self, limit: int) -> int:
        year = year_param(self.request)
        return rows_up_to(self.listing(year, day_for(year)), limit)

    def get(self, request, *args, **kwargs):
        year = year_param(request)
        day = day_for(year)
        programme = bulk_programme("BHYT")

        def bhyt_rows():
            return bulk.bhyt_rows(
                selectors.bhyt_candidates(request.user, year=year, day=day), day=day, programme=programme
            )

        if request.GET.get("xuat") == "xlsx":
            heading = [
                _("Danh sách đề nghị cấp thẻ BHYT năm %(year)s") % {"year": year},
                _("Điền Số thẻ BHYT mới và thời hạn rồi nhập lại vào cổng; giữ nguyên cột Mã thành viên."),
            ]

            def write(target, progress):
                table_workbook(
                    _("Danh sách BHYT"),
                    bulk.BHYT_COLUMNS,
                    bhyt_rows(),
                    heading=heading,
                    target=target,
                    progress=progress,
                )

            return self.export_response(write, xlsx_filename(f"danh-sach-bhyt-{year}", timezone.localdate()))
        # The page's members only: their groups are read for those rows, the count is capped (core.pagination).
        page = page_for(self.listing(year, day), request)
        return self.render_to_response(
            self.get_context_data(
                rows=bulk.bhyt_rows(page.object_list, day=day, programme=programme),
                page_obj=page,
                total=page.paginator.count,
                approximate=page.paginator.approximate,
                year=year,
                day=day,
                years=range(timezone.localdate().year + 1, 2019, -1),
                can_edit=request.user.role in EDITORS,
            )
        )


class BhytImportView(BulkImportView):
    session_key = "programs_bhyt_import"
    columns = bulk.BHYT_COLUMNS
    url_name = "programs:bhyt_import"
    title = gettext_lazy("Nhập số thẻ BHYT từ cơ quan bảo hiểm xã hội")
    skipped_label = gettext_lazy("dòng bỏ qua (chưa có số thẻ)")
    job_kind = bulk_jobs.BHYT_IMPORT_JOB

    def done_url(self):
        return reverse("programs:bhyt_list")


class TrainingImportView(BulkImportView):
    session_key = "programs_training_import"
    columns = bulk.TRAINING_COLUMNS
    form_class = CourseForm
    url_name = "programs:training_import"
    title = gettext_lazy("Nhập danh sách học viên một lớp đào tạo nghề")
    job_kind = bulk_jobs.TRAINING_IMPORT_JOB

    def extra(self, form):
        data = form.cleaned_data
        return {"course": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items() if k != "file"}}

    def retry_initial(self, pending_state):
        course = dict(pending_state.get("course") or {})
        for key in ("course_start", "course_end"):
            if course.get(key):
                course[key] = date.fromisoformat(course[key])
        return course

    def run(self, rows, pending_state, commit):
        bulk_programme("TRAINING_46")  # a 404 if an administrator renamed the programme's code
        return super().run(rows, pending_state, commit)

    def done_url(self):
        return reverse("programs:programme", args=[bulk_programme("TRAINING_46").pk])

    def get(self, request, *args, **kwargs):
        if request.GET.get("mau"):
            example = [
                {
                    "household": "IRS-0001",
                    "full_name": "Ksor Y Bhin",
                    "date_of_birth": date(1990, 3, 5),
                    "personal_id": "",
                    "certificate": "",
                    "employed_after": _("Có"),
                }
            ]
            return xlsx_response(
                table_workbook(
                    _("Học viên"),
                    bulk.TRAINING_COLUMNS,
                    example,
                    notes=[_("Xoá dòng ví dụ trước khi nhập. Cột có dấu * là bắt buộc.")],
                ),
                "mau-hoc-vien-dao-tao-nghe.xlsx",
            )
        return super().get(request, *args, **kwargs)


class ElectricityView(RoleRequiredMixin, BackgroundExportMixin, TemplateView):
    """The quarter's list: poor and social-protection households, the amount, whether already paid."""

    allowed_roles = ALL_ROLES
    template_name = "programs/electricity.html"

    def get(self, request, *args, **kwargs):
        return self.page(request.GET)

    def export_size(self, limit: int) -> int:
        # the export's own query under a LIMIT: ≈ 0,1 s for a commune as for the province of a million households,
        # most of it the hash of the households poor on the day (``selectors.electricity_candidates``)
        return rows_up_to(self.quarter_list, limit)

    def page(self, query, pay_form=None):
        """The quarter chosen in ``query``; ``pay_form`` is a refused payment, shown again with what was typed."""
        request = self.request
        today = timezone.localdate()
        form = QuarterForm(query or None)
        data = form.cleaned_data if form.is_valid() else {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
        year, quarter = data["year"], data["quarter"]
        programme = bulk_programme("ELECTRICITY")
        amount = bulk.electricity_amount(programme)
        kwh, price = programme.parameter("kwh_per_month", 0), programme.parameter("tier1_price", 0)
        columns = [
            *household_columns(self.request.user),
            Col("reason", _("Đối tượng"), 14),
            Col("amount", _("Số tiền (đồng)"), 14, "money"),
            Col("paid", _("Tình trạng"), 14),
        ]

        quarter_list = selectors.electricity_quarter(
            request.user, programme=programme, year=year, quarter=quarter, day=bulk.quarter_end(year, quarter)
        )

        def cells(h) -> dict:
            return {
                **household_cells(h),
                "reason": _("Hộ nghèo") if h.is_poor else _("Hộ có đối tượng BTXH"),
                "amount": amount,
                "paid": _("Đã chi trả") if h.paid else "",
            }

        if request.GET.get("xuat") == "xlsx":
            heading = [
                _("Danh sách hỗ trợ tiền điện quý %(q)s năm %(y)s") % {"q": quarter, "y": year},
                _("%(kwh)s kWh × giá bậc 1 %(price)s đồng × 3 tháng = %(a)s đồng/hộ")
                % {
                    "kwh": kwh,
                    "price": f"{int(price):,}".replace(",", "."),
                    "a": f"{amount:,}".replace(",", "."),
                },
            ]
            signed = [*columns, Col("signature", _("Ký nhận"), 16)]  # the list households sign when paid

            def write(target, progress):
                rows = (cells(h) for h in quarter_list.iterator(chunk_size=2_000))
                table_workbook(_("Tiền điện"), signed, rows, heading=heading, target=target, progress=progress)

            self.quarter_list = quarter_list
            return self.export_response(write, xlsx_filename(f"tien-dien-q{quarter}-{year}", today))
        # The totals (kept per village for the quarters around today's, else one aggregate), the page's rows only,
        # read village by village from the village of its first row (programs.listing), all in one snapshot.
        with one_snapshot():
            totals, village_rows = selectors.electricity_page_counts(
                request.user, programme=programme, year=year, quarter=quarter, day=bulk.quarter_end(year, quarter)
            )
            walked = selectors.electricity_quarter(
                request.user,
                programme=programme,
                year=year,
                quarter=quarter,
                day=bulk.quarter_end(year, quarter),
                walked=True,
            )
            paginator = VillageOrderPaginator(
                walked,
                PAGE_SIZE,
                user=request.user,
                village="village",
                within=selectors.HOUSEHOLD_WITHIN_VILLAGE,
                village_rows=village_rows,
            )
            paginator.count = totals["households"]  # exact, from the counts or the aggregate: nothing to count twice
            page = page_for(paginator, request)
            rows = [cells(h) for h in page.object_list]
        if not query:
            form = QuarterForm(initial=data)
        if pay_form is None and request.user.role in EDITORS:
            pay_form = PaymentForm(initial={**data, "paid_on": today})
        # A payment of this quarter being recorded in the background: the page says so and links to its progress,
        # instead of offering to pay again what the job is paying (one look-up by unit, kind and quarter).
        paying = (
            JobRun.objects.unfinished()
            .filter(kind=bulk_jobs.ELECTRICITY_JOB, unit=request.user.unit, params__year=year, params__quarter=quarter)
            .order_by("pk")
            .first()
            if request.user.unit_id
            else None
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                paying=paying,
                rows=rows,
                show_commune=any(column.key == "commune" for column in columns),  # village names repeat
                page_obj=page,
                count=totals["households"],
                year=year,
                quarter=quarter,
                amount=amount,
                kwh=kwh,
                price=price,
                programme=programme,
                unpaid=totals["unpaid"],
                total=amount * totals["households"],
                pay_form=pay_form,
            )
        )


class ElectricityPayView(ElectricityView):
    allowed_roles = EDITORS

    def get(self, request, *args, **kwargs):
        return redirect("programs:electricity")

    def post(self, request, *args, **kwargs):
        form = PaymentForm(request.POST)
        if not form.is_valid():  # the same quarter's page again, with what was typed and the errors beside it
            return self.page(request.POST, pay_form=form)
        data = form.cleaned_data
        households = selectors.electricity_candidates(request.user, day=bulk.quarter_end(data["year"], data["quarter"]))
        # One more than the limit tells a commune's list from a small one without reading all of it.
        households = list(households[: bulk_jobs.IMMEDIATE_BULK_ROWS + 1])
        if len(households) > bulk_jobs.IMMEDIATE_BULK_ROWS:
            job = bulk_jobs.electricity_pay_start(
                user=request.user,
                year=data["year"],
                quarter=data["quarter"],
                paid_on=data["paid_on"],
                decision=data["decision"],
            )
            messages.info(
                request,
                _(
                    "Danh sách có nhiều hộ nên việc ghi chi trả chạy trong nền. Trang này cho biết tiến độ; khi xong, "
                    "kết quả hiện ở đây và không hộ nào được ghi nếu có hộ bị từ chối."
                ),
            )
            return redirect("core:job_detail", pk=job.pk)
        report = bulk.electricity_quarter_pay(
            households=households,
            year=data["year"],
            quarter=data["quarter"],
            paid_on=data["paid_on"],
            decision=data["decision"],
            user=request.user,
        )
        if report.ok:
            messages.success(request, _("Đã ghi nhận chi trả cho %(n)s hộ.") % {"n": report.created})
        else:
            messages.error(
                request,
                _("Chưa ghi được (không hộ nào được ghi): %(errors)s")
                % {"errors": "; ".join(e.message for e in report.errors[:5])},
            )
        return redirect(f"{reverse('programs:electricity')}?year={data['year']}&quarter={data['quarter']}")
