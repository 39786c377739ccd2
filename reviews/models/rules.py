"""Rules of the review calendar and of approval, as effective-dated rows an administrator edits (STYLE.md rule 5)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.documents.formatting import long_date
from reviews.choices import DocumentKind, IssuedBy, LegalStatus, LegalTopic


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


class SignatureAuthorityQuerySet(models.QuerySet):
    def for_document(self, kind: str, day: date) -> "SignatureAuthority | None":
        """The row in force on `day`; before the first row, the first row (documents older than the table)."""
        rows = self.filter(document_kind=kind)
        in_force = (
            rows.filter(valid_from__lte=day)
            .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))
            .order_by("-valid_from")
            .first()
        )
        return in_force or rows.order_by("valid_from").first()


class SignatureAuthority(models.Model):
    """Who issues a kind of review document, and so how its signature block reads (NĐ 30/2020/NĐ-CP, Điều 13).

    The commune chairman recognises the lists and certifies the households in his own name (QĐ 24/2021/QĐ-TTg,
    Điều 4 khoản 5: "Chủ tịch Ủy ban nhân dân cấp xã ... quyết định công nhận"), so he signs "CHỦ TỊCH"; what
    the People's Committee issues as a body is signed "TM. ỦY BAN NHÂN DÂN". Who actually signs (the chairman,
    a deputy "KT.", an acting chairman "Q.") is recorded on each document.
    """

    document_kind = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentKind.choices)
    issued_by = models.CharField(_("thẩm quyền ban hành"), max_length=20, choices=IssuedBy.choices)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=255)

    objects = SignatureAuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("thẩm quyền ký văn bản")
        verbose_name_plural = _("thẩm quyền ký văn bản")
        ordering = ["document_kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["document_kind", "valid_from"], name="reviews_one_authority_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.get_document_kind_display()} – {self.valid_from:%d/%m/%Y}"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu áp dụng.")})


# A number and symbol as written in Vietnamese legal texts: "07/2021/NĐ-CP", "24/2021/QĐ-TTg", "72/2025/QH15".
LEGAL_NUMBER = re.compile(r"\b\d{1,4}/\d{4}/[0-9A-Za-zĐđ.\-]+[0-9A-Za-zĐđ]")


class LegalDocumentQuerySet(models.QuerySet):
    def cited_on(self, topic: str, day: date) -> "LegalDocumentQuerySet":
        """The documents of a topic that a document signed on `day` cites (the law then in force)."""
        return (
            self.filter(topic=topic, cited_from__lte=day)
            .filter(models.Q(cited_to__isnull=True) | models.Q(cited_to__gte=day))
            .order_by("signed_on", "pk")
        )


class LegalDocument(models.Model):
    """One legal document the review documents cite, with what a "Căn cứ" line needs: type, number, date,
    issuer and title (NĐ 30/2020/NĐ-CP, Phụ lục I: the first citation of a document gives all of them; a law
    gives its name and date). The poverty standards name their decrees by number; the rest is read here."""

    topic = models.CharField(_("nội dung căn cứ"), max_length=30, choices=LegalTopic.choices)
    kind = models.CharField(_("loại văn bản"), max_length=30, help_text=_("Luật, Nghị định, Quyết định, Thông tư…"))
    number = models.CharField(_("số, ký hiệu"), max_length=40, unique=True, help_text=_("Ví dụ 351/2025/NĐ-CP."))
    signed_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=100, help_text=_("Ví dụ Chính phủ."))
    title = models.CharField(
        _("trích yếu"),
        max_length=500,
        help_text=_("Với luật: tên luật (Tổ chức chính quyền địa phương); với văn bản khác: trích yếu (quy định …)."),
    )
    cited_from = models.DateField(
        _("trích dẫn từ ngày"), help_text=_("Văn bản ký từ ngày này trở đi trích dẫn văn bản này.")
    )
    cited_to = models.DateField(_("trích dẫn đến ngày"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng đối chiếu"), max_length=1, choices=LegalStatus.choices, default=LegalStatus.UNVERIFIED
    )
    source = models.CharField(_("nguồn đối chiếu"), max_length=300, blank=True)

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản làm căn cứ")
        verbose_name_plural = _("văn bản làm căn cứ")
        ordering = ["topic", "signed_on"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"

    def clean(self) -> None:
        if self.cited_from and self.cited_to and self.cited_to < self.cited_from:
            raise ValidationError({"cited_to": _("Ngày kết thúc phải sau ngày bắt đầu trích dẫn.")})
        if self.number and not LEGAL_NUMBER.fullmatch(self.number.strip()):
            raise ValidationError({"number": _("Số, ký hiệu viết như 351/2025/NĐ-CP.")})

    def citation(self) -> str:
        """ "Nghị định số 351/2025/NĐ-CP ngày 30 tháng 12 năm 2025 của Chính phủ quy định …"; a law by its name
        and date: "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"."""
        when = long_date(self.signed_on)
        if self.kind.strip().lower() == "luật":
            return f"Luật {self.title.strip()} {when}"
        return f"{self.kind.strip()} số {self.number.strip()} {when} của {self.issuer.strip()} {self.title.strip()}"
