"""Periodic reports (báo cáo định kỳ) of a reporting unit, the indicators typed for them, the issuer's register
of numbers, the deadlines that prepare drafts, and the log of every download.

A report is computed from the records (``figures``, a JSON snapshot) and written by staff (``narrative``, one
text per section); its three files are rendered from both. Once finalised it carries a number from the issuer's
yearly register and its figures and files never change again: a correction is a new version that supersedes it
(NĐ 30/2020/NĐ-CP, Điều 8 for the form; TT 10/2022/TT-BLĐTBXH for the calendar; domain.md §3, §5).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q


class ReportKind(models.TextChoices):
    SIX_MONTH = "six_month", _("Báo cáo 6 tháng")
    YEAR_END = "year_end", _("Báo cáo năm")
    REVIEW_RESULTS = "review_results", _("Biểu tổng hợp kết quả rà soát")
    EMULATION_SUMMARY = "emulation_summary", _("Báo cáo sơ kết, tổng kết phong trào thi đua")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    FINALISED = "finalised", _("Đã ban hành")
    SUPERSEDED = "superseded", _("Đã được thay thế")


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"
    ZIP = "zip", "ZIP"


class PeriodicReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> PeriodicReportQuerySet:
        """Reports of the reporting units inside the user's unit (accounts.scoping: the one choke point)."""
        return self.filter(unit_scope_q(user, "unit"))


def report_file_path(report: PeriodicReport, filename: str) -> str:
    return f"reports/{report.unit_id}/{report.period_start:%Y}/{report.pk or 'new'}/{filename}"


class PeriodicReport(models.Model):
    """One version of one report of a reporting unit for a period."""

    unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị báo cáo"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("loại báo cáo"), max_length=20, choices=ReportKind.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    status = models.CharField(_("trạng thái"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)

    # The document's own fields (NĐ 30/2020, Điều 8): number and date are given when it is finalised.
    number = models.CharField(_("số, ký hiệu"), max_length=40, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    abstract = models.CharField(_("trích yếu"), max_length=300, blank=True)
    recipients = models.TextField(_("kính gửi"), blank=True, help_text=_("Mỗi dòng một nơi."))
    distribution = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi; dòng cuối “Lưu: VT, …”."))
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=120, blank=True)

    figures = models.JSONField(_("số liệu"), default=dict, blank=True)
    narrative = models.JSONField(_("nội dung"), default=dict, blank=True)
    figures_computed_at = models.DateTimeField(_("thời điểm tính số liệu"), null=True, blank=True)

    pdf_file = models.FileField(_("tệp PDF"), upload_to=report_file_path, blank=True, max_length=255)
    docx_file = models.FileField(_("tệp DOCX"), upload_to=report_file_path, blank=True, max_length=255)
    xlsx_file = models.FileField(_("tệp XLSX"), upload_to=report_file_path, blank=True, max_length=255)
    files_rendered_at = models.DateTimeField(_("thời điểm tạo tệp"), null=True, blank=True)

    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("thay thế báo cáo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    job = models.ForeignKey(
        "core.JobRun", verbose_name=_("công việc tạo báo cáo"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # Empty for a draft the reporting calendar prepared (reports.schedule): nobody asked for it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ban hành"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    finalised_at = models.DateTimeField(_("thời điểm ban hành"), null=True, blank=True)

    objects = PeriodicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        ordering = ["-period_end", "unit__path", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period_start", "period_end", "version"], name="reports_one_version_number"
            ),
            # Two generations of the same report at once make one draft, not two.
            models.UniqueConstraint(
                fields=["unit", "kind", "period_start", "period_end"],
                condition=Q(status="draft"),
                name="reports_one_draft_per_period",
            ),
            models.UniqueConstraint(
                fields=["unit", "kind", "period_start", "period_end"],
                condition=Q(status="finalised"),
                name="reports_one_finalised_per_period",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="reports_period_range"),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(number="") & Q(issued_on__isnull=False)),
                name="reports_finalised_has_number",
            ),
        ]
        indexes = [models.Index(fields=["kind", "period_start", "period_end", "status"], name="reports_period_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} ({self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y})"


class ReportDownload(models.Model):
    """Who downloaded which file of which report, and when (every download is logged)."""

    report = models.ForeignKey(
        PeriodicReport, verbose_name=_("báo cáo"), on_delete=models.CASCADE, related_name="downloads"
    )
    file_kind = models.CharField(_("loại tệp"), max_length=8, choices=FileKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    downloaded_at = models.DateTimeField(_("thời điểm tải"), auto_now_add=True)
    address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt tải báo cáo")
        verbose_name_plural = _("lượt tải báo cáo")
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.report} {self.file_kind} {self.downloaded_at:%d/%m/%Y %H:%M}"


class DocumentRegister(models.Model):
    """The issuer's yearly register of outgoing documents of one symbol ("BC-UBND"): numbers restart each year
    (NĐ 30/2020, Điều 15: số của văn bản được ghi liên tục từ số 01 vào ngày 01 tháng 01 …)."""

    unit = models.ForeignKey("areas.AdministrativeUnit", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("năm"))
    symbol = models.CharField(_("ký hiệu"), max_length=30)
    last_number = models.PositiveIntegerField(_("số đã cấp gần nhất"), default=0)

    class Meta:
        verbose_name = _("sổ đăng ký văn bản đi")
        verbose_name_plural = _("sổ đăng ký văn bản đi")
        constraints = [models.UniqueConstraint(fields=["unit", "year", "symbol"], name="reports_one_register")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.symbol}: {self.last_number}"


class ReportSection(models.TextChoices):
    """Where a typed indicator appears in the report (the order of report 209/BC-UBND, I.1–I.3.8)."""

    DIRECTION = "direction", _("Công tác chỉ đạo điều hành")
    COMMUNICATION = "communication", _("Công tác tuyên truyền")
    CREDIT = "credit", _("Các chương trình tín dụng")
    HEALTH = "health", _("Hỗ trợ về y tế, khám chữa bệnh")
    EDUCATION = "education", _("Hỗ trợ về giáo dục đào tạo")
    HOUSING = "housing", _("Hỗ trợ nhà ở")
    WATER_SANITATION = "water_sanitation", _("Hỗ trợ nước sinh hoạt, vệ sinh môi trường")
    PRODUCTION = "production", _("Hỗ trợ phát triển sản xuất")
    TRAINING = "training", _("Đào tạo nghề, giải quyết việc làm")
    EXTENSION = "extension", _("Khuyến nông, định canh định cư")
    OTHER = "other", _("Chính sách trợ giúp khác")


class IndicatorDefinition(models.Model):
    """A figure the records cannot give (a budget, classes opened, broadcasts, insured visits…): typed per unit and
    period, shown in the report as entered, with its source. Administrators add and retire definitions."""

    code = models.SlugField(_("mã chỉ tiêu"), max_length=60, unique=True)
    label = models.CharField(_("tên chỉ tiêu"), max_length=255)
    measure = models.CharField(_("đơn vị tính"), max_length=40, help_text=_("Ví dụ: lớp, người, tin bài, đồng."))
    section = models.CharField(_("mục của báo cáo"), max_length=30, choices=ReportSection.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=0, validators=[MaxValueValidator(4)])
    help_text = models.CharField(_("hướng dẫn nhập"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("chỉ tiêu nhập tay")
        verbose_name_plural = _("chỉ tiêu nhập tay")
        ordering = ["section", "order", "code"]

    def __str__(self) -> str:
        return f"{self.label} ({self.measure})"


class IndicatorValueQuerySet(models.QuerySet):
    def visible_to(self, user) -> IndicatorValueQuerySet:
        return self.filter(unit_scope_q(user, "unit"))


class IndicatorValue(models.Model):
    """The value of a typed indicator for a unit and period, with where it comes from and who entered it."""

    definition = models.ForeignKey(
        IndicatorDefinition, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="values"
    )
    unit = models.ForeignKey("areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4, validators=[MinValueValidator(0)])
    source = models.CharField(
        _("nguồn số liệu"), max_length=255, help_text=_("Ví dụ: Báo cáo của Trung tâm Văn hóa – Thông tin huyện.")
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("thời điểm nhập"), auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu nhập tay")
        verbose_name_plural = _("số liệu nhập tay")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "unit", "period_start", "period_end"], name="reports_one_indicator_value"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="reports_indicator_period_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.label}: {self.value}"


class ReportDeadline(models.Model):
    """When a report kind is due and when drafts are prepared for every reporting unit (TT 10/2022/TT-BLĐTBXH,
    Điều 5: 6-month report before 1 June, annual report before 1 December). Data administrators edit, read each
    day by the beat task that prepares drafts (docs/adr/0025)."""

    kind = models.CharField(_("loại báo cáo"), max_length=20, choices=ReportKind.choices)
    name = models.CharField(_("tên"), max_length=120)
    period_start_month = models.PositiveSmallIntegerField(
        _("tháng đầu kỳ"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    period_end_month = models.PositiveSmallIntegerField(
        _("tháng cuối kỳ"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    due_month = models.PositiveSmallIntegerField(
        _("tháng hạn nộp"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    due_day = models.PositiveSmallIntegerField(
        _("ngày hạn nộp"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    prepare_month = models.PositiveSmallIntegerField(
        _("tháng tạo dự thảo"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    prepare_day = models.PositiveSmallIntegerField(
        _("ngày tạo dự thảo"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("lịch báo cáo")
        verbose_name_plural = _("lịch báo cáo")
        ordering = ["due_month", "due_day", "kind"]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_day:02d}/{self.due_month:02d})"
