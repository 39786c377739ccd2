"""Poverty standards as effective-dated rows an administrator can correct (STYLE.md rule 5).

Each row holds the whole definition of one standard (lines, indicators, proxy rule, what is provisional)
in the schema of ``households.criteria`` and is validated by it; the pure classification code never
reads the database, it receives ``Standard`` objects built from these rows.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households import criteria


class PovertyStandardQuerySet(models.QuerySet):
    def in_force(self, day=None) -> "PovertyStandardQuerySet":
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class PovertyStandard(models.Model):
    """The multidimensional poverty standard of a period (QĐ 59/2015, NĐ 07/2021, NĐ 351/2025…)."""

    code = models.CharField(_("mã chuẩn"), max_length=20, unique=True)
    name = models.CharField(_("tên chuẩn"), max_length=200)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    provisional = models.BooleanField(
        _("tạm thời"), default=False, help_text=_("Có nội dung chưa đối chiếu được với văn bản chính thức.")
    )
    definition = models.JSONField(
        _("nội dung chuẩn"),
        help_text=_("Chuẩn thu nhập, các chỉ số thiếu hụt và cách tính điểm, theo lược đồ của households.criteria."),
    )
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    objects = PovertyStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuẩn nghèo")
        verbose_name_plural = _("chuẩn nghèo")
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The columns shown in lists mirror the definition, which stays the single source of truth.
        standard = criteria.standard_from_dict(self.definition)
        self.name, self.legal_basis = standard.name, standard.legal_basis
        self.valid_from, self.valid_to, self.provisional = standard.valid_from, standard.valid_to, standard.provisional
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            standard = criteria.standard_from_dict(self.definition or {})
        except ValueError as error:
            raise ValidationError({"definition": str(error)}) from error
        if standard.code != self.code:
            raise ValidationError({"definition": _("Mã chuẩn trong nội dung phải trùng với mã chuẩn.")})
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu áp dụng.")})

    def to_criteria(self) -> "criteria.Standard":
        return criteria.standard_from_dict(self.definition)


class ProvinceIncomeLine(models.Model):
    """A province's higher local poverty line for its own programmes, for a period (NĐ 351/2025 [P])."""

    province = models.ForeignKey(
        "areas.AdministrativeUnit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        limit_choices_to={"level": "province"},
        related_name="+",
    )
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    rural = models.PositiveIntegerField(_("chuẩn nghèo nông thôn (đồng/người/tháng)"))
    urban = models.PositiveIntegerField(_("chuẩn nghèo thành thị (đồng/người/tháng)"))
    legal_basis = models.CharField(_("căn cứ (quyết định, nghị quyết của tỉnh)"), max_length=255)

    class Meta:
        verbose_name = _("chuẩn nghèo riêng của tỉnh")
        verbose_name_plural = _("chuẩn nghèo riêng của tỉnh")
        ordering = ["province", "valid_from"]

    def __str__(self) -> str:
        return f"{self.province} – {self.legal_basis}"
