"""Poverty-reduction targets, households registered to escape poverty, and the population behind the rates.

Report 209/BC-UBND of Krông Pa (15/06/2021) shows the yearly cycle these rows follow: the district assigns
each commune a target (households to escape, poverty-rate reduction) by decision, revises it when the province
raises its own target, communes register the households that will try to escape poverty this year and assign a
cadre to help each one, and everybody follows progress against the target.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class UnitPopulationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UnitPopulationQuerySet":
        return self.filter(unit_scope_q(user, "unit"))


class UnitPopulation(models.Model):
    """The number of resident households (and persons) of a unit, in force from a year until the next record.

    The denominator of every rate: tỷ lệ hộ nghèo = số hộ nghèo / tổng số hộ dân cư × 100 (TT 17/2016, Mẫu số 3;
    domain.md §3.1 [P]). The registry only holds the households the commune tracks, so the total comes from the
    commune's statistics and is entered here; the latest record with ``year`` ≤ the reported year applies.
    """

    unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="populations"
    )
    year = models.PositiveSmallIntegerField(_("năm"), validators=YEAR_VALIDATORS)
    households = models.PositiveIntegerField(_("tổng số hộ dân cư"), validators=[MinValueValidator(1)])
    persons = models.PositiveIntegerField(_("tổng số nhân khẩu"), null=True, blank=True)
    source = models.CharField(
        _("nguồn số liệu"),
        max_length=255,
        help_text=_("Ví dụ: Báo cáo thống kê dân số 31/12/2025 của UBND xã; Quyết định công nhận kết quả rà soát."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    objects = UnitPopulationQuerySet.as_manager()

    class Meta:
        verbose_name = _("số hộ dân cư của đơn vị")
        verbose_name_plural = _("số hộ dân cư của đơn vị")
        ordering = ["unit", "-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="households_one_population_per_year")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.year}: {self.households}"

    def clean(self) -> None:
        if self.persons is not None and self.households and self.persons < self.households:
            raise ValidationError({"persons": _("Số nhân khẩu không thể ít hơn số hộ.")})


class PovertyTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PovertyTargetQuerySet":
        return self.filter(unit_scope_q(user, "unit"))


class PovertyTarget(models.Model):
    """The yearly poverty-reduction target of a commune (or a district), assigned by the level above by decision.

    Kept as one row per unit and year; each revision (a new decision raising or lowering the target, as in
    report 209/BC-UBND) is appended to ``revisions`` so the previous figures and their legal basis stay visible.
    """

    unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="poverty_targets"
    )
    year = models.PositiveSmallIntegerField(_("năm"), validators=YEAR_VALIDATORS)
    households_to_escape = models.PositiveIntegerField(_("số hộ thoát nghèo (chỉ tiêu)"))
    rate_reduction = models.DecimalField(
        _("mức giảm tỷ lệ hộ nghèo (điểm %)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    legal_basis = models.CharField(
        _("căn cứ giao chỉ tiêu"),
        max_length=255,
        help_text=_("Số, ngày quyết định hoặc kế hoạch giao chỉ tiêu, ví dụ Quyết định số 146/QĐ-UBND ngày 22/3/2021."),
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    revisions = models.JSONField(_("các lần điều chỉnh"), default=list, blank=True, editable=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("cập nhật lần cuối"), auto_now=True)

    objects = PovertyTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu giảm nghèo")
        verbose_name_plural = _("chỉ tiêu giảm nghèo")
        ordering = ["-year", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="households_one_target_per_year")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.year}"


class EscapeRegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Đã đăng ký")
    WITHDRAWN = "withdrawn", _("Đã rút đăng ký")


class EscapeRegistrationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EscapeRegistrationQuerySet":
        return self.filter(unit_scope_q(user, "household__village"))

    def active(self) -> "EscapeRegistrationQuerySet":
        return self.filter(state=EscapeRegistrationState.REGISTERED)


class EscapeRegistration(models.Model):
    """A poor (or near-poor) household's registration to escape poverty this year, with the cadre who helps it.

    Report 209/BC-UBND: "Tất cả 677 hộ đăng ký thoát nghèo được … phân công cán bộ, công chức, đảng viên phụ
    trách hướng dẫn, giúp đỡ". Whether the household escaped is never typed: it is read from the status history.
    """

    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="escape_registrations"
    )
    year = models.PositiveSmallIntegerField(_("năm đăng ký thoát nghèo"), validators=YEAR_VALIDATORS)
    registered_on = models.DateField(_("ngày đăng ký"))
    class_at_registration = models.CharField(_("phân loại khi đăng ký"), max_length=20, editable=False)
    cadre_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ phụ trách (tài khoản)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cadre_name = models.CharField(_("cán bộ phụ trách"), max_length=150)
    cadre_position = models.CharField(_("chức vụ, đơn vị"), max_length=150, blank=True)
    cadre_phone = models.CharField(_("số điện thoại cán bộ"), max_length=15, blank=True)
    commitment = models.TextField(
        _("cam kết và giải pháp hỗ trợ"),
        blank=True,
        help_text=_("Hộ cam kết làm gì, cần hỗ trợ gì (vốn, giống, đào tạo nghề…)."),
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=EscapeRegistrationState.choices,
        default=EscapeRegistrationState.REGISTERED,
        editable=False,
    )
    withdrawn_on = models.DateField(_("ngày rút đăng ký"), null=True, blank=True, editable=False)
    withdraw_reason = models.TextField(_("lý do rút đăng ký"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The household's village and code, copied by database triggers (households migration 0021) whenever a
    # registration is written or its household's village or code changes, whoever writes (the services, the Excel
    # import's COPY, the generators, the admin): the escape registrations' list walks its villages along an index of
    # these columns in the list's order (programs.selectors.escape_village_rows, docs/adr/0043). Never set them here.
    # NOT NULL in the database (migration 0023), ``null=True`` here: Django writes NULL and the trigger fills them.
    household_village = models.ForeignKey(
        "areas.AdministrativeUnit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    household_code = models.CharField(max_length=20, null=True, blank=True, editable=False)

    objects = EscapeRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("đăng ký thoát nghèo")
        verbose_name_plural = _("đăng ký thoát nghèo")
        ordering = ["-year", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                condition=Q(state="registered"),
                name="households_one_escape_registration_per_year",
            ),
        ]
        indexes = [models.Index(fields=["year", "state"], name="escape_reg_year_state_idx")]

    def __str__(self) -> str:
        return f"{self.household} – {self.year}"
