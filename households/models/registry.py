"""The household registry: households, members, their status history and every change made to them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Collate, Lower, Upper
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q
from core.modeling import LoadedRelationsCleanMixin
from households.choices import (
    EducationLevel,
    Employment,
    HouseholdClass,
    HouseholdState,
    Latrine,
    PovertyCause,
    Relationship,
    Sex,
    WaterSource,
)
from households.expressions import SearchNorm

TRISTATE = [(None, _("Chưa rõ")), (True, _("Có")), (False, _("Không"))]


class EthnicGroup(models.Model):
    """One of the 54 official ethnic groups (TCTK, QĐ 121-TCTK/PPCĐ), loaded by a data migration."""

    code = models.CharField(_("mã"), max_length=2, unique=True)
    name = models.CharField(_("tên dân tộc"), max_length=50)
    is_minority = models.BooleanField(_("dân tộc thiểu số"), default=True)

    class Meta:
        verbose_name = _("dân tộc")
        verbose_name_plural = _("dân tộc")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HouseholdQuerySet":
        """Households of the villages the user may see (accounts.scoping)."""
        return self.filter(unit_scope_q(user, "village"))

    def active(self) -> "HouseholdQuerySet":
        return self.filter(state=HouseholdState.ACTIVE)


class Household(LoadedRelationsCleanMixin, models.Model):
    """A household the commune tracks, with the facts the poverty criteria need and its current class.

    ``version`` increases on every save through the services, so that two officers editing the same
    household cannot overwrite each other (optimistic locking).
    """

    code = models.CharField(_("mã hộ"), max_length=20)
    # No index of its own: ``households_list_idx`` and the code's unique index (Meta) begin with the commune.
    commune = models.ForeignKey(
        "areas.AdministrativeUnit",
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    village = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("thôn, buôn"), on_delete=models.PROTECT, related_name="households"
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    head_name = models.CharField(_("chủ hộ"), max_length=150, editable=False, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    area_type = models.CharField(
        _("khu vực"), max_length=10, choices=[("rural", _("Nông thôn")), ("urban", _("Thành thị"))]
    )
    agricultural = models.BooleanField(
        _("hộ làm nông, lâm, ngư, diêm nghiệp"),
        default=True,
        help_text=_("Chỉ hộ làm nông, lâm, ngư, diêm nghiệp mới được xét hộ có mức sống trung bình."),
    )
    ethnic_minority = models.BooleanField(_("hộ dân tộc thiểu số"), default=False, editable=False)
    meritorious = models.BooleanField(_("hộ có người có công với cách mạng"), default=False)
    social_protection = models.BooleanField(_("hộ có đối tượng bảo trợ xã hội"), default=False)
    no_labour_capacity = models.BooleanField(_("hộ không có khả năng lao động"), default=False)
    poverty_causes = ArrayField(
        models.CharField(max_length=20, choices=PovertyCause.choices),
        verbose_name=_("nguyên nhân nghèo"),
        default=list,
        blank=True,
    )

    # Facts for the deprivation indicators (NĐ 07/2021, Phụ lục; TT 07/2021, Phụ lục IV)
    floor_area_m2 = models.DecimalField(
        _("diện tích nhà ở (m²)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    non_durable_main_parts = models.PositiveSmallIntegerField(
        _("số kết cấu chính không bền chắc"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3)],
        help_text=_("Trong 3 kết cấu chính: tường, cột, mái (0–3)."),
    )
    water_source = models.CharField(_("nguồn nước sinh hoạt"), max_length=30, choices=WaterSource.choices, blank=True)
    latrine = models.CharField(_("loại nhà tiêu"), max_length=30, choices=Latrine.choices, blank=True)
    uses_telecom = models.BooleanField(_("có dùng điện thoại hoặc internet"), null=True, blank=True)
    has_information_device = models.BooleanField(_("có TV, radio, máy tính, điện thoại…"), null=True, blank=True)
    has_loudspeaker_access = models.BooleanField(_("nghe được loa truyền thanh"), null=True, blank=True)
    uses_digital_services = models.BooleanField(_("có sử dụng dịch vụ số"), null=True, blank=True)
    handles_waste = models.BooleanField(_("có thu gom, xử lý rác thải"), null=True, blank=True)
    untreated_illness = models.BooleanField(_("có người ốm không được khám chữa"), null=True, blank=True)

    # Income and the proxy score (TT 07/2021: điểm A)
    income_per_capita = models.PositiveIntegerField(_("thu nhập bình quân (đồng/người/tháng)"), null=True, blank=True)
    score_a = models.PositiveSmallIntegerField(_("điểm A (ước tính thu nhập)"), null=True, blank=True)
    reference_date = models.DateField(_("ngày tham chiếu"), null=True, blank=True)

    # The current classification (a snapshot written by the classification service)
    current_class = models.CharField(_("phân loại hiện tại"), max_length=20, choices=HouseholdClass.choices, blank=True)
    classification = models.JSONField(_("giải thích phân loại"), default=dict, blank=True, editable=False)
    deprived_indicators = ArrayField(
        models.CharField(max_length=30), verbose_name=_("chỉ số thiếu hụt"), default=list, blank=True, editable=False
    )

    state = models.CharField(
        _("trạng thái"), max_length=10, choices=HouseholdState.choices, default=HouseholdState.ACTIVE, editable=False
    )
    archived_reason = models.TextField(_("lý do lưu trữ"), blank=True, editable=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["commune", "code"]
        constraints = [
            # The household code identifies the household in the commune: "irs-001" and "IRS-001" are one code.
            models.UniqueConstraint("commune", Lower("code"), name="households_code_unique_in_commune_ci"),
        ]
        indexes = [
            models.Index(fields=["commune", "state", "current_class"], name="households_list_idx"),
            # The list's order (head's name the Vietnamese way, then code, then id as the tie-break), so a
            # province's page 1 or page 500 walks the index instead of sorting every household.
            # state and village ride along so the rows a deep page skips are read from the index alone.
            models.Index(
                Collate("head_name", "vi-x-icu"),
                F("code"),
                F("id"),
                name="households_name_order_idx",
                include=["state", "village"],
            ),
            # The search box's code prefix: Django's istartswith compares UPPER(code) with LIKE 'X%'.
            models.Index(OpClass(Upper("code"), name="text_pattern_ops"), name="households_code_prefix_idx"),
            # The coverage and bulk lists' order within a village (programs.listing): a page walks the villages in
            # order and each village's active households by code, stopping after the rows the page needs.
            models.Index(
                fields=["village", "code", "id"],
                name="households_village_code_idx",
                condition=Q(state="active"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.head_name}" if self.head_name else self.code

    @property
    def is_archived(self) -> bool:
        return self.state == HouseholdState.ARCHIVED

    @property
    def poverty_cause_labels(self) -> list[str]:
        labels = dict(PovertyCause.choices)
        return [str(labels.get(code, code)) for code in self.poverty_causes]


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MemberQuerySet":
        return self.filter(unit_scope_q(user, "household__village"))

    def current(self) -> "MemberQuerySet":
        return self.filter(left_at__isnull=True)

    def in_family_order(self) -> "MemberQuerySet":
        """The head first, then the others from the eldest (as on the household certificate)."""
        return self.order_by(
            models.Case(models.When(relationship=Relationship.HEAD, then=0), default=1), "date_of_birth", "pk"
        )


class Member(LoadedRelationsCleanMixin, models.Model):
    """A person in a household, with the facts the indicators are derived from."""

    household = models.ForeignKey(Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("ngày sinh"))
    ethnic_group = models.ForeignKey(EthnicGroup, verbose_name=_("dân tộc"), on_delete=models.PROTECT)
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    personal_id_issued_on = models.DateField(_("ngày cấp CCCD/thẻ căn cước"), null=True, blank=True)
    relationship = models.CharField(_("quan hệ với chủ hộ"), max_length=20, choices=Relationship.choices)
    education_level = models.CharField(_("trình độ học vấn"), max_length=20, choices=EducationLevel.choices, blank=True)
    in_school = models.BooleanField(_("đang đi học"), null=True, blank=True)
    health_insurance_number = models.CharField(_("số thẻ BHYT"), max_length=15, blank=True)
    health_insurance_valid_from = models.DateField(_("BHYT có giá trị từ"), null=True, blank=True)
    health_insurance_valid_to = models.DateField(_("BHYT có giá trị đến"), null=True, blank=True)
    able_to_work = models.BooleanField(_("có khả năng lao động"), null=True, blank=True)
    employment = models.CharField(_("việc làm"), max_length=30, choices=Employment.choices, blank=True)
    disability = models.BooleanField(_("khuyết tật"), default=False)
    social_allowance = models.PositiveIntegerField(_("trợ cấp xã hội hằng tháng (đồng)"), null=True, blank=True)
    stunted_or_underweight = models.BooleanField(_("trẻ suy dinh dưỡng"), null=True, blank=True)
    left_at = models.DateField(_("ngày ra khỏi hộ"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The name as the search box compares it ("Ksor H'Linh" -> "ksor hlinh"), stored so that the search rechecks
    # and ranks a column instead of calling the normalising function on every candidate row (ADR 0037). Computed
    # by PostgreSQL on every write, COPY and bulk_create included: no writer has to keep it. A generated field for
    # Django (never written, read back after a save); in the database a plain column kept by a row trigger
    # (migration 0024, ADR 0057), so that the million-household generator can move values it computed once per name.
    search_name = models.GeneratedField(
        expression=SearchNorm("full_name"), output_field=models.TextField(), db_persist=True
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["household", "date_of_birth", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship=Relationship.HEAD, left_at__isnull=True),
                name="households_one_head_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["personal_id"], name="members_personal_id_idx", condition=~Q(personal_id="")),
            # Names are searched in the households' search rows (HouseholdSearch, ADR 0046), which the members'
            # stored ``search_name`` feeds: the members' own name indexes were dropped (migration 0018).
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_head(self) -> bool:
        return self.relationship == Relationship.HEAD


class IndicatorOverride(models.Model):
    """An officer's judgement on one indicator that replaces the value derived from the facts, with a reason."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="indicator_overrides")
    code = models.CharField(_("chỉ số"), max_length=30)
    deprived = models.BooleanField(_("thiếu hụt"))
    reason = models.TextField(_("lý do"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("điều chỉnh chỉ số")
        verbose_name_plural = _("điều chỉnh chỉ số")
        constraints = [models.UniqueConstraint(fields=["household", "code"], name="households_one_override_per_code")]

    def __str__(self) -> str:
        return f"{self.household.code}: {self.code}"


class StatusRecord(models.Model):
    """One period of a household's official class (from, to, the decision behind it).

    Transitions (newly poor, escaped, relapsed) are derived from these rows (households.history),
    never typed by hand (domain.md §2.8).
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="status_records")
    household_class = models.CharField(_("phân loại"), max_length=20, choices=HouseholdClass.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    decision = models.CharField(_("quyết định"), max_length=120, blank=True)
    standard_code = models.CharField(_("chuẩn áp dụng"), max_length=20, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    # The list a unit was on when it started using the portal (imported with the decision that approved it): the
    # start of its history, counted as the balance at the start of the period, never as a movement into the list.
    opening_balance = models.BooleanField(
        _("số liệu đầu kỳ"),
        default=False,
        help_text=_("Danh sách đã được phê duyệt trước khi đơn vị dùng cổng, nhập làm số liệu đầu kỳ."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử phân loại")
        verbose_name_plural = _("lịch sử phân loại")
        ordering = ["household", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(valid_to__isnull=True), name="households_one_open_status"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="households_status_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.code}: {self.get_household_class_display()} từ {self.valid_from:%d/%m/%Y}"


class ChangeEntry(models.Model):
    """Who changed what on a household or one of its members, and when (old → new per field)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    subject = models.CharField(_("đối tượng"), max_length=150)
    action = models.CharField(_("thao tác"), max_length=30)
    changes = models.JSONField(_("nội dung thay đổi"), default=dict)
    note = models.TextField(_("ghi chú"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử thay đổi")
        verbose_name_plural = _("lịch sử thay đổi")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject}: {self.action}"
