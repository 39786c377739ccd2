"""Rules of the review calendar and of approval, as effective-dated rows an administrator edits (STYLE.md rule 5)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewWindow(models.Model):
    """A province's review calendar for one year: the periodic window and the durations of each step.

    The defaults are the national rules; the province's yearly plan (Kế hoạch rà soát) may narrow them.
    """

    province = models.ForeignKey(
        "areas.AdministrativeUnit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        limit_choices_to={"level": "province"},
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm rà soát"))
    # QĐ 24/2021/QĐ-TTg, Điều 3 khoản 1: rà soát định kỳ từ ngày 01/9 đến 14/12 hằng năm
    periodic_start = models.DateField(_("rà soát định kỳ từ ngày"))
    periodic_end = models.DateField(_("rà soát định kỳ đến ngày"))
    # QĐ 24/2021/QĐ-TTg, Điều 3 khoản 2: rà soát thường xuyên hằng tháng, bắt đầu từ ngày 15
    regular_start_day = models.PositiveSmallIntegerField(
        _("rà soát thường xuyên bắt đầu ngày (trong tháng)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # QĐ 24/2021/QĐ-TTg, Điều 5: Chủ tịch UBND xã quyết định trong 15 ngày
    regular_decision_days = models.PositiveSmallIntegerField(
        _("thời hạn quyết định rà soát thường xuyên (ngày)"), default=15
    )
    # domain.md §2.4: niêm yết 3 ngày làm việc, phúc tra 5 ngày làm việc — chưa đối chiếu văn bản [U]
    posting_working_days = models.PositiveSmallIntegerField(_("thời gian niêm yết (ngày làm việc)"), default=3)
    recheck_working_days = models.PositiveSmallIntegerField(_("thời hạn phúc tra (ngày làm việc)"), default=5)
    legal_basis = models.CharField(
        _("căn cứ"), max_length=255, default="Quyết định 24/2021/QĐ-TTg, Điều 3; kế hoạch rà soát của tỉnh"
    )

    class Meta:
        verbose_name = _("lịch rà soát của tỉnh")
        verbose_name_plural = _("lịch rà soát của tỉnh")
        ordering = ["province", "-year"]
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="reviews_one_window_per_year")]

    def __str__(self) -> str:
        return f"{self.province} – {self.year}"

    def clean(self) -> None:
        if self.periodic_start and self.periodic_end and self.periodic_end < self.periodic_start:
            raise ValidationError({"periodic_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})

    @classmethod
    def national_default(cls, province, year: int) -> "ReviewWindow":
        """The window when the province has not set its own: 01/9 – 14/12 (QĐ 24/2021/QĐ-TTg, Điều 3)."""
        return cls(province=province, year=year, periodic_start=date(year, 9, 1), periodic_end=date(year, 12, 14))


class ApprovalChainRule(models.Model):
    """Who must approve a commune's lists in a province from a date on (domain.md §2.4, §4).

    Until 30/6/2025 the commune chairman asked the district chairman's opinion (QĐ 24/2021, Điều 4 bước 5);
    two-tier provinces have no district, and a province may add its own step (NĐ 131/2025 [P]).
    """

    province = models.ForeignKey(
        "areas.AdministrativeUnit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        limit_choices_to={"level": "province"},
        related_name="+",
    )
    valid_from = models.DateField(_("áp dụng từ ngày"))
    district_step = models.BooleanField(
        _("cấp huyện cho ý kiến"),
        default=True,
        help_text=_("Chỉ áp dụng cho xã còn trực thuộc huyện."),
    )
    province_step = models.BooleanField(_("cấp tỉnh duyệt"), default=False)
    legal_basis = models.CharField(_("căn cứ"), max_length=255)

    class Meta:
        verbose_name = _("quy trình duyệt danh sách")
        verbose_name_plural = _("quy trình duyệt danh sách")
        ordering = ["province", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["province", "valid_from"], name="reviews_one_chain_rule_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.province} – {self.valid_from:%d/%m/%Y}"
