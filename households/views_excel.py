"""Excel screens of the registry: export the filtered list, download the template, import with a dry run first.

The uploaded file is kept on the server between the preview and the confirmation (MEDIA_ROOT/imports/<uuid>.xlsx,
keyed in the officer's session with its SHA-256), so the confirmation never trusts data sent back by the browser.
"""

import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.choices import Role
from accounts.permissions import ALL_ROLES, RoleRequiredMixin

from . import excel
from .forms import HouseholdFilterForm
from .selectors import household_list_for
from .views import indicator_choices

IMPORTERS = frozenset({Role.COMMUNE_OFFICER})
SESSION_KEY = "household_import"
KEEP_UPLOADS_SECONDS = 24 * 60 * 60


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class HouseholdExportView(RoleRequiredMixin, View):
    """The household list exactly as filtered on screen, one row per member, in the import template's layout."""

    allowed_roles = ALL_ROLES

    def get(self, request):
        filters = HouseholdFilterForm(request.GET or None, user=request.user, indicators=indicator_choices())
        filters.is_valid()
        households = household_list_for(request.user, filters=getattr(filters, "cleaned_data", {}) or {})
        content = excel.export_workbook(excel.export_queryset(households))
        return xlsx_response(content, excel.export_filename())


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
        try:
            self.sheet = excel.read_sheet(content)
        except excel.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        self.content = content
        return upload


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


class PendingImport:
    """The uploaded file waiting for confirmation: on disk, named by a random token kept in the session."""

    def __init__(self, request):
        self.request = request
        self.state = request.session.get(SESSION_KEY) or {}

    @property
    def token(self) -> str:
        return self.state.get("token", "")

    def path(self) -> Path | None:
        try:
            token = uuid.UUID(self.token).hex
        except ValueError:
            return None
        return upload_dir() / f"{token}.xlsx"

    def start(self, *, content: bytes, name: str) -> str:
        self.discard()
        folder = upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - KEEP_UPLOADS_SECONDS
        for old in folder.glob("*.xlsx"):  # abandoned previews
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        token = uuid.uuid4().hex
        (folder / f"{token}.xlsx").write_bytes(content)
        self.state = {"token": token, "sha256": excel.file_digest(content), "name": name, "versions": None}
        self.save()
        return token

    def content(self) -> bytes | None:
        path = self.path()
        if path is None or not path.exists():
            return None
        content = path.read_bytes()
        return content if excel.file_digest(content) == self.state.get("sha256") else None

    def save(self) -> None:
        self.request.session[SESSION_KEY] = self.state
        self.request.session.modified = True

    def discard(self) -> None:
        path = self.path()
        if path is not None:
            path.unlink(missing_ok=True)
        self.state = {}
        self.request.session.pop(SESSION_KEY, None)


class HouseholdImportView(RoleRequiredMixin, TemplateView):
    """Upload → preview (dry run, nothing written) → confirm (all households in one transaction)."""

    allowed_roles = IMPORTERS
    template_name = "households/household_import.html"

    def get(self, request, *args, **kwargs):
        pending = PendingImport(request)
        if pending.token and request.GET.get("tep") == pending.token:
            content = pending.content()
            if content is None:
                pending.discard()
                messages.error(request, _("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại."))
                return redirect("households:import")
            return self.preview(pending, content)
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
        return redirect(f"{reverse('households:import')}?tep={token}")

    def sheet_of(self, content: bytes) -> excel.Sheet:
        return excel.read_sheet(content)  # checked on upload; the stored bytes are the same (hash checked)

    def preview(self, pending: PendingImport, content: bytes):
        report = excel.household_import(sheet=self.sheet_of(content), user=self.request.user, commit=False)
        pending.state.update(versions=report.versions, checked=report.ok, checked_at=timezone.now().isoformat())
        pending.save()
        return self.render_to_response(self.get_context_data(report=report, pending=pending.state))

    def confirm(self, pending: PendingImport):
        content = pending.content()
        if content is None or self.request.POST.get("token") != pending.token:
            pending.discard()
            messages.error(self.request, _("Không tìm thấy tệp đang chờ nhập; hãy tải tệp lên lại."))
            return redirect("households:import")
        if not pending.state.get("checked"):
            messages.error(self.request, _("Tệp còn lỗi; hãy sửa và tải lên lại trước khi xác nhận."))
            return redirect(f"{reverse('households:import')}?tep={pending.token}")
        report = excel.household_import(
            sheet=self.sheet_of(content),
            user=self.request.user,
            commit=True,
            expected_versions=pending.state.get("versions") or {},
        )
        if not report.ok:
            pending.state.update(checked=False)
            pending.save()
            messages.error(
                self.request, _("Chưa nhập được: dữ liệu đã thay đổi từ lúc kiểm tra. Không có hộ nào được ghi.")
            )
            return self.render_to_response(self.get_context_data(report=report, pending=pending.state))
        pending.discard()
        messages.success(self.request, _("Đã nhập xong. %(summary)s") % {"summary": excel.import_summary(report)})
        return redirect("households:list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(example_code=excel.EXAMPLE_CODE, **kwargs)
