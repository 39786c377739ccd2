"""Support programmes (a catalogue kept as effective-dated data) and the benefits households and members received.

One ``Benefit`` table holds every kind of support so that the report figures are one grouped query; the fields
a kind needs (loan terms, card numbers, housing sources, course data…) are columns left empty for the other
kinds, and ``Benefit.clean`` requires exactly the ones of the programme's kind (``KIND_FIELDS``).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q

from . import eligibility
from .choices import (
    Beneficiary,
    BenefitUnit,
    EntrustingOrganisation,
    HouseholdFlag,
    HousingWork,
    LogAction,
    ProgrammeKind,
    TargetStatus,
)

SOURCE_TAGS = [
    ("V", _("[V] đã đối chiếu văn bản")),
    ("P", _("[P] đối chiếu một phần")),
    ("U", _("[U] chưa kiểm chứng")),
]
NOT_NEGATIVE = [MinValueValidator(0)]


class ProgrammeQuerySet(models.QuerySet):
    def in_force(self, day=None) -> "ProgrammeQuerySet":
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Programme(models.Model):
    """One support policy: who may receive it, since when and until when, on what legal basis, in what unit.

    Amounts and rates that change (interest rates, ceilings, housing norms, the tier-1 electricity price…) sit in
    ``parameters`` as ``{key: {"label", "value", "unit", "tag"}}`` so that an administrator corrects them in the
    Django admin; ``tag`` repeats the verification tag of domain.md ([V]/[P]/[U]).
    """

    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên chương trình, chính sách"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=80)
    # English labels of the data (ADR 0019): shown when the interface is in English, Vietnamese when empty.
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    short_name_en = models.CharField(_("tên ngắn tiếng Anh"), max_length=80, blank=True)
    kind = models.CharField(_("loại hỗ trợ"), max_length=20, choices=ProgrammeKind.choices)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    managing_agency = models.CharField(_("cơ quan quản lý, thực hiện"), max_length=200)
    beneficiary = models.CharField(_("đối tượng nhận"), max_length=10, choices=Beneficiary.choices)
    unit = models.CharField(_("đơn vị tính"), max_length=10, choices=BenefitUnit.choices)
    eligible_statuses = ArrayField(
        models.CharField(max_length=20, choices=TargetStatus.choices),
        verbose_name=_("phân loại hộ được hưởng"),
        default=list,
        blank=True,
        help_text=_("Để trống nếu chính sách không giới hạn theo phân loại hộ."),
    )
    recently_escaped_years = models.PositiveSmallIntegerField(
        _("số năm tính là hộ mới thoát nghèo"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    also_eligible_flags = ArrayField(
        models.CharField(max_length=30, choices=HouseholdFlag.choices),
        verbose_name=_("các hộ khác được hưởng"),
        default=list,
        blank=True,
    )
    once_per_beneficiary = models.BooleanField(_("mỗi người chỉ được hỗ trợ một lần"), default=False)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    parameters = models.JSONField(_("định mức, lãi suất, mức hỗ trợ"), default=dict, blank=True)
    source_tag = models.CharField(_("mức kiểm chứng"), max_length=1, choices=SOURCE_TAGS, default="P")
    note = models.TextField(_("ghi chú"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("chương trình, chính sách hỗ trợ")
        verbose_name_plural = _("chương trình, chính sách hỗ trợ")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name="programs_range"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for key, item in (self.parameters or {}).items():
            if not isinstance(item, dict) or "value" not in item or "label" not in item:
                raise ValidationError(
                    {"parameters": _("Mỗi định mức cần có “label” và “value” (mục “%(key)s”).") % {"key": key}}
                )

    def parameter(self, key: str, default=None):
        item = (self.parameters or {}).get(key)
        return item.get("value", default) if isinstance(item, dict) else default

    def rule(self) -> eligibility.Rule:
        return eligibility.Rule(
            code=self.code,
            name=self.name,
            legal_basis=self.legal_basis,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            eligible_statuses=frozenset(self.eligible_statuses),
            recently_escaped_years=self.recently_escaped_years,
            also_flags=frozenset(self.also_eligible_flags),
            once_per_beneficiary=self.once_per_beneficiary,
        )

    @property
    def is_member_level(self) -> bool:
        return self.beneficiary == Beneficiary.MEMBER

    def eligible_labels(self) -> list[str]:
        labels = dict(TargetStatus.choices) | dict(HouseholdFlag.choices)
        return [str(labels[c]) for c in [*self.eligible_statuses, *self.also_eligible_flags] if c in labels]


# The fields each kind of benefit carries; the first group is required, the second optional.
KIND_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ProgrammeKind.CREDIT: (
        ("amount", "loan_term_months", "interest_rate"),
        ("outstanding", "overdue", "entrusting_organisation", "savings_group", "purpose"),
    ),
    ProgrammeKind.HEALTH_INSURANCE: (("card_number", "card_valid_from", "card_valid_to", "funding_share"), ("amount",)),
    ProgrammeKind.HOUSING: (
        ("housing_work",),
        (
            "amount_central",
            "amount_local",
            "amount_mobilised",
            "amount_household",
            "started_on",
            "finished_on",
            "accepted_on",
        ),
    ),
    ProgrammeKind.TRAINING: (
        ("course_name", "occupation", "course_start", "course_end"),
        ("amount", "certificate", "employed_after"),
    ),
    ProgrammeKind.ELECTRICITY: (("period_year", "period_quarter", "amount"), ()),
    ProgrammeKind.EDUCATION: (("amount",), ("school_year",)),
    ProgrammeKind.LIVELIHOOD: ((), ("amount", "item_description", "quantity")),
    ProgrammeKind.WATER_SANITATION: ((), ("amount", "item_description")),
    ProgrammeKind.IN_KIND: (("quantity", "persons"), ("item_description",)),
    ProgrammeKind.OTHER: (("amount",), ("item_description",)),
}
KIND_SPECIFIC = sorted({name for required, optional in KIND_FIELDS.values() for name in (*required, *optional)})
HOUSING_SOURCES = ("amount_central", "amount_local", "amount_mobilised", "amount_household")


class BenefitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BenefitQuerySet":
        """A benefit is visible exactly when its household is (accounts.scoping)."""
        return self.filter(unit_scope_q(user, "household__village"))

    def between(self, start, end) -> "BenefitQuerySet":
        return self.filter(date__gte=start, date__lte=end)

    def active(self) -> "BenefitQuerySet":
        """Records that count: a cancelled record stays for the audit trail but is left out of every figure,
        list, coverage view, export and uniqueness rule."""
        return self.filter(cancelled_at__isnull=True)


class Benefit(models.Model):
    """Support one household (or one of its members) received under a programme on a date.

    ``household_status`` is the household's official status on ``date`` (from its status history), written when
    the record is saved, so that reports count the group the household belonged to at the time.
    A benefit recorded although the rule says "not eligible" carries the officer's reason (``override_*``).
    """

    # Neither key has an index of its own: ``programs_benefit_prog_date_id`` and ``programs_benefit_hh_date`` (Meta)
    # begin with them and serve every look-up by the key alone (a third index to keep up on every write).
    programme = models.ForeignKey(
        Programme, verbose_name=_("chương trình"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="benefits", db_index=False
    )
    member = models.ForeignKey(
        "households.Member",
        verbose_name=_("thành viên"),
        on_delete=models.PROTECT,
        related_name="benefits",
        null=True,
        blank=True,
    )
    date = models.DateField(_("ngày hỗ trợ"), help_text=_("Ngày giải ngân, cấp thẻ, chi trả hoặc bắt đầu hỗ trợ."))
    decision = models.CharField(_("quyết định, chứng từ"), max_length=150, blank=True)
    funder = models.CharField(
        _("đơn vị hỗ trợ, nguồn kinh phí"),
        max_length=150,
        blank=True,
        help_text=_(
            "Ví dụ: Quỹ cứu trợ thiên tai tỉnh, Quỹ Vì người nghèo huyện, Hội Liên hiệp Phụ nữ huyện, "
            "Ủy ban MTTQ huyện. Báo cáo cộng số liệu theo ô này."
        ),
    )
    household_status = models.CharField(
        _("phân loại hộ tại ngày hỗ trợ"), max_length=20, choices=TargetStatus.choices, editable=False
    )
    status_decision = models.CharField(_("quyết định công nhận"), max_length=120, blank=True, editable=False)
    amount = models.BigIntegerField(_("số tiền (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)])
    quantity = models.DecimalField(
        _("số lượng"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    persons = models.PositiveSmallIntegerField(_("số khẩu"), null=True, blank=True)
    item_description = models.CharField(_("nội dung, hiện vật"), max_length=200, blank=True)
    # credit (domain.md §7.1)
    loan_term_months = models.PositiveSmallIntegerField(
        _("thời hạn vay (tháng)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    interest_rate = models.DecimalField(
        _("lãi suất (%/năm)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    outstanding = models.BigIntegerField(_("dư nợ (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)])
    overdue = models.BigIntegerField(_("nợ quá hạn (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)])
    entrusting_organisation = models.CharField(
        _("tổ chức nhận uỷ thác"), max_length=20, choices=EntrustingOrganisation.choices, blank=True
    )
    savings_group = models.CharField(_("tổ tiết kiệm và vay vốn"), max_length=150, blank=True)
    purpose = models.CharField(_("mục đích vay"), max_length=150, blank=True)
    # health insurance (domain.md §7.2)
    card_number = models.CharField(_("số thẻ BHYT"), max_length=15, blank=True)
    card_valid_from = models.DateField(_("thẻ có giá trị từ"), null=True, blank=True)
    card_valid_to = models.DateField(_("thẻ có giá trị đến"), null=True, blank=True)
    funding_share = models.PositiveSmallIntegerField(
        _("mức ngân sách hỗ trợ (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    # housing (domain.md §7.3)
    housing_work = models.CharField(_("hình thức"), max_length=10, choices=HousingWork.choices, blank=True)
    amount_central = models.BigIntegerField(_("ngân sách trung ương (đồng)"), default=0, validators=NOT_NEGATIVE)
    amount_local = models.BigIntegerField(_("ngân sách địa phương (đồng)"), default=0, validators=NOT_NEGATIVE)
    amount_mobilised = models.BigIntegerField(_("huy động, xã hội hoá (đồng)"), default=0, validators=NOT_NEGATIVE)
    amount_household = models.BigIntegerField(_("hộ đối ứng (đồng)"), default=0, validators=NOT_NEGATIVE)
    started_on = models.DateField(_("ngày khởi công"), null=True, blank=True)
    finished_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    accepted_on = models.DateField(_("ngày nghiệm thu"), null=True, blank=True)
    # vocational training (domain.md §7.4)
    course_name = models.CharField(_("lớp, khoá học"), max_length=150, blank=True)
    occupation = models.CharField(_("nghề đào tạo"), max_length=100, blank=True)
    course_start = models.DateField(_("ngày khai giảng"), null=True, blank=True)
    course_end = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    certificate = models.CharField(_("số chứng chỉ"), max_length=50, blank=True)
    employed_after = models.BooleanField(_("có việc làm sau học nghề"), null=True, blank=True)
    # electricity (domain.md §7.5) and education
    period_year = models.PositiveSmallIntegerField(
        _("năm"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period_quarter = models.PositiveSmallIntegerField(
        _("quý"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    school_year = models.CharField(_("năm học"), max_length=9, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    # eligibility at recording time
    eligible = models.BooleanField(_("đúng đối tượng"), default=True, editable=False)
    eligibility_note = models.TextField(_("kết quả kiểm tra đối tượng"), blank=True, editable=False)
    override_reason = models.TextField(_("lý do ghi nhận ngoài điều kiện"), blank=True, editable=False)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận ngoài điều kiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    override_at = models.DateTimeField(_("thời điểm ghi nhận ngoài điều kiện"), null=True, blank=True, editable=False)
    # cancellation: a wrongly recorded benefit is voided with a reason, never deleted
    cancelled_at = models.DateTimeField(_("huỷ lúc"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người huỷ"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    cancel_reason = models.TextField(_("lý do huỷ"), blank=True, editable=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BenefitQuerySet.as_manager()

    class Meta:
        verbose_name = _("khoản hỗ trợ")
        verbose_name_plural = _("khoản hỗ trợ")
        ordering = ["-date", "-pk"]
        permissions = [("override_eligibility", _("Được ghi nhận hỗ trợ ngoài điều kiện (có lý do)"))]
        indexes = [
            # A programme's records newest first, ties by id, read along the index to the page (migration 0020).
            models.Index(fields=["programme", "date", "id"], name="programs_benefit_prog_date_id"),
            models.Index(fields=["household", "date"], name="programs_benefit_hh_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "household", "period_year", "period_quarter"],
                condition=Q(period_quarter__isnull=False, cancelled_at__isnull=True),
                name="programs_one_payment_per_quarter",
                violation_error_message=_("Hộ đã được ghi nhận khoản chi trả của chính sách này trong quý đó."),
            ),
            models.UniqueConstraint(
                fields=["programme", "card_number", "card_valid_from"],
                condition=~Q(card_number="") & Q(cancelled_at__isnull=True),
                name="programs_card_once",
                violation_error_message=_("Thẻ BHYT số này, cùng ngày bắt đầu, đã được ghi nhận."),
            ),
        ]

    def __str__(self) -> str:
        who = self.member.full_name if self.member_id else self.household.code
        return f"{self.programme.short_name} – {who} ({self.date:%d/%m/%Y})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)

    @property
    def housing_total(self) -> int:
        return sum(getattr(self, name) or 0 for name in HOUSING_SOURCES)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        programme = self.programme if self.programme_id else None
        if programme is None:
            return
        if self.member_id and self.household_id and self.member.household_id != self.household_id:
            errors.setdefault("member", []).append(_("Người này không thuộc hộ đã chọn."))
        if programme.is_member_level and not self.member_id:
            errors.setdefault("member", []).append(_("Chính sách này hỗ trợ từng người: hãy chọn thành viên."))
        required, optional = KIND_FIELDS.get(programme.kind, ((), ()))
        for name in required:
            if getattr(self, name) in (None, ""):
                errors.setdefault(name, []).append(
                    _("Thông tin này bắt buộc với loại hỗ trợ %(kind)s.")
                    % {"kind": programme.get_kind_display().lower()}
                )
        for start, end in (
            ("card_valid_from", "card_valid_to"),
            ("course_start", "course_end"),
            ("started_on", "finished_on"),
            ("finished_on", "accepted_on"),
        ):
            a, b = getattr(self, start), getattr(self, end)
            if a and b and b < a:
                label = self._meta.get_field(start).verbose_name
                errors.setdefault(end, []).append(_("Ngày này phải sau hoặc bằng “%(label)s”.") % {"label": label})
        if self.outstanding is not None and self.amount is not None and self.outstanding > self.amount:
            errors.setdefault("outstanding", []).append(_("Dư nợ không thể lớn hơn số tiền vay."))
        if self.overdue is not None and self.outstanding is not None and self.overdue > self.outstanding:
            errors.setdefault("overdue", []).append(_("Nợ quá hạn không thể lớn hơn dư nợ."))
        if programme.kind == ProgrammeKind.CREDIT:
            # The ceilings are catalogue parameters (domain.md §7.1; NĐ 06/2026/NĐ-CP: loan sizes and terms per
            # programme), e.g. 100 million VND per poor household, 60 months for recently escaped households.
            ceiling, longest = programme.parameter("max_amount"), programme.parameter("max_term_months")
            if ceiling is not None and self.amount is not None and self.amount > ceiling:
                errors.setdefault("amount", []).append(
                    _("Số tiền vay vượt mức cho vay tối đa %(ceiling)s đồng của %(programme)s (%(basis)s).")
                    % {
                        "ceiling": f"{int(ceiling):,}".replace(",", "."),
                        "programme": programme.short_name,
                        "basis": programme.legal_basis,
                    }
                )
            if longest is not None and self.loan_term_months is not None and self.loan_term_months > longest:
                errors.setdefault("loan_term_months", []).append(
                    _("Thời hạn vay dài hơn mức tối đa %(months)s tháng của %(programme)s (%(basis)s).")
                    % {"months": int(longest), "programme": programme.short_name, "basis": programme.legal_basis}
                )
        if programme.kind == ProgrammeKind.HOUSING and not self.housing_total:
            errors.setdefault("amount_central", []).append(_("Hãy ghi số tiền hỗ trợ theo ít nhất một nguồn."))
        if programme.kind in (ProgrammeKind.LIVELIHOOD, ProgrammeKind.WATER_SANITATION) and not (
            self.amount or self.item_description
        ):
            errors.setdefault("amount", []).append(_("Hãy ghi số tiền hoặc nội dung hiện vật được hỗ trợ."))
        if self.card_number and not self.card_number.isalnum():
            errors.setdefault("card_number", []).append(_("Số thẻ BHYT chỉ gồm chữ và số, ví dụ HN2640012345678."))
        if self.period_quarter and self.period_year and self.date and self.date.year < self.period_year:
            errors.setdefault("date", []).append(_("Ngày chi trả không thể trước năm của quý được chi trả."))
        if errors:
            raise ValidationError(errors)

    def unit_amount(self) -> int | None:
        if self.programme.kind == ProgrammeKind.HOUSING:
            return self.housing_total
        return self.amount


def photo_path(instance: "BenefitPhoto", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return f"programs/{instance.benefit.household.commune_id}/{instance.benefit_id}/{stamp}.{suffix}"


class BenefitPhoto(models.Model):
    """A photo of a supported work (a house before, during and after), kept as evidence."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("ảnh"), upload_to=photo_path)
    caption = models.CharField(_("chú thích"), max_length=150, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải ảnh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ảnh công trình")
        verbose_name_plural = _("ảnh công trình")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class BenefitLog(models.Model):
    """Who recorded or changed a benefit, when, what changed, and the reason of an override."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("thao tác"), max_length=20, choices=LogAction.choices)
    changes = models.JSONField(_("nội dung thay đổi"), default=dict, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhật ký khoản hỗ trợ")
        verbose_name_plural = _("nhật ký khoản hỗ trợ")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.benefit_id}: {self.action}"


class SupportSummaryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SupportSummaryQuerySet":
        return self.filter(unit_scope_q(user, "commune"))


class SupportSummary(models.Model):
    """One commune's support figures for one period, as additive parts (programs.figures.grouped_parts restricted
    to that commune, plain JSON) that a district's or province's figures add up and finish (docs/adr/0040).
    Database triggers (migration 0010) append a ``SupportStale`` mark in the transaction of any change the parts
    count; programs.summary recomputes marked communes."""

    commune = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("xã"), on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    data = models.JSONField(_("số liệu"), default=dict)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    computed_at = models.DateTimeField(_("tổng hợp lúc"))

    objects = SupportSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu hỗ trợ tổng hợp của xã")
        verbose_name_plural = _("số liệu hỗ trợ tổng hợp của xã")
        ordering = ["commune", "-period_end", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "period_start", "period_end"], name="programs_one_support_summary_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune_id}: {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"


class SupportStale(models.Model):
    """A commune whose support figures changed after its rows were computed: appended by the database triggers in
    the changing transaction; the refresh deletes the marks it read before computing, so a mark committed while it
    ran stays for the next one."""

    id = models.BigAutoField(primary_key=True)
    commune = models.ForeignKey(
        "areas.AdministrativeUnit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("xã chờ tổng hợp lại số liệu hỗ trợ")
        verbose_name_plural = _("xã chờ tổng hợp lại số liệu hỗ trợ")

    def __str__(self) -> str:
        return f"{self.commune_id} @ {self.marked_at:%d/%m/%Y %H:%M}"


class ElectricityQuarter(models.Model):
    """A quarter of an electricity programme whose entitled and paid households are kept per village
    (``ElectricityCount``; programs.electricity, docs/adr/0053). The list's totals read the counts
    only for a quarter that has this row; any other quarter is counted live."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    period_year = models.PositiveSmallIntegerField()
    period_quarter = models.PositiveSmallIntegerField()
    day = models.DateField()  # the quarter's last day: the status in force on it (QĐ 28/2014, Điều 3 khoản 7)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("quý tiền điện được đếm sẵn")
        verbose_name_plural = _("quý tiền điện được đếm sẵn")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period_year", "period_quarter"], name="programs_one_electricity_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.period_quarter}/{self.period_year}"


class ElectricityCountQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ElectricityCountQuerySet":
        """The counts of the villages the user may see (accounts.scoping), as ``Household.visible_to``."""
        return self.filter(unit_scope_q(user, "village"))


class ElectricityCount(models.Model):
    """A change of the entitled (``households``) and paid households of a village in a counted quarter: appended by
    the database triggers (migration 0013) in the transaction of the change, so that the rows of a quarter add up to
    the live count in any snapshot; ``programs.electricity`` folds them into one row per village now and then."""

    id = models.BigAutoField(primary_key=True)
    programme = models.ForeignKey(Programme, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    period_year = models.PositiveSmallIntegerField()
    period_quarter = models.PositiveSmallIntegerField()
    village = models.ForeignKey(
        "areas.AdministrativeUnit", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    households = models.IntegerField()
    paid = models.IntegerField()

    objects = ElectricityCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("số hộ tiền điện của thôn")
        verbose_name_plural = _("số hộ tiền điện của thôn")
        indexes = [
            models.Index(
                fields=["programme", "period_year", "period_quarter", "village"],
                include=["households", "paid"],
                name="programs_electricity_count_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.period_quarter}/{self.period_year}: {self.households} ({self.paid})"


class SupportYear(models.Model):
    """A household with a benefit that counts (not cancelled) dated in a year: written by database triggers on the
    benefits (migration 0016; programs.support_year, docs/adr/0054) in the changing transaction. A row never claims
    support the household does not have; one may be missing for a while after a cancellation (the household is then
    checked again on its benefits) until the nightly rebuild. The list of the poor households without support in a
    year reads "has support" here, one index range per year, instead of looking up every poor household's benefits."""

    id = models.BigAutoField(primary_key=True)
    year = models.SmallIntegerField()
    household = models.ForeignKey(
        "households.Household", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    class Meta:
        db_table = "programs_support_year"
        verbose_name = _("hộ có hỗ trợ trong năm")
        verbose_name_plural = _("hộ có hỗ trợ trong năm")
        indexes = [models.Index(fields=["year", "household"], name="programs_support_year_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"
