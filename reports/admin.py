"""Admin of the periodic reports. Reports, downloads and registers are read here, never written: a report changes
only through its services (a finalised one never), every download is a log row, and a register's numbers are spent
by finalising. Administrators edit the typed-indicator definitions and the reporting calendar (ReportDeadline),
which the daily task reads (docs/adr/0025)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.integrity import UniqueRulesModelForm

from .models import (
    DocumentRegister,
    IndicatorDefinition,
    IndicatorValue,
    PeriodicReport,
    ReportDeadline,
    ReportDownload,
)
from .schedule import deadline_in_year


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, filtered and searched; added, changed and deleted only by the portal's services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DownloadInline(admin.TabularInline):
    model = ReportDownload
    fields = ("file_kind", "user", "downloaded_at", "address")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PeriodicReport)
class PeriodicReportAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "period_start", "period_end", "version", "status", "number", "issued_on")
    list_filter = ("kind", "status", "period_end")
    search_fields = ("unit__name", "unit__code", "number", "abstract")
    date_hierarchy = "period_end"
    inlines = [DownloadInline]

    def get_queryset(self, request):
        return PeriodicReport.objects.visible_to(request.user).select_related("unit", "job")


@admin.register(ReportDownload)
class ReportDownloadAdmin(ReadOnlyAdmin):
    list_display = ("downloaded_at", "report", "file_kind", "user", "address")
    list_filter = ("file_kind",)
    search_fields = ("report__unit__name", "report__number", "user__username", "user__full_name")
    date_hierarchy = "downloaded_at"

    def get_queryset(self, request):
        visible = PeriodicReport.objects.visible_to(request.user)
        return ReportDownload.objects.filter(report__in=visible).select_related("report__unit", "user")


@admin.register(DocumentRegister)
class DocumentRegisterAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "symbol", "last_number")
    list_filter = ("year", "symbol")
    search_fields = ("unit__name", "unit__code")

    def get_queryset(self, request):
        return DocumentRegister.objects.filter(unit__in=_visible_units(request.user)).select_related("unit")


def _visible_units(user):
    from areas.models import AdministrativeUnit

    return AdministrativeUnit.objects.visible_to(user)


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):
    form = UniqueRulesModelForm
    list_display = ("code", "label", "measure", "section", "order", "is_active")
    list_filter = ("section", "is_active")
    list_editable = ("order", "is_active")
    search_fields = ("code", "label")

    def has_delete_permission(self, request, obj=None):
        # A definition with values is retired (is_active), not deleted: the reports already issued name it.
        if obj is not None and obj.values.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ("definition", "unit", "period_start", "period_end", "value", "source", "entered_by", "entered_at")
    list_filter = ("definition__section", "period_end")
    search_fields = ("definition__label", "unit__name", "source")

    def get_queryset(self, request):
        return IndicatorValue.objects.visible_to(request.user).select_related("definition", "unit", "entered_by")


class ReportDeadlineForm(UniqueRulesModelForm):
    class Meta:
        model = ReportDeadline
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        months = ("period_start_month", "period_end_month", "due_month", "due_day", "prepare_month", "prepare_day")
        if self.errors or any(cleaned.get(name) is None for name in months):
            return cleaned
        if cleaned["period_start_month"] > cleaned["period_end_month"]:
            raise ValidationError({"period_end_month": _("Tháng cuối kỳ phải sau hoặc bằng tháng đầu kỳ.")})
        occurrence = deadline_in_year(ReportDeadline(**{name: cleaned[name] for name in months}), 2028)
        if (occurrence.due_on - occurrence.prepare_on).days > 180:
            raise ValidationError({"prepare_month": _("Ngày tạo dự thảo phải trước hạn nộp, không quá 6 tháng.")})
        return cleaned


@admin.register(ReportDeadline)
class ReportDeadlineAdmin(admin.ModelAdmin):
    form = ReportDeadlineForm
    list_display = ("name", "kind", "period_start_month", "period_end_month", "prepare_date", "due_date", "is_active")
    list_filter = ("kind", "is_active")
    fieldsets = (
        (None, {"fields": ("kind", "name", "legal_basis", "is_active")}),
        (_("Các tháng của kỳ báo cáo"), {"fields": ("period_start_month", "period_end_month")}),
        (_("Lịch tạo dự thảo và hạn nộp"), {"fields": (("prepare_day", "prepare_month"), ("due_day", "due_month"))}),
    )

    @admin.display(description=_("tạo dự thảo từ ngày"))
    def prepare_date(self, obj):
        return f"{obj.prepare_day:02d}/{obj.prepare_month:02d}"

    @admin.display(description=_("hạn nộp báo cáo"))
    def due_date(self, obj):
        return f"{obj.due_day:02d}/{obj.due_month:02d}"
